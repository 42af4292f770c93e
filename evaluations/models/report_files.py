"""Evidence files attached to one subject: a fulfilment report, a follow-up's report, a bonus or
deduction item, an objection to an assessment result, or an honour application. Checked by content
before any decoder runs (activities.evidence.sniff) and served only through a view that checks
the user's scope; stored under a random name."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluations.models.comments import FollowUp
from evaluations.models.commitments import FulfilmentReport
from evaluations.models.honours import Application
from evaluations.models.scoring import Adjustment
from evaluations.models.snapshots import ScoreObjection

# The subjects a file may belong to: exactly one of these is set.
SUBJECTS = ("fulfilment", "follow_up", "adjustment", "score_objection", "application")


def _report_file_path(instance: "ReportFile", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"reports/{uuid.uuid4().hex}{suffix}"


def _one_subject() -> Q:
    """Exactly one of SUBJECTS is set."""
    found = Q(pk__in=[])
    for subject in SUBJECTS:
        found |= Q(**{f"{other}__isnull": other != subject for other in SUBJECTS})
    return found


class ReportFile(models.Model):
    fulfilment = models.ForeignKey(
        FulfilmentReport, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    score_objection = models.ForeignKey(
        ScoreObjection, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField(_("file"), upload_to=_report_file_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_one_subject(), name="report_file_one_subject")
        ]

    def __str__(self) -> str:
        return self.original_name
