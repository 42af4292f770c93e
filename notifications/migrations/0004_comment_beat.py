"""The daily schedule of the overdue follow-ups' reminder (notifications.rules.RULES
"follow_up_overdue"), as a django-celery-beat row like the others (0002_beat_schedules)."""

import json

from django.db import migrations
from django.utils import timezone

TIME_ZONE = "Asia/Shanghai"
NAME = "notifications: follow-up overdue"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="8",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=TIME_ZONE,
    )
    PeriodicTask.objects.update_or_create(
        name=NAME,
        defaults={
            "task": "notifications.tasks.run_rule",
            "args": json.dumps(["follow_up_overdue"]),
            "description": "Follow-ups open past their due date → the unit's staff, once each.",
            "enabled": True,
            "crontab": crontab,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=NAME).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    # After fulfil's reminder (merged into main first): one line of migrations, no merge needed.
    dependencies = [("notifications", "0004_fulfil_beat")]

    operations = [migrations.RunPython(install, remove)]
