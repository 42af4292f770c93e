"""Fixtures of the commitment tests: a running campaign of the city, branch_a1's set with items."""

__all__ = ["city_reviewer", "draft_set", "due", "running", "running_task", "submitted_set"]

import datetime

import pytest
from django.utils import timezone

from evaluations import commitment_services as services
from tests.conftest import _member
from tests.factories import CampaignFactory, TargetTaskFactory
from units.models import Role


@pytest.fixture
def running(tree):
    """A one-level campaign of the city running today."""
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        name="党群共建创先争优（进行中）",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=90),
    )


@pytest.fixture
def due():
    return timezone.localdate() + datetime.timedelta(days=20)


@pytest.fixture
def running_task(running):
    return TargetTaskFactory(campaign=running, code="DJ-09", title="主题党日活动")


@pytest.fixture
def draft_set(staff, tree, running, due):
    """branch_a1's draft with two items, by `staff`."""
    commitment_set = services.draft_set(staff, tree.branch_a1, running)
    services.item_add(
        staff, commitment_set, promise="每月开展一次主题党日", measure="12 次", due_on=due
    )
    services.item_add(staff, commitment_set, promise="走访困难群众", measure="30 户", due_on=due)
    return commitment_set


@pytest.fixture
def submitted_set(staff, draft_set):
    return services.set_submit(staff, draft_set)


@pytest.fixture
def city_reviewer(tree):
    return _member(tree.city, Role.REVIEWER, "reviewer_city")
