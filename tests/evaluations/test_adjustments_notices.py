"""Bonus and deduction items notify like commitment sets (notifications.review_notices): a
submission → the reviewers it waits on, never the unit's own staff; an approval or a return →
the unit's staff. Each once: a retried task writes nothing twice."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Action
from evaluations import adjustment_services as services
from evaluations import commitment_services
from evaluations.models import ReviewEvent
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.review_notices import on_review_event
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def bonus(tree, running, staff):
    return services.adjustment_create(
        actor=staff, unit=tree.branch_a1, campaign=running, points=Decimal(3), reason="市级表彰"
    )


def _names(rule: str) -> list[str]:
    return sorted(
        Notification.objects.filter(rule=rule).values_list("recipient__username", flat=True)
    )


def test_submit_notifies_the_reviewers_once_never_the_units_own_staff(
    client, tree, staff, reviewer, outsider, bonus, django_capture_on_commit_callbacks
):
    own = UserFactory(username="reviewer_own")
    MembershipFactory(user=own, unit=tree.committee_a, role=Role.REVIEWER)
    MembershipFactory(user=own, unit=tree.branch_a1, role=Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_submit(actor=staff, item=bonus)
    assert _names(Rule.ADJUSTMENT_SUBMITTED) == ["reviewer_a"]
    notice = Notification.objects.get(rule=Rule.ADJUSTMENT_SUBMITTED)
    assert notice.subject == f"adjustment:{bonus.pk}"
    assert notice.link == reverse("evaluations:adjustment", args=[bonus.pk])
    client.force_login(notice.recipient)
    assert client.get(notice.link).status_code == 200
    assert "机关第一党支部" in describe(notice).title and "+3" in describe(notice).text
    event = ReviewEvent.objects.get(adjustment=bonus, action=Action.SUBMIT)
    assert on_review_event(event.pk) == []  # a retried task writes nothing twice
    assert Notification.objects.filter(rule=Rule.ADJUSTMENT_SUBMITTED).count() == 1


def test_approval_notifies_the_units_staff_once(
    staff, reviewer, bonus, django_capture_on_commit_callbacks
):
    services.adjustment_submit(actor=staff, item=bonus)
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_approve(actor=reviewer, item=bonus, level=1)
    assert _names(Rule.ADJUSTMENT_APPROVED) == ["staff_a1"]
    event = ReviewEvent.objects.get(adjustment=bonus, action=Action.APPROVE)
    assert on_review_event(event.pk) == []
    assert Notification.objects.filter(rule=Rule.ADJUSTMENT_APPROVED).count() == 1
    assert not Notification.objects.filter(recipient=reviewer).exists()


def test_return_notifies_the_units_staff_once_with_the_reason(
    staff, reviewer, bonus, django_capture_on_commit_callbacks
):
    services.adjustment_submit(actor=staff, item=bonus)
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_return(actor=reviewer, item=bonus, level=1, reason="证明不足")
    notice = Notification.objects.get(rule=Rule.ADJUSTMENT_RETURNED)
    assert notice.recipient == staff and "证明不足" in describe(notice).text
    event = ReviewEvent.objects.get(adjustment=bonus, action=Action.RETURN)
    assert on_review_event(event.pk) == []
    assert Notification.objects.filter(rule=Rule.ADJUSTMENT_RETURNED).count() == 1


def test_a_commitment_sets_approval_still_notifies_no_one(
    staff, reviewer, submitted_set, django_capture_on_commit_callbacks
):
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        commitment_services.set_approve(reviewer, submitted_set, 1)
    assert Notification.objects.count() == before


def test_a_deduction_is_not_announced_to_its_own_author(
    tree, staff, reviewer, running, django_capture_on_commit_callbacks
):
    """An admin who also reviews on the committee enters a deduction for a branch: the notice
    goes to the committee's other reviewer, not back to its author, who may not decide it."""
    author = UserFactory(username="admin_reviewer")
    MembershipFactory(user=author, unit=tree.committee_a, role=Role.ADMIN)
    MembershipFactory(user=author, unit=tree.committee_a, role=Role.REVIEWER)
    item = services.adjustment_create(
        actor=author, unit=tree.branch_a1, campaign=running, points=Decimal(-2), reason="迟报"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.adjustment_submit(actor=author, item=item)
    assert _names(Rule.ADJUSTMENT_SUBMITTED) == ["reviewer_a"]
