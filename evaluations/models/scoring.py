"""Assessment (考核): a campaign's scoring scheme — weighted rules, each with its parameters — and
the bonus and deduction items (加分 / 扣分) entered per unit, reviewed like a commitment set.

Draft scores are computed from the records (evaluations.scoring), kept for reading
(evaluations.models.draft_scores, replaced on each recompute) and frozen only in a snapshot
(evaluations.models.snapshots). A scheme is locked once a snapshot of
its campaign exists."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from campaigns.models import Campaign
from evaluations.models.commitments import Reviewed
from units.models import Unit

REASON_MAX_LENGTH = 2000


class RuleKind(models.TextChoices):
    TARGETS = "targets", _("Target completion")
    TIMELINESS = "timeliness", _("Reporting timeliness")
    REVIEW_QUALITY = "review_quality", _("Review quality (return rate)")
    COMMITMENTS = "commitments", _("Commitments kept")
    FOLLOW_UPS = "follow_ups", _("Follow-ups closed on time")
    APPRAISAL = "appraisal", _("Appraisal satisfaction")
    GRADES = "grades", _("Leader grades")
    ADJUSTMENTS = "adjustments", _("Bonus and deduction items")


class WithoutData(models.TextChoices):
    """How a unit with nothing to measure for a rule (no target, no rating …) is treated."""

    FULL = "full", _("Full points")
    ZERO = "zero", _("No points")
    EXCLUDED = "excluded", _("Rule left out, the other rules scaled up to the full total")


class PeerGrouping(models.TextChoices):
    """Which units are ranked against each other."""

    KIND_AND_DEPTH = "kind_depth", _("Same kind and depth")
    LINE_AND_DEPTH = "line_depth", _("Same line and depth")
    DEPTH = "depth", _("Same depth")
    ALL = "all", _("All units together")


class GradingMethod(models.TextChoices):
    THRESHOLDS = "thresholds", _("By points thresholds")
    SHARES = "shares", _("By shares of each peer group")


class AssessmentGrade(models.TextChoices):
    # 优秀 / 良好 / 一般 / 较差 (issue 14), not the comments' 好 / 较好 / 一般 / 差: own context.
    EXCELLENT = "excellent", pgettext_lazy("assessment grade", "Excellent")
    GOOD = "good", pgettext_lazy("assessment grade", "Good")
    FAIR = "fair", pgettext_lazy("assessment grade", "Fair")
    POOR = "poor", pgettext_lazy("assessment grade", "Poor")


class ScoringScheme(models.Model):
    """How a campaign's units are scored, ranked and graded. Edited by the admins of the
    campaign's organising unit; locked (`locked_at`) once a snapshot exists.

    Grades: by THRESHOLDS a unit's total points (out of 100) at or above `excellent_from` is
    excellent, at or above `good_from` good, at or above `fair_from` fair, else poor; by SHARES
    the first `excellent_share` % of a peer group (rounded down, at least one when the share is
    above 0) is excellent, the next `good_share` % good, the next `fair_share` % fair, the rest
    poor. Ties: equal totals are ordered by the tie-break rule stated in
    evaluations.scoring (`TIE_BREAK`), never by chance."""

    campaign = models.OneToOneField(
        Campaign,
        on_delete=models.CASCADE,
        related_name="scoring_scheme",
        verbose_name=_("campaign"),
    )
    peer_grouping = models.CharField(
        _("peer groups"),
        max_length=16,
        choices=PeerGrouping.choices,
        default=PeerGrouping.KIND_AND_DEPTH,
    )
    grading = models.CharField(
        _("grading"), max_length=16, choices=GradingMethod.choices, default=GradingMethod.THRESHOLDS
    )
    excellent_from = models.DecimalField(
        _("excellent from (points)"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    good_from = models.DecimalField(
        _("good from (points)"), max_digits=5, decimal_places=2, default=Decimal("75")
    )
    fair_from = models.DecimalField(
        _("fair from (points)"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    excellent_share = models.PositiveSmallIntegerField(
        _("excellent share (%)"), default=20, validators=[MaxValueValidator(100)]
    )
    good_share = models.PositiveSmallIntegerField(
        _("good share (%)"), default=40, validators=[MaxValueValidator(100)]
    )
    fair_share = models.PositiveSmallIntegerField(
        _("fair share (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return str(self.campaign)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ScoringRule(models.Model):
    """One weighted rule of a scheme: `weight` points out of the scheme's 100 (the weights of a
    scheme's rules other than ADJUSTMENTS add up to 100; ADJUSTMENTS' weight is the most its
    items may add or take away). `params` holds the rule's own parameters (evaluations.scoring
    says which and checks them); `without_data` how a unit with nothing to measure is treated."""

    scheme = models.ForeignKey(
        ScoringScheme, on_delete=models.CASCADE, related_name="rules", verbose_name=_("scheme")
    )
    kind = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices)
    weight = models.DecimalField(
        _("weight (points)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    without_data = models.CharField(
        _("a unit with nothing to measure"),
        max_length=16,
        choices=WithoutData.choices,
        default=WithoutData.EXCLUDED,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["scheme", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "kind"], name="scoring_rule_once")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Adjustment(Reviewed):
    """A bonus (points > 0) or deduction (points < 0) item for a unit in a campaign, with its
    reason and evidence files; it counts once approved, through the review every submission
    takes (evaluations.review). Entered by the unit's staff (a bonus they claim) or by an admin
    above it (a deduction)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("unit")
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("campaign")
    )
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)

    class Meta:
        verbose_name = _("bonus or deduction item")
        verbose_name_plural = _("bonus and deduction items")
        indexes = [
            models.Index(fields=["status", "waiting_since"]),
            models.Index(fields=["campaign", "unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.points:+}"
