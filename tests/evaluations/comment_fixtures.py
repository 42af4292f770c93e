"""Shared helpers of the leader comments' tests."""

import datetime

import pytest
from django.utils import timezone

from evaluations import comment_services as services


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def follow_up(tree, leader, campaign):
    """A comment of committee_a's leader on branch_a1 requiring a follow-up in a week."""
    comment = services.comment_write(
        leader, tree.branch_a1, campaign, "台账不完整，请整改", grade=2, follow_up_due=days(7)
    )
    return comment.follow_up


@pytest.fixture
def reported(follow_up, staff):
    return services.follow_up_report(staff, follow_up, "已补齐台账")
