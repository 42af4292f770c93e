"""Issue 14's notices: the rule values (notifications.issue14, review_notices for bonus and
deduction items) and the daily beat rows of its three reminder rules, like 0004_comment_beat."""

import importlib

from django.db import migrations, models

beat = importlib.import_module("notifications.migrations.0002_beat_schedules")

SCHEDULES = {
    "notifications: assessment notice closing": (
        "notifications.tasks.run_rule",
        ["snapshot_window_closing"],
        beat.DAILY,
        "Objections unanswered the day before a result's notice ends → the organiser's admins.",
    ),
    "notifications: honour applications closing": (
        "notifications.tasks.run_rule",
        ["honour_window_closing"],
        beat.DAILY,
        "Honour applications close within 3 days → the staff of units with drafts.",
    ),
    "notifications: honour notice unanswered": (
        "notifications.tasks.run_rule",
        ["honour_notice_unanswered"],
        beat.DAILY,
        "A shortlist's notice is over with objections unanswered → the organiser's admins.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [("notifications", "0004_comment_beat")]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="rule",
            field=models.CharField(
                choices=[
                    ("submitted", "New submissions to review"),
                    ("returned", "Activity returned"),
                    ("target_due", "Target due soon"),
                    ("review_overdue", "Review overdue"),
                    ("review_escalated", "Review escalated"),
                    ("return_unfixed", "Returned activity not resubmitted"),
                    ("coorganiser_unanswered", "Co-organiser has not answered"),
                    ("phase_deadline", "Phase deadline approaching"),
                    ("weekly_digest", "Weekly digest"),
                    ("commitments_submitted", "Commitments to review"),
                    ("commitments_returned", "Commitments returned"),
                    ("fulfilment_submitted", "Fulfilment report to review"),
                    ("fulfilment_returned", "Fulfilment report returned"),
                    ("commitment_overdue", "Commitment overdue"),
                    ("follow_up_required", "Follow-up required"),
                    ("follow_up_reported", "Follow-up reported"),
                    ("follow_up_sent_back", "Follow-up sent back"),
                    ("follow_up_overdue", "Follow-up overdue"),
                    ("adjustment_submitted", "Bonus or deduction item to review"),
                    ("adjustment_approved", "Bonus or deduction item approved"),
                    ("adjustment_returned", "Bonus or deduction item returned"),
                    ("snapshot_published", "Assessment result published"),
                    ("score_objection_filed", "Objection to a result"),
                    ("score_objection_answered", "Objection answered"),
                    ("snapshot_window_closing", "Objections unanswered, notice ends"),
                    ("honour_waiting", "Honour application to recommend"),
                    ("honour_declined", "Honour application declined"),
                    ("honour_window_closing", "Honour applications close soon"),
                    ("shortlist_published", "Honours shortlist published"),
                    ("honour_objection_sent", "Objection to a nominee"),
                    ("honour_notice_unanswered", "Nominee objections unanswered"),
                    ("honour_commended", "Commended"),
                ],
                max_length=32,
                verbose_name="rule",
            ),
        ),
        beat.operation(SCHEDULES),
    ]
