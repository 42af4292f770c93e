"""The kept draft scores (evaluations.models.DraftScore) and the beat row of their periodic
recompute (every running campaign, hourly; editable in the admin under "Periodic tasks")."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

BEAT_NAME = "evaluations: draft scores of running campaigns"
BEAT_TASK = "evaluations.tasks.recompute_running_draft_scores"
EVERY_MINUTES = 60


def install_beat(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    interval, _ = IntervalSchedule.objects.get_or_create(every=EVERY_MINUTES, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=BEAT_NAME,
        defaults={
            "task": BEAT_TASK,
            "args": "[]",
            "description": "Every hour: the kept draft scores of every running campaign.",
            "enabled": True,
            "interval": interval,
        },
    )
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_beat(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    PeriodicTask.objects.filter(name=BEAT_NAME).delete()
    IntervalSchedule.objects.filter(
        every=EVERY_MINUTES, period="minutes", periodictask__isnull=True
    ).delete()
    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_evidence_required"),
        ("evaluations", "0007_honour_year_of_its_round"),
        ("units", "0002_depth_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="DraftScore",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "total",
                    models.DecimalField(decimal_places=2, max_digits=7, verbose_name="points"),
                ),
                (
                    "scale",
                    models.DecimalField(decimal_places=4, max_digits=9, verbose_name="scale"),
                ),
                ("rules", models.JSONField(verbose_name="points by rule")),
                (
                    "peer_grouping",
                    models.CharField(
                        choices=[
                            ("kind_depth", "Same kind and depth"),
                            ("line_depth", "Same line and depth"),
                            ("depth", "Same depth"),
                            ("all", "All units together"),
                        ],
                        max_length=16,
                        verbose_name="peer groups",
                    ),
                ),
                ("peer_group", models.CharField(max_length=100, verbose_name="peer group")),
                ("rank", models.PositiveIntegerField(verbose_name="rank")),
                ("peers", models.PositiveIntegerField(verbose_name="units in the peer group")),
                (
                    "grade",
                    models.CharField(
                        choices=[
                            ("excellent", "Excellent"),
                            ("good", "Good"),
                            ("fair", "Fair"),
                            ("poor", "Poor"),
                        ],
                        max_length=16,
                        verbose_name="grade",
                    ),
                ),
                ("as_of", models.DateField(verbose_name="as of")),
                ("computed_at", models.DateTimeField(verbose_name="computed at")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_scores",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="draft_scores",
                        to="units.unit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "draft score",
                "verbose_name_plural": "draft scores",
                "ordering": ["campaign", "peer_group", "rank"],
                "indexes": [
                    models.Index(
                        fields=["campaign", "peer_group", "rank"],
                        name="evaluations_campaig_a6ea25_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "unit"), name="draft_score_once")
                ],
            },
        ),
        migrations.RunPython(install_beat, remove_beat),
    ]
