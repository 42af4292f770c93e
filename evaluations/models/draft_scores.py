"""Kept draft scores (issue 14 §1): every taking-part unit's score in a campaign as
evaluations.scoring.compute last computed it, so that the ranking, one unit's page, the workbench
and the dashboards read a row instead of computing every unit's score on each request.

Written only by evaluations.draft_score_services.draft_scores_recompute, which replaces a
campaign's rows in one transaction; recomputed by Celery (evaluations.tasks) after the events that
change scores and periodically. Not a record of its own: a snapshot (evaluations.models.snapshots)
is what freezes a result."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from evaluations.models.scoring import AssessmentGrade, PeerGrouping
from units.models import Unit


class DraftScore(models.Model):
    """One unit's draft score: its total, the factor the measured rules were scaled by, per rule
    (`rules`, in the scheme's order) what evaluations.scoring.RulePoints.as_json says — points,
    share, formula msgid and its numbers — and its place in its peer group (`peer_group` is the
    engine's key under `peer_grouping`; its label is made in the reader's language)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="draft_scores", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="draft_scores", verbose_name=_("unit")
    )
    total = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    scale = models.DecimalField(_("scale"), max_digits=9, decimal_places=4)
    rules = models.JSONField(_("points by rule"))
    peer_grouping = models.CharField(_("peer groups"), max_length=16, choices=PeerGrouping.choices)
    peer_group = models.CharField(_("peer group"), max_length=100)
    rank = models.PositiveIntegerField(_("rank"))
    peers = models.PositiveIntegerField(_("units in the peer group"))
    grade = models.CharField(_("grade"), max_length=16, choices=AssessmentGrade.choices)
    as_of = models.DateField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("draft score")
        verbose_name_plural = _("draft scores")
        ordering = ["campaign", "peer_group", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="draft_score_once")
        ]
        indexes = [models.Index(fields=["campaign", "peer_group", "rank"])]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.total}"
