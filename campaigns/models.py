from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.models import Line, Unit


class Campaign(models.Model):
    """A campaign period (活动周期), run by the admins of its organising unit and those above."""

    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organising unit"),
        help_text=_("The campaign covers this unit and every unit below it."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    review_deadline_days = models.PositiveSmallIntegerField(
        _("review deadline (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How many days a submission may wait for each review."),
    )
    review_levels = models.PositiveSmallIntegerField(
        _("review levels"),
        choices=[(1, _("One level")), (2, _("Two levels"))],
        default=1,
    )
    evidence_required = models.BooleanField(
        _("evidence required before submission"),
        default=False,
        help_text=_(
            "An activity can be submitted for review only with at least one evidence file."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A new random value in the transaction of every change to the campaign's targets and of every
    # move of a unit (campaigns.signals): the dashboards keep their sums of targets under it.
    # Random, not counted up, so that a rolled-back change's value never comes back.
    targets_version = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})

    def season(self, today: date | None = None) -> str:
        """Where the campaign stands: running now (activities are logged in it), finished (past
        its last day, or closed; its figures feed assessment and honours) or not begun."""
        today = today or timezone.localdate()
        if not self.is_active or today > self.ends_on:
            return Season.FINISHED
        if today < self.starts_on:
            return Season.UPCOMING
        return Season.RUNNING

    @staticmethod
    def running_q(today: date, field: str = "") -> Q:
        """`season(today) == RUNNING` as a filter, of the campaign at `field` (e.g. "campaign__"):
        a list of things to do now leaves out finished and future campaigns."""
        return Q(
            **{f"{field}is_active": True, f"{field}starts_on__lte": today},
            **{f"{field}ends_on__gte": today},
        )

    @property
    def tz(self) -> ZoneInfo:
        """The campaign's time zone: its days (the day a wait began, the day a review is due,
        campaigns.deadlines) are local days here. Every campaign is in the site's zone
        (settings.TIME_ZONE): the roll-ups keep their months and days in it (activities.rollups),
        and a zone of each campaign's own, changed after the fact, would leave them wrong."""
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def year(self) -> int:
        """The year the campaign is for — "2010 年党群共建创先争优" — the year it starts: its
        honours are that year's on the honour roll, whenever they are conferred."""
        return self.starts_on.year

    @property
    def season_label(self) -> str:
        return str(Season.LABELS[self.season()])


class Season:
    RUNNING, FINISHED, UPCOMING = "running", "finished", "upcoming"
    LABELS = {
        RUNNING: _("Running now: activities are logged in it"),
        FINISHED: _("Finished: for assessment and honours"),
        UPCOMING: _("Not begun yet"),
    }


class Phase(models.Model):
    """A stage of a campaign (动员部署 / 组织实施 / 总结表彰) with its deadline."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("campaign")
    )
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("starts on"))
    deadline = models.DateField(_("deadline"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_on", "deadline"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.deadline and self.deadline < self.starts_on:
            raise ValidationError({"deadline": _("The deadline cannot be before the start.")})


class Metric(models.TextChoices):
    ACTIVITIES = "activities", _("Approved activities")
    PARTICIPANTS = "participants", _("Participants")
    QUANTITY = "quantity", _("Quantity")


class TargetTask(models.Model):
    """A task in a campaign's catalogue (目标任务): what units of a line are asked to do."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("campaign")
    )
    code = models.CharField(_("code"), max_length=32)
    line = models.CharField(_("line"), max_length=16, choices=Line.choices)
    title = models.CharField(_("title"), max_length=100)
    programme = models.CharField(
        _("brand programme"),
        max_length=100,
        blank=True,
        help_text=_("The brand programme the task belongs to, e.g. 工人先锋号."),
    )
    description = models.TextField(_("description"), blank=True)
    metric = models.CharField(_("metric"), max_length=16, choices=Metric.choices)
    quantity_label = models.CharField(
        _("quantity unit"),
        max_length=20,
        blank=True,
        help_text=_("What the quantity counts, e.g. households or 10,000 yuan."),
    )
    is_required = models.BooleanField(
        _("required"), default=True, help_text=_("Required (规定动作) or optional (自选动作).")
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target task")
        verbose_name_plural = _("target tasks")
        ordering = ["line", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="task_unique_code"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.metric == Metric.QUANTITY and not self.quantity_label:
            raise ValidationError(
                {"quantity_label": _("Say what the quantity counts, e.g. households.")}
            )
        if self.metric != Metric.QUANTITY:
            self.quantity_label = ""

    @property
    def metric_label(self) -> str:
        """The metric in words, with the quantity's unit where it has one."""
        label = Metric(self.metric).label  # cheaper than get_metric_display, on every row
        if self.metric == Metric.QUANTITY:
            return _("%(metric)s (%(unit)s)") % {"metric": label, "unit": self.quantity_label}
        return str(label)


class Target(models.Model):
    """Unit × task → a value to reach by a date (指标). Progress is always against a target."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("unit")
    )
    task = models.ForeignKey(
        TargetTask, on_delete=models.PROTECT, related_name="targets", verbose_name=_("task")
    )
    value = models.DecimalField(
        _("target value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    due_on = models.DateField(_("due on"))
    is_override = models.BooleanField(
        _("set for this unit"),
        default=False,
        help_text=_("Set for this unit alone: a bulk assignment leaves it as it is."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["task__line", "task__sort_order", "task__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "task"], name="target_unique_unit_task"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.task}"
