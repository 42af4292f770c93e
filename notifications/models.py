from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    """Why a notification was sent. Each rule is a job or a transition (notifications.rules)."""

    SUBMITTED = "submitted", _("New submissions to review")
    RETURNED = "returned", _("Activity returned")
    TARGET_DUE = "target_due", _("Target due soon")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    REVIEW_ESCALATED = "review_escalated", _("Review escalated")
    RETURN_UNFIXED = "return_unfixed", _("Returned activity not resubmitted")
    COORGANISER_UNANSWERED = "coorganiser_unanswered", _("Co-organiser has not answered")
    PHASE_DEADLINE = "phase_deadline", _("Phase deadline approaching")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    COMMITMENTS_SUBMITTED = "commitments_submitted", _("Commitments to review")
    COMMITMENTS_RETURNED = "commitments_returned", _("Commitments returned")
    FULFILMENT_SUBMITTED = "fulfilment_submitted", _("Fulfilment report to review")
    FULFILMENT_RETURNED = "fulfilment_returned", _("Fulfilment report returned")
    COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")
    FOLLOW_UP_REQUIRED = "follow_up_required", _("Follow-up required")
    FOLLOW_UP_REPORTED = "follow_up_reported", _("Follow-up reported")
    FOLLOW_UP_SENT_BACK = "follow_up_sent_back", _("Follow-up sent back")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")
    # Issue 14: scores, assessment notices (公示) and honours (notifications.issue14).
    ADJUSTMENT_SUBMITTED = "adjustment_submitted", _("Bonus or deduction item to review")
    ADJUSTMENT_APPROVED = "adjustment_approved", _("Bonus or deduction item approved")
    ADJUSTMENT_RETURNED = "adjustment_returned", _("Bonus or deduction item returned")
    SNAPSHOT_PUBLISHED = "snapshot_published", _("Assessment result published")
    SCORE_OBJECTION_FILED = "score_objection_filed", _("Objection to a result")
    SCORE_OBJECTION_ANSWERED = "score_objection_answered", _("Objection answered")
    SNAPSHOT_WINDOW_CLOSING = "snapshot_window_closing", _("Objections unanswered, notice ends")
    HONOUR_WAITING = "honour_waiting", _("Honour application to recommend")
    HONOUR_DECLINED = "honour_declined", _("Honour application declined")
    HONOUR_WINDOW_CLOSING = "honour_window_closing", _("Honour applications close soon")
    SHORTLIST_PUBLISHED = "shortlist_published", _("Honours shortlist published")
    HONOUR_OBJECTION_SENT = "honour_objection_sent", _("Objection to a nominee")
    HONOUR_NOTICE_UNANSWERED = "honour_notice_unanswered", _("Nominee objections unanswered")
    HONOUR_COMMENDED = "honour_commended", _("Commended")


class EmailState(models.TextChoices):
    PENDING = "pending", _("To be e-mailed")
    SENDING = "sending", _("Being e-mailed")
    SENT = "sent", _("E-mailed")
    IN_DIGEST = "in_digest", _("For the daily digest")
    IN_APP = "in_app", _("In the app only")


class Notification(models.Model):
    """One notice to one person, written once: the unique (rule, recipient, subject, period) is the
    claim that makes a rerun, a second beat or a retried task a no-op."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    rule = models.CharField(_("rule"), max_length=32, choices=Rule.choices)
    subject = models.CharField(
        _("subject"), max_length=64, help_text=_("What it is about, e.g. activity:12.")
    )
    period = models.CharField(
        _("period"), max_length=32, help_text=_("Which occurrence, e.g. a date or a week.")
    )
    link = models.CharField(_("link"), max_length=255, blank=True)
    context = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=16, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_claimed_at = models.DateTimeField(_("e-mail claimed at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "recipient", "subject", "period"], name="notification_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_state", "email_claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} → {self.recipient}"


class DigestDelivery(models.Model):
    """A user's daily e-mail digest for one day, claimed once like a notification."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    state = models.CharField(max_length=16, choices=EmailState.choices, default=EmailState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.day}"
