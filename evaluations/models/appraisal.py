"""Mass appraisal (群众评议): each unit's public appraisal link per campaign, the ratings the public
gives through it, and the figures kept from them.

A rating is never edited or deleted; an abusive remark is hidden with a reason, the rating kept.
The figures (`AppraisalTally`) are kept per unit and month by the service that writes a rating,
in the same transaction, and a subtree's figures are the sum of its units' tallies."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from units.models import Unit

REMARK_MAX_LENGTH = 300


def new_token() -> str:
    """An unguessable link token: 128 random bits, URL-safe (22 characters)."""
    return secrets.token_urlsafe(16)


class Verdict(models.IntegerChoices):
    SATISFIED = 3, _("Satisfied")
    BASICALLY_SATISFIED = 2, _("Basically satisfied")
    DISSATISFIED = 1, _("Dissatisfied")


class AppraisalLink(models.Model):
    """The public link through which anyone rates `unit` in `campaign`. Rotating it revokes this
    one (the old link stops working at once) and issues a new one."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="appraisal_links", verbose_name=_("unit")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="appraisal_links",
        verbose_name=_("campaign"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appraisal link")
        verbose_name_plural = _("appraisal links")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign"],
                condition=Q(revoked_at__isnull=True),
                name="appraisal_one_current_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"


class Rating(models.Model):
    """One member of the public's rating of a unit in a campaign. `device` is the hash of the
    rater's signed device cookie: one rating per device per unit per campaign."""

    link = models.ForeignKey(AppraisalLink, on_delete=models.PROTECT, related_name="ratings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ratings")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ratings")
    verdict = models.PositiveSmallIntegerField(_("rating"), choices=Verdict.choices)
    remark = models.TextField(_("remark"), max_length=REMARK_MAX_LENGTH, blank=True)
    device = models.CharField(max_length=64)
    created_at = models.DateTimeField(
        _("rated at"), default=timezone.now, editable=False, db_index=True
    )
    remark_hidden_at = models.DateTimeField(_("remark hidden at"), null=True, blank=True)
    remark_hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    remark_hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "device"], name="appraisal_one_rating_per_device"
            )
        ]
        indexes = [models.Index(fields=["unit", "campaign", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_verdict_display()}"

    @property
    def remark_hidden(self) -> bool:
        return self.remark_hidden_at is not None


class AppraisalTally(models.Model):
    """The ratings of one unit (itself, not its subtree) in one campaign and month, by verdict."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month, in the local time zone
    satisfied = models.PositiveIntegerField(default=0)
    basically_satisfied = models.PositiveIntegerField(default=0)
    dissatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "month"], name="appraisal_tally_unit_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.campaign_id} · {self.month:%Y-%m}"

    @classmethod
    def column_for(cls, verdict: int) -> str:
        return {
            Verdict.SATISFIED: "satisfied",
            Verdict.BASICALLY_SATISFIED: "basically_satisfied",
            Verdict.DISSATISFIED: "dissatisfied",
        }[Verdict(verdict)]
