"""The notices of follow-ups: each step tells the right people once, and the overdue reminder is
sent once per follow-up however often it runs."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from evaluations import comment_services as services
from notifications.follow_ups import on_follow_up_event
from notifications.messages import describe
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.conftest import _member
from tests.evaluations.comment_fixtures import days
from units.models import Role

pytestmark = pytest.mark.django_db


def _of(rule: str) -> list[Notification]:
    return list(Notification.objects.filter(rule=rule).order_by("recipient__username"))


def test_each_step_tells_the_right_people_once(
    tree, leader, staff, campaign, django_capture_on_commit_callbacks
):
    def committed(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    second = _member(tree.branch_a1, Role.STAFF, "staff_a1_two")
    comment = committed(
        services.comment_write, leader, tree.branch_a1, campaign, "请整改", follow_up_due=days(5)
    )
    follow_up = comment.follow_up
    required = _of(Rule.FOLLOW_UP_REQUIRED)
    assert {n.recipient for n in required} == {staff, second}
    assert all(n.subject == f"follow_up:{follow_up.pk}" for n in required)
    committed(services.follow_up_acknowledge, staff, follow_up)
    committed(services.follow_up_report, staff, follow_up, "done")
    assert [n.recipient for n in _of(Rule.FOLLOW_UP_REPORTED)] == [leader]
    committed(services.follow_up_send_back, leader, follow_up, "证据不足")
    sent_back = _of(Rule.FOLLOW_UP_SENT_BACK)
    assert {n.recipient for n in sent_back} == {staff, second}
    assert "证据不足" in describe(sent_back[0]).text
    # A retried task writes nothing twice.
    event = follow_up.events.get(action="send_back")
    assert on_follow_up_event(event.pk) == []
    assert len(_of(Rule.FOLLOW_UP_SENT_BACK)) == 2
    assert Notification.objects.filter(rule=Rule.FOLLOW_UP_REQUIRED).count() == 2


def test_the_overdue_reminder_is_sent_once(tree, leader, staff, campaign):
    due = timezone.localdate()
    late = services.comment_write(leader, tree.branch_a1, campaign, "a", follow_up_due=due)
    services.comment_write(leader, tree.branch_a1, campaign, "b", follow_up_due=days(3))
    closed = services.comment_write(leader, tree.branch_a1, campaign, "c", follow_up_due=due)
    services.follow_up_report(staff, closed.follow_up, "done")
    services.follow_up_close(leader, closed.follow_up)
    later = timezone.now() + datetime.timedelta(days=2)
    first = RULES["follow_up_overdue"](later)
    second = RULES["follow_up_overdue"](later + datetime.timedelta(hours=6))
    notices = _of(Rule.FOLLOW_UP_OVERDUE)
    assert len(first) == 1 and second == [] and len(notices) == 1
    (notice,) = notices
    assert notice.recipient == staff and notice.subject == f"follow_up:{late.follow_up.pk}"
    assert notice.period == due.isoformat()
    assert "a" in describe(notice).text


def test_the_beat_schedules_the_reminder(beat_schedules):
    task = PeriodicTask.objects.get(name="notifications: follow-up overdue")
    assert task.task == "notifications.tasks.run_rule" and "follow_up_overdue" in task.args
