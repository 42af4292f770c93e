"""The daily reminder of commitments past due and not fulfilled (notifications.commitment_rules),
as a beat row like the others (0002_beat_schedules)."""

import importlib

from django.db import migrations

beat = importlib.import_module("notifications.migrations.0002_beat_schedules")

SCHEDULES = {
    "notifications: commitment overdue": (
        "notifications.tasks.run_rule",
        ["commitment_overdue"],
        beat.DAILY,
        "Commitments past due and not fulfilled → the unit's staff, once each.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_evaluation_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
