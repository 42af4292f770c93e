"""Leader comments (领导点评) and the follow-ups (整改) they may require.

A leader comments on a unit in their subtree — on the unit as a whole, one of its campaign's
target tasks, or one of its activities — with an optional grade that assessment uses. A comment
that requires a follow-up opens one with a due date: the unit's staff acknowledge it, report what
they did, and the leader closes it or sends it back with a reason. Every step is an event."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from campaigns.models import Campaign, TargetTask
from units.models import Unit

COMMENT_MAX_LENGTH = 2000
FOLLOW_UP_REPORT_MAX_LENGTH = 4000


class Grade(models.IntegerChoices):
    GOOD = 4, _("Good")
    FAIRLY_GOOD = 3, _("Fairly good")
    FAIR = 2, _("Fair")
    POOR = 1, _("Poor")


class LeaderComment(models.Model):
    """A leader's comment on `unit` in `campaign`: on a task, on an activity, or (neither) on
    the unit as a whole. Never edited once written."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="leader_comments", verbose_name=_("unit")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="leader_comments",
        verbose_name=_("campaign"),
    )
    task = models.ForeignKey(
        TargetTask,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leader_comments",
        verbose_name=_("target task"),
    )
    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leader_comments",
        verbose_name=_("activity"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="leader_comments",
        verbose_name=_("by"),
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=Grade.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("leader comment")
        verbose_name_plural = _("leader comments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=True) | Q(activity__isnull=True),
                name="leader_comment_one_subject",
            )
        ]
        indexes = [models.Index(fields=["unit", "campaign", "-created_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("To acknowledge")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPORTED = "reported", _("Reported")
    SENT_BACK = "sent_back", _("Sent back")
    CLOSED = "closed", _("Closed")


class FollowUpAction(models.TextChoices):
    REQUIRE = "require", _("Follow-up required")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    REPORT = "report", _("Reported")
    SEND_BACK = "send_back", _("Sent back")
    CLOSE = "close", _("Closed")


# The moves each follow-up action may make: action → (from statuses, to status).
FOLLOW_UP_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    FollowUpAction.ACKNOWLEDGE: (frozenset({FollowUpStatus.OPEN}), FollowUpStatus.ACKNOWLEDGED),
    FollowUpAction.REPORT: (
        frozenset({FollowUpStatus.OPEN, FollowUpStatus.ACKNOWLEDGED, FollowUpStatus.SENT_BACK}),
        FollowUpStatus.REPORTED,
    ),
    FollowUpAction.SEND_BACK: (frozenset({FollowUpStatus.REPORTED}), FollowUpStatus.SENT_BACK),
    FollowUpAction.CLOSE: (frozenset({FollowUpStatus.REPORTED}), FollowUpStatus.CLOSED),
}

OPEN_FOLLOW_UP_STATUSES = frozenset(
    {
        FollowUpStatus.OPEN,
        FollowUpStatus.ACKNOWLEDGED,
        FollowUpStatus.REPORTED,
        FollowUpStatus.SENT_BACK,
    }
)


class FollowUp(models.Model):
    """The follow-up (整改) a comment requires of its unit, due on `due_on` (a local date).
    `closed_on_time`: was it closed with its latest report made by the due date?"""

    comment = models.OneToOneField(
        LeaderComment, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("comment")
    )
    # Copied from the comment so that figures per unit and campaign read one table.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    report = models.TextField(
        _("what was done"), max_length=FOLLOW_UP_REPORT_MAX_LENGTH, blank=True
    )
    activities = models.ManyToManyField(
        Activity, related_name="follow_ups", blank=True, verbose_name=_("activities")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    send_back_reason = models.TextField(_("reason for sending back"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["campaign", "unit", "status"]),
            models.Index(fields=["status", "due_on"]),
            # The follow-ups awaiting a close, the longest waiting first (the leader's workbench
            # walks it and stops at its first few rows).
            models.Index(
                fields=["reported_at", "id"],
                condition=Q(status="reported"),
                name="followup_reported_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.comment)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FOLLOW_UP_STATUSES


class FollowUpEvent(models.Model):
    """One step of a follow-up: immutable once written."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=16, choices=FollowUpAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, choices=FollowUpStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=FollowUpStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.get_action_display()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A follow-up event is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A follow-up event is never deleted.")
