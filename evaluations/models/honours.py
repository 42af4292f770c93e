"""Honours (评选表彰): the categories of honour, a campaign's honours round with its quotas, the
applications (a unit for itself, or a person it nominates) recommended level by level through the
review routing (units.routing), the public notice of the shortlist (公示) with the objections
anyone may send, and the honours finally conferred — the public honour roll.

An application waits on a unit (`waiting_unit`) as a submission does; that level recommends it
(it moves on to the next level, within the level's quota) or declines it with a reason. At the
round's organising unit a recommendation puts it on the shortlist."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign
from evaluations.models.appraisal import new_token
from units.models import Unit

CASE_MAX_LENGTH = 3000
SUMMARY_MAX_LENGTH = 300
HONOUR_OBJECTION_MAX_LENGTH = 2000


class HonourKind(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class HonourCategory(models.Model):
    """An honour that may be conferred (先进基层党组织, 工人先锋号, 优秀共产党员 …): collective or
    individual, and the lines (units.models.Line values) and unit kinds (UnitKind values) of
    the units that may apply for it or nominate for it; empty lists mean any."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=HonourKind.choices)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    unit_kinds = models.JSONField(_("unit kinds"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("honour category")
        verbose_name_plural = _("honour categories")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class HonourRound(models.Model):
    """A campaign's honours round: applications open from `opens_on` to `closes_on`; the shortlist
    is published (公示) for `publicity_days` working days (`publicity_ends_on` its last day); the
    decision (document number and date) commends the shortlisted applications."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="honour_rounds", verbose_name=_("campaign")
    )
    title = models.CharField(_("title"), max_length=100)
    opens_on = models.DateField(_("applications open on"))
    closes_on = models.DateField(_("applications close on"))
    publicity_days = models.PositiveSmallIntegerField(_("notice period (working days)"), default=5)
    public_id = models.CharField(_("public id"), max_length=64, unique=True, default=new_token)
    published_at = models.DateTimeField(_("shortlist published at"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("objections until"), null=True, blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("honours round")
        verbose_name_plural = _("honours rounds")
        ordering = ["-opens_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Quota(models.Model):
    """How many applications of `category` a recommending unit may recommend upwards in `round`:
    the row for that very unit if there is one, else the row for its kind (`unit_kind`), else the
    row for any unit (both empty). No row: no limit."""

    round = models.ForeignKey(
        HonourRound, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("round")
    )
    category = models.ForeignKey(
        HonourCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("honour")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recommending unit"),
    )
    unit_kind = models.CharField(_("recommending unit kind"), max_length=32, blank=True)
    count = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "category", "unit", "unit_kind"],
                nulls_distinct=False,
                name="quota_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.count}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WAITING = "waiting", _("Waiting for a recommendation")
    DECLINED = "declined", _("Declined")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    COMMENDED = "commended", _("Commended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A unit's application (自愿申报) in a round: for itself (a collective honour) or for a person
    it nominates (`person_name`, `person_post`; a person need not be a user). `registration` holds
    the registration form's fields (登记表), `case` the 事迹材料 and `summary` the few lines shown
    on the honour roll. While WAITING it waits on `waiting_unit` at `level` (1 the nearest level
    above the unit)."""

    round = models.ForeignKey(
        HonourRound, on_delete=models.PROTECT, related_name="applications", verbose_name=_("round")
    )
    category = models.ForeignKey(
        HonourCategory,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("honour"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="applications", verbose_name=_("unit")
    )
    person_name = models.CharField(_("name"), max_length=50, blank=True)
    person_post = models.CharField(_("post"), max_length=100, blank=True)
    registration = models.JSONField(_("registration form"), default=dict, blank=True)
    case = models.TextField(_("case (事迹材料)"), max_length=CASE_MAX_LENGTH)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    waiting_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("waiting on"),
    )
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    decline_reason = models.TextField(_("reason declined"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("honour application")
        verbose_name_plural = _("honour applications")
        ordering = ["round", "category", "pk"]
        indexes = [
            models.Index(fields=["status", "waiting_unit"]),
            models.Index(fields=["round", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.nominee}"

    @property
    def nominee(self) -> str:
        return self.person_name or self.unit.name


class RecommendationAction(models.TextChoices):
    SUBMIT = "submit", _("Applied")
    WITHDRAW = "withdraw", _("Withdrawn")
    RECOMMEND = "recommend", _("Recommended")
    DECLINE = "decline", _("Declined")
    SHORTLIST = "shortlist", _("Shortlisted")
    COMMEND = "commend", _("Commended")
    REROUTE = "reroute", _("Sent to the level now responsible, after a unit move")


class Recommendation(models.Model):
    """One step of an application: who acted, at which unit and level, with the rank that level
    gave it among its recommendations and the reason. Immutable once written."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="steps", verbose_name=_("application")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"), default=0)
    action = models.CharField(_("action"), max_length=16, choices=RecommendationAction.choices)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("recommendation step")
        verbose_name_plural = _("recommendation steps")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["unit", "action"])]

    def __str__(self) -> str:
        return self.get_action_display()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A recommendation step is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A recommendation step is never deleted.")


class HonourObjection(models.Model):
    """An objection anyone may send about a shortlisted application during the notice period:
    anonymous allowed, `contact` optional and never shown publicly; stored as text. Answered by
    an admin of the organising unit before the round can be decided. `public_id` addresses the
    objector's own page (its status and answer), the link they keep after sending it."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("objection"), max_length=HONOUR_OBJECTION_MAX_LENGTH)
    name = models.CharField(_("name"), max_length=50, blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    public_id = models.CharField(_("public id"), max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = _("objection to a nominee")
        verbose_name_plural = _("objections to nominees")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["application", "answered_at"])]

    def __str__(self) -> str:
        return str(self.application)


class Honour(models.Model):
    """An honour conferred (表彰): the commended application, frozen as it was commended — what
    the public honour roll and the certificate (荣誉证书) show. `year` is its round's (the
    campaign's year, whenever the decision was taken); `number` is the certificate's, numbered in
    the decision's year (evaluations.honour_roll_services)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="honour")
    category = models.ForeignKey(HonourCategory, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    line = models.CharField(_("line"), max_length=16)
    name = models.CharField(_("commended"), max_length=100)
    unit_name = models.CharField(_("unit"), max_length=100)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX_LENGTH)
    document_number = models.CharField(_("document number"), max_length=100)
    conferred_on = models.DateField(_("conferred on"))
    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    public_id = models.CharField(_("public id"), max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-year", "category", "name"]
        constraints = [
            models.CheckConstraint(condition=~Q(document_number=""), name="honour_has_document")
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.name}"
