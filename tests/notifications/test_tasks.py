"""The Celery tasks are thin: a rule or a transition writes notices, the tasks hand the ids to
`deliver` in batches; run twice, they send nothing twice. The default schedules are installed by
a migration, in the campaign's time zone, for tasks that exist."""

import importlib
import json
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from activities import services as activity_services
from activities.models import Action
from campaigns.models import Phase
from chuangxian.celery import app
from notifications import rules, services, tasks
from notifications.models import EmailState, Notification, Rule
from notifications.services import Notice, notify

schedules = importlib.import_module("notifications.migrations.0002_beat_schedules")


def test_run_rule_delivers_what_the_rule_wrote_in_batches(staff, monkeypatch):
    def flood(now):
        notices = [Notice(staff, f"target:{n}", "2010-05-01:3") for n in range(services.BATCH + 1)]
        return notify(rule=Rule.TARGET_DUE, notices=notices)

    monkeypatch.setitem(rules.RULES, "target_due", flood)
    seen: list[int] = []
    real = services.deliver
    monkeypatch.setattr(services, "deliver", lambda ids: seen.append(len(ids)) or real(ids))

    assert tasks.run_rule.delay("target_due").get() == services.BATCH + 1
    assert tasks.run_rule.delay("target_due").get() == 0

    assert seen == [services.BATCH, 1]
    assert len(mail.outbox) == services.BATCH + 1
    assert not Notification.objects.exclude(email_state=EmailState.SENT).exists()


def test_a_rule_run_twice_reminds_once(tree, staff, outsider, campaign):
    today = timezone.localdate()
    Phase.objects.create(
        campaign=campaign,
        name="组织实施",
        starts_on=today - timedelta(days=30),
        deadline=today + timedelta(days=3),
    )

    tasks.run_rule.delay("phase_deadline")
    tasks.run_rule.delay("phase_deadline")

    notification = Notification.objects.get(rule=Rule.PHASE_DEADLINE, recipient=staff)
    assert notification.email_state == EmailState.SENT
    to_staff = [m for m in mail.outbox if m.to == [staff.email]]
    assert len(to_staff) == 1
    assert len(mail.outbox) == Notification.objects.filter(rule=Rule.PHASE_DEADLINE).count()


def test_an_unknown_rule_is_refused_by_name(db):
    with pytest.raises(ValueError, match="no_such_rule"):
        tasks.run_rule("no_such_rule")


def test_a_returned_activity_tells_its_author_once(staff, reviewer, draft):
    activity = activity_services.activity_submit(actor=staff, activity=draft)
    activity_services.activity_return(
        actor=reviewer, activity=activity, level=1, reason="请补充活动照片"
    )
    event = activity.events.get(action=Action.RETURN)
    mail.outbox.clear()  # whatever the submission sent to the reviewer

    tasks.notify_transition.delay("returned", activity.pk, event.pk)
    tasks.notify_transition.delay("returned", activity.pk, event.pk)

    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert "请补充活动照片" in mail.outbox[0].body
    notification = Notification.objects.get(rule=Rule.RETURNED)
    assert notification.recipient == staff
    assert notification.link == f"/activities/{activity.pk}/"


def test_a_submission_tells_its_reviewers_once(staff, reviewer, draft):
    activity = activity_services.activity_submit(actor=staff, activity=draft)
    mail.outbox.clear()

    tasks.notify_transition.delay("submitted", activity.pk)
    tasks.notify_transition.delay("submitted", activity.pk)

    assert Notification.objects.filter(rule=Rule.SUBMITTED, recipient=reviewer).count() == 1
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert not Notification.objects.filter(rule=Rule.SUBMITTED, recipient=staff).exists()


def test_an_unknown_transition_is_refused(db):
    with pytest.raises(ValueError, match="approved"):
        tasks.notify_transition("approved", 1)
    with pytest.raises(ValueError, match="event"):
        tasks.notify_transition("returned", 1)


# --- The default schedules ------------------------------------------------------------------


@pytest.fixture
def installed(beat_schedules):
    return beat_schedules


def _scheduled(task: str) -> list[PeriodicTask]:
    return list(
        PeriodicTask.objects.filter(task=task, enabled=True).select_related("crontab", "interval")
    )


def test_every_rule_has_a_daily_or_weekly_schedule_in_the_campaigns_time_zone(installed):
    by_rule: dict[str, list[PeriodicTask]] = {}
    for periodic in _scheduled("notifications.tasks.run_rule"):
        by_rule.setdefault(json.loads(periodic.args)[0], []).append(periodic)

    assert set(by_rule) == set(rules.RULES)
    for periodic in (p for found in by_rule.values() for p in found):
        assert str(periodic.crontab.timezone) == "Asia/Shanghai"
    times = {
        name: sorted((p.crontab.hour, p.crontab.minute, p.crontab.day_of_week) for p in found)
        for name, found in by_rule.items()
    }
    assert times["target_due"] == [("8", "30", "*")]
    assert times["review_overdue"] == [("14", "30", "*"), ("8", "30", "*")]
    assert times["weekly_digest"] == [("8", "0", "1")]


def test_digests_and_retries_are_scheduled(installed):
    (digests,) = _scheduled("notifications.tasks.send_digests")
    assert (digests.crontab.hour, digests.crontab.minute) == ("18", "0")
    assert str(digests.crontab.timezone) == "Asia/Shanghai"
    (due,) = _scheduled("notifications.tasks.deliver_due")
    assert (due.interval.every, due.interval.period) == (5, "minutes")


def test_every_scheduled_task_is_a_registered_task(installed):
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert names
    app.loader.import_default_modules()  # as a worker does on start: autodiscovery's modules
    assert names <= set(app.tasks)


def test_the_schedules_migration_reverses_and_reinstalls_cleanly(installed):
    count = PeriodicTask.objects.filter(name__in=schedules.SCHEDULES).count()
    assert count == len(schedules.SCHEDULES)

    schedules.remove_schedules(django_apps, None)
    assert not PeriodicTask.objects.filter(name__in=schedules.SCHEDULES).exists()

    schedules.install_schedules(django_apps, None)
    schedules.install_schedules(django_apps, None)
    assert PeriodicTask.objects.filter(name__in=schedules.SCHEDULES).count() == count
