"""Review events of commitment sets notify once: a submission (or a pass to level 2) → the
reviewers it waits on, never the unit's own staff; a return → the unit's staff, with the reason."""

import pytest
from django.core import mail

from evaluations import commitment_services as services
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.review_notices import on_review_event
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def test_submit_notifies_the_reviewers_once(
    tree, staff, reviewer, city_reviewer, draft_set, django_capture_on_commit_callbacks
):
    own = UserFactory(username="reviewer_own")
    MembershipFactory(user=own, unit=tree.committee_a, role=Role.REVIEWER)
    MembershipFactory(user=own, unit=tree.branch_a1, role=Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_submit(staff, draft_set)
    notices = Notification.objects.filter(rule=Rule.COMMITMENTS_SUBMITTED)
    assert list(notices.values_list("recipient__username", flat=True)) == ["reviewer_a"]
    event = draft_set.events.get()
    assert on_review_event(event.pk) == []  # a retried task writes nothing twice
    assert notices.count() == 1
    assert "机关第一党支部" in describe(notices.get()).title
    assert len(mail.outbox) <= 1


def test_pass_on_notifies_the_next_level(
    staff, reviewer, city_reviewer, draft_set, django_capture_on_commit_callbacks
):
    draft_set.campaign.review_levels = 2
    draft_set.campaign.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_submit(staff, draft_set)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_approve(reviewer, draft_set, 1)
    recipients = Notification.objects.filter(rule=Rule.COMMITMENTS_SUBMITTED).values_list(
        "recipient__username", flat=True
    )
    assert sorted(recipients) == ["reviewer_a", "reviewer_city"]


def test_pass_on_leaves_out_who_passed_it_on(
    tree, staff, city_reviewer, draft_set, django_capture_on_commit_callbacks
):
    """A reviewer on both levels passes the set on: the level-2 notice goes to a colleague on
    the city, not back to them (their queue leaves it out: another must decide level 2)."""
    draft_set.campaign.review_levels = 2
    draft_set.campaign.save()
    MembershipFactory(user=city_reviewer, unit=tree.committee_a, role=Role.REVIEWER)
    colleague = UserFactory(username="reviewer_city_2")
    MembershipFactory(user=colleague, unit=tree.city, role=Role.REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_submit(staff, draft_set)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_approve(city_reviewer, draft_set, 1)
    passed_on = draft_set.events.order_by("-pk").first()
    recipients = Notification.objects.filter(
        rule=Rule.COMMITMENTS_SUBMITTED, period=str(passed_on.pk)
    ).values_list("recipient__username", flat=True)
    assert list(recipients) == ["reviewer_city_2"]


def test_return_notifies_the_staff_once_with_the_reason(
    staff, reviewer, draft_set, django_capture_on_commit_callbacks
):
    services.set_submit(staff, draft_set)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_return(reviewer, draft_set, 1, "措施不具体")
    notice = Notification.objects.get(rule=Rule.COMMITMENTS_RETURNED)
    assert notice.recipient == staff and "措施不具体" in describe(notice).text
    event = draft_set.events.order_by("-pk").first()
    assert on_review_event(event.pk) == []
    assert Notification.objects.filter(rule=Rule.COMMITMENTS_RETURNED).count() == 1
    approved_events = Notification.objects.filter(rule=Rule.COMMITMENTS_SUBMITTED).count()
    assert approved_events == 0  # this submit ran outside the capture: its notice was not sent


def test_fulfilment_messages_read_well():
    for rule in (Rule.FULFILMENT_SUBMITTED, Rule.FULFILMENT_RETURNED):
        text = describe(Notification(rule=rule, context={"unit_name": "U", "promise": "P"}))
        assert "U" in text.title and "P" in text.text
