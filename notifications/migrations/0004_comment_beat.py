"""The daily reminder of follow-ups open past their due date (notifications.rules.RULES
"follow_up_overdue"), as a beat row like the others (0002_beat_schedules)."""

import importlib

from django.db import migrations

beat = importlib.import_module("notifications.migrations.0002_beat_schedules")

SCHEDULES = {
    "notifications: follow-up overdue": (
        "notifications.tasks.run_rule",
        ["follow_up_overdue"],
        beat.DAILY,
        "Follow-ups open past their due date → the unit's staff, once each.",
    ),
}


class Migration(migrations.Migration):
    # After fulfil's reminder: one line of migrations.
    dependencies = [("notifications", "0004_fulfil_beat")]

    operations = [beat.operation(SCHEDULES)]
