"""Public commitments (公开承诺 → 践诺): a unit's set of commitments for a campaign, reviewed like
an activity and published once approved; each item's fulfilment report, reviewed the same way; the
public board through which anyone reads a unit's published commitments.

The review vocabulary (statuses, actions, which move is allowed) is the activities' own
(activities.models.Status, Action, TRANSITIONS) and the routing is units.routing's: one rule."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Action, Activity, Status
from campaigns.models import Campaign, TargetTask
from evaluations.models.appraisal import new_token
from units.models import Unit

PROMISE_MAX_LENGTH = 500
STATEMENT_MAX_LENGTH = 4000


class PublicBoard(models.Model):
    """A unit's public identity for the public pages (its commitment board, later its honours):
    an unguessable id, never the database key. Made on first use (evaluations.services)."""

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="public_board", verbose_name=_("unit")
    )
    public_id = models.CharField(_("public id"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("public board")
        verbose_name_plural = _("public boards")

    def __str__(self) -> str:
        return str(self.unit)


class Reviewed(models.Model):
    """What a reviewed submission holds: its status, where it waits, and when it moved."""

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    review_level = models.PositiveSmallIntegerField(_("review level"), default=0)
    review_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewing unit"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CommitmentSet(Reviewed):
    """A unit's commitments for one campaign, submitted and reviewed as one; published (shown on
    the unit's public board) once approved."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="commitment_sets", verbose_name=_("unit")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="commitment_sets",
        verbose_name=_("campaign"),
    )

    class Meta:
        verbose_name = _("commitment set")
        verbose_name_plural = _("commitment sets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "campaign"], name="commitment_set_once")
        ]
        indexes = [models.Index(fields=["status", "waiting_since"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    @property
    def is_published(self) -> bool:
        return self.status == Status.APPROVED


class Commitment(models.Model):
    """One item of a commitment set: what is promised, how it is measured, by when, and
    optionally the target task it serves. `fulfilled_at` is set when its fulfilment report is
    approved; `kept_on_time` says whether that report was first submitted by the due date."""

    set = models.ForeignKey(
        CommitmentSet, on_delete=models.CASCADE, related_name="items", verbose_name=_("set")
    )
    # Copied from the set so that figures per unit and campaign read one table.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    promise = models.TextField(_("what is promised"), max_length=PROMISE_MAX_LENGTH)
    measure = models.TextField(_("measure"), max_length=PROMISE_MAX_LENGTH)
    due_on = models.DateField(_("due"))
    task = models.ForeignKey(
        TargetTask,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("target task"),
    )
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    kept_on_time = models.BooleanField(_("kept on time"), null=True, blank=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["set", "position", "pk"]
        indexes = [models.Index(fields=["campaign", "unit", "due_on"])]

    def __str__(self) -> str:
        return self.promise[:60]

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfilled_at is not None


class FulfilmentReport(Reviewed):
    """A unit's report that a commitment is fulfilled (践诺): a statement, evidence files and the
    approved activities that fulfilled it. Returned reports are edited and resubmitted."""

    commitment = models.OneToOneField(
        Commitment,
        on_delete=models.CASCADE,
        related_name="report",
        verbose_name=_("commitment"),
    )
    statement = models.TextField(_("statement"), max_length=STATEMENT_MAX_LENGTH)
    activities = models.ManyToManyField(
        Activity, related_name="fulfilment_reports", blank=True, verbose_name=_("activities")
    )

    class Meta:
        verbose_name = _("fulfilment report")
        verbose_name_plural = _("fulfilment reports")
        indexes = [models.Index(fields=["status", "waiting_since"])]

    def __str__(self) -> str:
        return str(self.commitment)


class ReviewEvent(models.Model):
    """One transition of a commitment set, a fulfilment report or a bonus or deduction item:
    immutable once written."""

    commitment_set = models.ForeignKey(
        CommitmentSet, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    report = models.ForeignKey(
        FulfilmentReport, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    # A bonus or deduction item (evaluations.models.scoring.Adjustment), reviewed the same way.
    adjustment = models.ForeignKey(
        "evaluations.Adjustment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    level = models.PositiveSmallIntegerField(_("review level"), default=0)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(commitment_set__isnull=False, report__isnull=True, adjustment=None)
                | Q(commitment_set__isnull=True, report__isnull=False, adjustment=None)
                | Q(commitment_set__isnull=True, report__isnull=True, adjustment__isnull=False),
                name="review_event_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.get_action_display()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A review event is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A review event is never deleted.")
