"""The default schedules of the periodic jobs, as django-celery-beat rows: editable (or disabled)
in the admin under "Periodic tasks". Times are the campaign's (Asia/Shanghai)."""

import json

from django.db import migrations
from django.utils import timezone

TIME_ZONE = "Asia/Shanghai"
DAILY = {"minute": "30", "hour": "8", "day_of_week": "*"}

# name → (task, args, crontab or None for the interval, description)
SCHEDULES = {
    "notifications: target due": (
        "notifications.tasks.run_rule",
        ["target_due"],
        DAILY,
        "Targets due in 7, 3 or 1 days for units behind pace → the unit's staff.",
    ),
    "notifications: review overdue (morning)": (
        "notifications.tasks.run_rule",
        ["review_overdue"],
        DAILY,
        "Submissions past the review deadline → reviewers; past twice → escalated.",
    ),
    "notifications: review overdue (afternoon)": (
        "notifications.tasks.run_rule",
        ["review_overdue"],
        {"minute": "30", "hour": "14", "day_of_week": "*"},
        "The afternoon run of the overdue reviews (the same notice is never sent twice).",
    ),
    "notifications: returned not resubmitted": (
        "notifications.tasks.run_rule",
        ["return_unfixed"],
        DAILY,
        "Returned activities not submitted again → their author.",
    ),
    "notifications: co-organiser unanswered": (
        "notifications.tasks.run_rule",
        ["coorganiser_unanswered"],
        DAILY,
        "Co-organiser invitations without an answer → that unit's staff.",
    ),
    "notifications: phase deadline": (
        "notifications.tasks.run_rule",
        ["phase_deadline"],
        DAILY,
        "A phase deadline approaching → every unit in the campaign.",
    ),
    "notifications: weekly digest": (
        "notifications.tasks.run_rule",
        ["weekly_digest"],
        {"minute": "0", "hour": "8", "day_of_week": "1"},
        "Each leader's weekly progress digest, Monday morning.",
    ),
    "notifications: daily e-mail digests": (
        "notifications.tasks.send_digests",
        [],
        {"minute": "0", "hour": "18", "day_of_week": "*"},
        "One e-mail a day for people who chose the daily digest.",
    ),
    "notifications: deliver due e-mails": (
        "notifications.tasks.deliver_due",
        [],
        None,
        "Every 5 minutes: retry failed sends and claims left by a crashed worker.",
    ),
}


def install_schedules(apps, schema_editor, schedules=None):
    """Write `schedules` (name → as SCHEDULES; these by default) as beat rows; idempotent."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, (task, args, cron, description) in (schedules or SCHEDULES).items():
        schedule = {}
        if cron is None:
            schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
                every=5, period="minutes"
            )
        else:
            schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(
                day_of_month="*", month_of_year="*", timezone=TIME_ZONE, **cron
            )
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={
                "task": task,
                "args": json.dumps(args),
                "description": description,
                "enabled": True,
                **schedule,
            },
        )
    # Tell a running beat (DatabaseScheduler) that its schedule changed.
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor, schedules=None):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name__in=schedules or SCHEDULES).delete()
    # Schedules that no other task uses any more.
    CrontabSchedule.objects.filter(timezone=TIME_ZONE, periodictask__isnull=True).delete()
    IntervalSchedule.objects.filter(every=5, period="minutes", periodictask__isnull=True).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def operation(schedules: dict) -> migrations.RunPython:
    """The migration that installs (and, reversed, removes) further `schedules`."""
    return migrations.RunPython(
        lambda apps, editor: install_schedules(apps, editor, schedules),
        lambda apps, editor: remove_schedules(apps, editor, schedules),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install_schedules, remove_schedules)]
