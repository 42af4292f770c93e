"""Frozen assessment results: a snapshot of every unit's score in a campaign, immutable once taken
and holding the inputs it used (so it reads the same however the records change later); its
publication for objections (公示) on a public notice page; the objections units file and the
admins' answers. An upheld objection leads to a corrected snapshot — a new version, with the
reason — and the old one is kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from evaluations.models.appraisal import new_token
from evaluations.models.scoring import AssessmentGrade
from units.models import Unit

OBJECTION_MAX_LENGTH = 4000
# What may be written to a snapshot after it is taken: its publication, once (snapshot_services).
PUBLICATION_FIELDS = frozenset({"published_at", "published_by", "window_days", "window_ends_on"})


class Snapshot(models.Model):
    """Version `version` of a campaign's assessment. `scheme` holds the scheme as it was (its
    rules, weights, parameters, peer grouping, grading); `corrects` the version it replaces and
    `correction_reason` why. Published for `window_days` working days from `published_at`
    (`window_ends_on` its last day); final once the window has closed and every objection is
    answered (evaluations.snapshot_selectors says so, one place)."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("campaign")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    scheme = models.JSONField(_("scheme used"))
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # The public notice (公示): an unguessable id for /public/notices/<public_id>/.
    public_id = models.CharField(_("public id"), max_length=64, unique=True, default=new_token)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    window_days = models.PositiveSmallIntegerField(_("objection window (working days)"), default=5)
    window_ends_on = models.DateField(_("objections until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment snapshot")
        verbose_name_plural = _("assessment snapshots")
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="snapshot_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · v{self.version}"

    def save(self, *args, **kwargs):
        """A snapshot is written once; afterwards only its publication (公示) is set, once."""
        if self.pk is not None:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= PUBLICATION_FIELDS:
                raise ValueError("A snapshot is never changed once taken, only published.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A snapshot is never deleted.")

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class SnapshotRow(models.Model):
    """One unit's frozen result: its total, its place in its peer group and its grade, and per
    rule (`rules`, a list in the scheme's order) the points, the formula with the unit's numbers
    and the ids of the records behind them, exactly as evaluations.scoring computed them."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="rows", verbose_name=_("snapshot")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    # The unit as it was when the snapshot was taken.
    unit_name = models.CharField(_("unit"), max_length=100)
    unit_code = models.CharField(_("code"), max_length=32)
    peer_group = models.CharField(_("peer group"), max_length=100)
    total = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    peers = models.PositiveIntegerField(_("units in the peer group"))
    grade = models.CharField(_("grade"), max_length=16, choices=AssessmentGrade.choices)
    rules = models.JSONField(_("points by rule"))

    class Meta:
        verbose_name = _("snapshot row")
        verbose_name_plural = _("snapshot rows")
        ordering = ["snapshot", "peer_group", "rank", "unit_code"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "unit"], name="snapshot_row_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} · {self.total}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A snapshot's row is never changed once taken.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A snapshot's row is never deleted.")


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class ScoreObjection(models.Model):
    """A unit's objection to its result in a published snapshot, filed during the window, with
    reasons and evidence files; answered by an admin of the organising unit."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="objections", verbose_name=_("snapshot")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="score_objections", verbose_name=_("unit")
    )
    reasons = models.TextField(_("reasons"), max_length=OBJECTION_MAX_LENGTH)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=16,
        choices=ObjectionOutcome.choices,
        default=ObjectionOutcome.PENDING,
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    correction = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="upheld_objections",
        verbose_name=_("corrected snapshot"),
    )

    class Meta:
        verbose_name = _("objection to a result")
        verbose_name_plural = _("objections to results")
        ordering = ["filed_at", "pk"]
        indexes = [models.Index(fields=["snapshot", "outcome"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.snapshot}"
