"""Transitions notify once committed: a return → its author; a submission → the reviewers who may
act, batched into one notice (and one e-mail) per reviewer and day."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Action, ActivityEvent
from notifications import tasks
from notifications.models import EmailState, Notification, Rule
from notifications.transitions import on_returned, on_submitted
from tests.factories import ActivityFactory, MembershipFactory, UserFactory
from units.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_draft(tree, staff, task, draft):
    return ActivityFactory(
        campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
    )


@pytest.fixture
def reviewers(tree, reviewer, outsider):
    """reviewer_a and reviewer_a2 act for branch_a1; an inactive one, one who is also staff of
    branch_a1, one above (city) and the outsider do not get the day's notice."""
    second = UserFactory(username="reviewer_a2")
    MembershipFactory(user=second, unit=tree.committee_a, role=Role.REVIEWER)
    gone = UserFactory(username="reviewer_a_gone", is_active=False)
    MembershipFactory(user=gone, unit=tree.committee_a, role=Role.REVIEWER)
    own = UserFactory(username="reviewer_a_own")
    MembershipFactory(user=own, unit=tree.committee_a, role=Role.REVIEWER)
    MembershipFactory(user=own, unit=tree.branch_a1, role=Role.STAFF)
    above = UserFactory(username="reviewer_city")
    MembershipFactory(user=above, unit=tree.city, role=Role.REVIEWER)
    return [reviewer, second]


def test_a_return_notifies_the_author_after_commit(
    staff, reviewer, draft, django_capture_on_commit_callbacks
):
    services.activity_submit(actor=staff, activity=draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.activity_return(actor=reviewer, activity=draft, level=1, reason="补充照片")
    assert not Notification.objects.filter(rule=Rule.RETURNED).exists()  # not before commit

    for callback in callbacks:
        callback()

    event = ActivityEvent.objects.get(activity=draft, action=Action.RETURN)
    notification = Notification.objects.get(rule=Rule.RETURNED)
    assert notification.recipient == staff
    assert notification.subject == f"activity:{draft.pk}"
    assert notification.period == str(event.pk)
    assert notification.link == reverse("activities:detail", args=[draft.pk])
    assert notification.context["reason"] == "补充照片"
    assert notification.email_state == EmailState.SENT
    assert [message.to for message in mail.outbox] == [[staff.email]]


def test_a_return_notifies_no_one_else(tree, staff, reviewer, draft):
    colleague = UserFactory(username="staff_a1_other")
    MembershipFactory(user=colleague, unit=tree.branch_a1, role=Role.STAFF)
    services.activity_submit(actor=staff, activity=draft)
    services.activity_return(actor=reviewer, activity=draft, level=1, reason="补充照片")
    event = ActivityEvent.objects.get(activity=draft, action=Action.RETURN)

    on_returned(draft.pk, event.pk)
    again = on_returned(draft.pk, event.pk)  # a retried task

    assert again == []
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["staff_a1"]


def test_a_second_return_is_a_second_notice(staff, reviewer, draft):
    for reason in ("补充照片", "补充签到表"):
        services.activity_submit(actor=staff, activity=draft)
        services.activity_return(actor=reviewer, activity=draft, level=1, reason=reason)
    for event in ActivityEvent.objects.filter(action=Action.RETURN):
        on_returned(draft.pk, event.pk)

    notices = Notification.objects.filter(rule=Rule.RETURNED).order_by("pk")
    assert [n.context["reason"] for n in notices] == ["补充照片", "补充签到表"]


def test_submissions_reach_the_reviewers_batched_per_day(
    staff, reviewers, draft, second_draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_submit(actor=staff, activity=draft)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reviewers)

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_submit(actor=staff, activity=second_draft)

    notices = Notification.objects.filter(rule=Rule.SUBMITTED).select_related("recipient")
    assert {n.recipient.username for n in notices} == {"reviewer_a", "reviewer_a2"}
    today = timezone.localdate().isoformat()
    for notice in notices:
        assert (notice.subject, notice.period) == ("queue", today)
        assert notice.context["count"] == 2
        assert notice.context["activity_ids"] == [draft.pk, second_draft.pk]
        assert notice.link == reverse("activities:queue")
        assert notice.email_state == EmailState.SENT
    assert len(mail.outbox) == 2  # one each, at the first submission


def test_a_retried_submission_task_counts_once(staff, reviewers, draft):
    services.activity_submit(actor=staff, activity=draft)

    first = on_submitted(draft.pk)
    again = on_submitted(draft.pk)

    assert len(first) == 2
    assert again == []
    counts = Notification.objects.filter(rule=Rule.SUBMITTED).values_list("context", flat=True)
    assert [c["count"] for c in counts] == [1, 1]


def test_a_withdrawn_submission_notifies_no_one(staff, reviewers, draft):
    services.activity_submit(actor=staff, activity=draft)
    services.activity_withdraw(actor=staff, activity=draft)

    assert on_submitted(draft.pk) == []
    assert not Notification.objects.exists()


def test_a_pass_on_reaches_the_next_levels_reviewers(
    tree, staff, reviewer, draft, campaign, django_capture_on_commit_callbacks
):
    campaign.review_levels = 2
    campaign.save()
    above = UserFactory(username="reviewer_city")
    MembershipFactory(user=above, unit=tree.city, role=Role.REVIEWER)
    services.activity_submit(actor=staff, activity=draft)

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(actor=reviewer, activity=draft, level=1)

    notice = Notification.objects.get(rule=Rule.SUBMITTED)
    assert notice.recipient == above
    assert notice.context["activity_ids"] == [draft.pk]


def test_who_passed_it_on_is_not_asked_to_decide_level_two(
    tree, staff, reviewer, draft, campaign, django_capture_on_commit_callbacks
):
    campaign.review_levels = 2
    campaign.save()
    MembershipFactory(user=reviewer, unit=tree.city, role=Role.REVIEWER)  # sits at both levels
    colleague = UserFactory(username="reviewer_city")
    MembershipFactory(user=colleague, unit=tree.city, role=Role.REVIEWER)
    services.activity_submit(actor=staff, activity=draft)

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(actor=reviewer, activity=draft, level=1)

    notices = Notification.objects.filter(rule=Rule.SUBMITTED)
    assert [notice.recipient for notice in notices] == [colleague]


def test_a_former_member_hears_nothing_of_a_return(tree, staff, reviewer, draft):
    activity = services.activity_submit(actor=staff, activity=draft)
    Membership.objects.filter(user=staff).delete()
    mail.outbox.clear()

    services.activity_return(actor=reviewer, activity=activity, level=1, reason="请补充")

    assert not Notification.objects.filter(recipient=staff).exists()
    assert mail.outbox == []


def test_each_committed_event_enqueues_its_notice_once(
    staff, reviewer, draft, monkeypatch, django_capture_on_commit_callbacks
):
    """The workflow only writes events; notifications.receivers turns each committed one into
    one notice task (a withdrawal or an approval tells no one)."""
    sent = []
    monkeypatch.setattr(tasks.notify_transition, "delay", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.activity_submit(actor=staff, activity=draft)
    assert sent == []  # nothing before commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_withdraw(actor=staff, activity=draft)
        services.activity_submit(actor=staff, activity=draft)
        services.activity_return(actor=reviewer, activity=draft, level=1, reason="补充照片")
        services.activity_submit(actor=staff, activity=draft)
        services.activity_approve(actor=reviewer, activity=draft, level=1)

    returned = ActivityEvent.objects.get(activity=draft, action=Action.RETURN)
    assert sent == [
        ("submitted", draft.pk),
        ("submitted", draft.pk),
        ("returned", draft.pk, returned.pk),
        ("submitted", draft.pk),
    ]


def test_a_rolled_back_transition_enqueues_nothing(
    staff, draft, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.notify_transition, "delay", lambda *args: sent.append(args))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.activity_submit(actor=staff, activity=draft)
        raise RuntimeError
    assert sent == []
