import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, TargetTask
from units.models import Unit


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    WITHDRAW = "withdraw", _("Withdrawn")
    APPROVE = "approve", _("Approved")
    PASS_ON = "pass_on", _("Approved at level 1, passed to level 2")
    RETURN = "return", _("Returned")
    REOPEN = "reopen", _("Reopened")
    ESCALATE = "escalate", _("Escalated to the reviewers above")
    REROUTE = "reroute", _("Sent to the reviewers now responsible, after a unit move")


# The moves each action may make: action → (from statuses, to status). A level-1 approval in a
# two-level campaign stays "submitted" and moves the activity on to the next level's reviewers.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.SUBMIT: (frozenset({Status.DRAFT, Status.RETURNED}), Status.SUBMITTED),
    Action.WITHDRAW: (frozenset({Status.SUBMITTED}), Status.DRAFT),
    Action.PASS_ON: (frozenset({Status.SUBMITTED}), Status.SUBMITTED),
    Action.APPROVE: (frozenset({Status.SUBMITTED}), Status.APPROVED),
    Action.RETURN: (frozenset({Status.SUBMITTED}), Status.RETURNED),
    Action.REOPEN: (frozenset({Status.APPROVED}), Status.RETURNED),
    # Written by the reminder job when a submission waits past twice the review deadline: the
    # reviewers above are told, and the activity stays where it is.
    Action.ESCALATE: (frozenset({Status.SUBMITTED}), Status.SUBMITTED),
    # Written when a unit moves: its waiting submissions go to the reviewers now above it.
    Action.REROUTE: (frozenset({Status.SUBMITTED}), Status.SUBMITTED),
}

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.RETURNED})


class ParticipantGroup(models.TextChoices):
    PARTY_MEMBERS = "party_members", _("Party members")
    WORKERS = "workers", _("Workers")
    YOUTH = "youth", _("Youth")
    WOMEN = "women", _("Women")
    PUBLIC = "public", _("General public")


PARTICIPANT_FIELDS = {
    ParticipantGroup.PARTY_MEMBERS: "participants_party_members",
    ParticipantGroup.WORKERS: "participants_workers",
    ParticipantGroup.YOUTH: "participants_youth",
    ParticipantGroup.WOMEN: "participants_women",
    ParticipantGroup.PUBLIC: "participants_public",
}


# Well above any real activity, and small enough that five groups always fit the total's column.
MAX_PARTICIPANTS = 1_000_000


def _count_field(label):
    return models.PositiveIntegerField(
        label, default=0, validators=[MaxValueValidator(MAX_PARTICIPANTS)]
    )


class Activity(models.Model):
    """What a unit did (活动记录). Only approved activities count against targets."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="activities", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("unit")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities_created",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=150)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(
        _("until"), null=True, blank=True, help_text=_("For an activity over several days.")
    )
    place = models.CharField(_("place"), max_length=150, blank=True)
    tasks = models.ManyToManyField(
        TargetTask, related_name="activities", verbose_name=_("target tasks"), blank=True
    )
    participants_party_members = _count_field(_("party members"))
    participants_workers = _count_field(_("workers"))
    participants_youth = _count_field(_("youth"))
    participants_women = _count_field(_("women"))
    participants_public = _count_field(_("general public"))
    # The sum of the groups, stored so that totals are one indexed column.
    participants = models.PositiveIntegerField(_("participants"), default=0, editable=False)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    description = models.TextField(_("description"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

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
        help_text=_("Whose reviewers (or reviewers above them) act on the submission now."),
    )
    passed_on_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("passed on by"),
        help_text=_("Who approved the submission at level 1: another reviewer decides level 2."),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        _("first submitted at"),
        null=True,
        blank=True,
        help_text=_("Reporting timeliness compares this with the targets' due dates."),
    )
    waiting_since = models.DateTimeField(
        _("waiting since"),
        null=True,
        blank=True,
        help_text=_("When the current review level received it."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    counted_on_time = models.BooleanField(
        _("counted as reported on time"),
        null=True,
        blank=True,
        help_text=_("As the roll-ups counted it at approval, so a reopening takes back the same."),
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "waiting_since"]),
            # The activity list, newest first: pages walk this index backwards and filter on the
            # unit without reading the table. (Key columns rather than INCLUDE, which SQLite
            # lacks: `check` would warn.)
            models.Index(fields=["starts_on", "id", "unit"], name="activity_list_idx"),
            # Submissions waiting for review, oldest first (review queues, overdue counts): a
            # small partial index that answers their counts without reading the table (every
            # column a queue filters on, passed_on_by too).
            models.Index(
                fields=[
                    "waiting_since",
                    "id",
                    "review_unit",
                    "unit",
                    "campaign",
                    "created_by",
                    "passed_on_by",
                ],
                condition=models.Q(status="submitted"),
                name="activity_waiting_idx",
            ),
            # Issue 14's review quality (evaluations.scoring): a campaign's activities with their
            # units, read from the index alone to join their review decisions.
            models.Index(fields=["campaign", "id", "unit"], name="activity_campaign_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("An activity cannot end before it starts.")})
        self.participants = sum(getattr(self, f) or 0 for f in PARTICIPANT_FIELDS.values())

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ActivityEvent(models.Model):
    """One transition of an activity: immutable once written. The actor is empty for what the
    system did by itself (an escalation)."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="events", verbose_name=_("activity")
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
    on_time = models.BooleanField(
        _("within the review deadline"),
        null=True,
        blank=True,
        help_text=_("For a reviewer's decision: was it made within the campaign's deadline?"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    # For an approval: how many of the activity's evidence files carried a warning (a match with
    # earlier evidence, a capture date outside the activity's days) that the reviewer saw.
    # (db_default too: seed_bench loads events with COPY, naming only the columns it fills.)
    evidence_warnings = models.PositiveSmallIntegerField(
        _("evidence warnings"), default=0, db_default=0
    )

    class Meta:
        verbose_name = _("activity event")
        verbose_name_plural = _("activity events")
        ordering = ["created_at", "pk"]
        indexes = [
            # The returns behind a unit's review quality (evaluations.scoring.records_of): a few
            # per cent of the events, found by activity without reading the others.
            models.Index(
                fields=["activity"], condition=Q(action="return"), name="activity_return_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An activity event is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An activity event is never deleted.")


class CoOrganiserStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class CoOrganiser(models.Model):
    """Another unit named on an activity (组织共建、活动共抓). Once confirmed, the activity counts
    for that unit too, and once in any total that covers several of its units."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="coorganisers", verbose_name=_("activity")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="coorganised", verbose_name=_("unit")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CoOrganiserStatus.choices,
        default=CoOrganiserStatus.PENDING,
    )
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("co-organiser")
        verbose_name_plural = _("co-organisers")
        constraints = [
            models.UniqueConstraint(fields=["activity", "unit"], name="coorganiser_unique"),
        ]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.activity} · {self.unit}"


def _evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name: the user's file name is kept in `original_name`, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.activity_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file attached to an activity: served only through a view that checks the user's scope."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("activity")
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=255)
    # Made by a Celery task after the upload (activities.integrity.evidence_process), upright and
    # without the photo's metadata: `thumbnail` is the medium size, `thumbnail_small` the small.
    thumbnail = models.FileField(_("thumbnail"), blank=True, max_length=255)
    thumbnail_small = models.FileField(_("small thumbnail"), blank=True, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    # --- Integrity (activities.integrity), filled in by the same task ---------------------------
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
        help_text=_("The activity's campaign, stored here so that matches are looked up by index."),
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # The 64-bit perceptual hash (pHash) as a signed integer, and its four 16-bit bands.
    phash = models.BigIntegerField(_("perceptual hash"), null=True, blank=True)
    phash_b0 = models.IntegerField(null=True, blank=True, editable=False)
    phash_b1 = models.IntegerField(null=True, blank=True, editable=False)
    phash_b2 = models.IntegerField(null=True, blank=True, editable=False)
    phash_b3 = models.IntegerField(null=True, blank=True, editable=False)
    captured_at = models.DateTimeField(
        _("taken at"), null=True, blank=True, help_text=_("The photo's EXIF capture date.")
    )
    processed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    # Any warning (a match with earlier evidence, a capture date outside the activity's days):
    # kept so that leaders' counts of flagged evidence are one indexed column.
    flagged = models.BooleanField(_("flagged"), default=False, db_default=False)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "pk"]
        indexes = [
            # Near-duplicate lookup: each band an exact key within the campaign, with the hash
            # and id as key columns so that each band is answered from its index alone.
            *(
                models.Index(
                    fields=["campaign", f"phash_b{band}", "phash", "id"],
                    name=f"evidence_phash_b{band}_idx",
                )
                for band in range(4)
            ),
            models.Index(fields=["campaign", "sha256"], name="evidence_sha256_idx"),
            models.Index(fields=["processed_at", "id"], name="evidence_processed_idx"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class EvidenceMatch(models.Model):
    """Evidence that is the same file as (`exact`), or looks like (Hamming distance of the
    perceptual hashes), evidence of another activity in the campaign uploaded before it. Written
    by activities.integrity; shown to the reviewers of `evidence`'s activity."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="matches", verbose_name=_("evidence")
    )
    earlier = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="+", verbose_name=_("earlier evidence")
    )
    distance = models.PositiveSmallIntegerField(_("distance"))
    exact = models.BooleanField(_("same file"), default=False)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence match")
        verbose_name_plural = _("evidence matches")
        ordering = ["evidence", "distance", "earlier"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "earlier"], name="evidencematch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} ~ {self.earlier_id} ({self.distance})"


class TaskRollup(models.Model):
    """Approved figures of one unit's subtree for one task and month, kept up to date in the
    transaction of every approval and reopening (activities.rollups). An activity is counted once
    per unit however many of its organisers lie below it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(TargetTask, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    activities = models.IntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    quantity = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "task", "month"], name="taskrollup_unique"),
        ]
        # The dashboards sum a page's units' rows: covering, it is read without the table (an
        # index-only scan, half the time at a city's root). PostgreSQL only: elsewhere the unique
        # index serves (SQLite makes no index with `include`; the upserts name the unique one).
        indexes = [
            models.Index(
                fields=["unit", "task", "month"],
                include=["activities", "participants", "quantity"],
                name="taskrollup_figures_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.task_id} · {self.month:%Y-%m}"


class UnitRollup(models.Model):
    """Approved activities of one unit's subtree per month and line ("" = every line), each
    counted once whatever its number of tasks, with the timeliness counts; `reviews`,
    `reviews_on_time` and `returns` count reviewers' decisions (and those that returned the
    activity) in the month they were made."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    line = models.CharField(max_length=16, blank=True)
    activities = models.IntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    reported_on_time = models.IntegerField(default=0)
    reviews = models.IntegerField(default=0)
    reviews_on_time = models.IntegerField(default=0)
    returns = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "month", "line"], name="unitrollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.month:%Y-%m} · {self.line or '*'}"


class WaitingRollup(models.Model):
    """Submissions of one unit's subtree waiting for a review, by the (local) day their current
    wait began: "reviews overdue" sums the days before the deadline, without reading the
    activities of a whole subtree."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    submissions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "day"], name="waitingrollup_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.day:%Y-%m-%d}"
