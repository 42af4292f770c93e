"""Reads of honours (评选表彰): the rounds a user sees, an application as a user may see it, the
quota of a recommending unit for a category (`quota_for`, the one place that reads Quota rows)
and how much of it is used, the queue of applications waiting for the user's recommendation, a
unit's applications, and what is attached to an application automatically (the unit's assessment
result and its approved activities). Each list costs a constant number of queries."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import User
from activities.models import Activity, Status
from campaigns.models import Campaign
from campaigns.selectors import campaigns_visible_to
from evaluations.models import (
    Application,
    ApplicationStatus,
    HonourCategory,
    HonourRound,
    Quota,
    Recommendation,
    RecommendationAction,
    ReportFile,
    SnapshotRow,
)
from units.models import Unit
from units.scope import Scope

# The steps that spend a recommending unit's quota: passing an application on, or shortlisting
# it at the organising unit.
SPENDING = (RecommendationAction.RECOMMEND, RecommendationAction.SHORTLIST)
LATEST_ACTIVITIES = 5


# --- Rounds and categories -----------------------------------------------------------------------


def rounds_visible_to(who: User | Scope) -> QuerySet[HonourRound]:
    """The rounds of the campaigns the user sees (campaigns.selectors), newest first."""
    return (
        HonourRound.objects.filter(campaign__in=campaigns_visible_to(who))
        .select_related("campaign__unit")
        .order_by("-opens_on", "-pk")
    )


def round_for_user(who: User | Scope, pk: int) -> HonourRound:
    found = rounds_visible_to(who).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def categories() -> QuerySet[HonourCategory]:
    return HonourCategory.objects.filter(is_active=True).order_by("sort_order", "code")


def fits(category: HonourCategory, unit: Unit) -> bool:
    """May `unit` apply for (or nominate for) `category`: its line and kind are among the
    category's (an empty list means any)."""
    return (not category.lines or unit.line in category.lines) and (
        not category.unit_kinds or unit.kind in category.unit_kinds
    )


def categories_for(unit: Unit) -> list[HonourCategory]:
    return [category for category in categories() if fits(category, unit)]


# --- Quotas --------------------------------------------------------------------------------------


def _quota_rows(round_ids: Iterable[int]) -> dict[int, list[Quota]]:
    found: dict[int, list[Quota]] = defaultdict(list)
    for quota in Quota.objects.filter(round_id__in=sorted(set(round_ids))).order_by("pk"):
        found[quota.round_id].append(quota)
    return found


def _limits(rows: list[Quota], unit: Unit) -> dict[int, int]:
    """{category id: quota} of `unit` from a round's rows: the row for the unit itself, else the
    row for its kind, else the row for any unit (Quota's rule)."""
    best: dict[int, tuple[int, int]] = {}
    for quota in rows:
        if quota.unit_id is not None:
            rank = 3 if quota.unit_id == unit.pk else 0
        elif quota.unit_kind:
            rank = 2 if quota.unit_kind == unit.kind else 0
        else:
            rank = 1
        if rank and rank > best.get(quota.category_id, (0, 0))[0]:
            best[quota.category_id] = (rank, quota.count)
    return {category_id: count for category_id, (_rank, count) in best.items()}


def quota_for(honour_round: HonourRound, category: HonourCategory, unit: Unit) -> int | None:
    """How many applications of `category` `unit` may recommend in the round (None: no limit)."""
    return _limits(_quota_rows([honour_round.pk])[honour_round.pk], unit).get(category.pk)


def used_by(honour_round: HonourRound, unit: Unit) -> dict[int, int]:
    """{category id: how many applications of it `unit` has recommended (or shortlisted) in the
    round}: one query."""
    return dict(
        Recommendation.objects.filter(
            unit=unit, action__in=SPENDING, application__round=honour_round
        )
        .values_list("application__category_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


@dataclass(frozen=True)
class QuotaUse:
    category: HonourCategory
    limit: int | None
    used: int

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.used >= self.limit


def category_quota_use(honour_round: HonourRound, category: HonourCategory, unit: Unit) -> QuotaUse:
    """`unit`'s quota for `category` in the round and how much of it is used (quota_use, for one
    category): the page, the API and the recommendation read it the same way."""
    limit = quota_for(honour_round, category, unit)
    return QuotaUse(category, limit, used_by(honour_round, unit).get(category.pk, 0))


def quota_use(honour_round: HonourRound, unit: Unit) -> list[QuotaUse]:
    """Per active category, `unit`'s quota in the round and how much of it is used: three
    queries."""
    limits = _limits(_quota_rows([honour_round.pk])[honour_round.pk], unit)
    used = used_by(honour_round, unit)
    return [QuotaUse(c, limits.get(c.pk), used.get(c.pk, 0)) for c in categories()]


def quotas_of(honour_round: HonourRound) -> QuerySet[Quota]:
    return honour_round.quotas.select_related("category", "unit").order_by(
        "category__sort_order", "unit__path", "unit_kind", "pk"
    )


# --- Applications --------------------------------------------------------------------------------


def may_read(who: User | Scope, application: Application) -> bool:
    """Who sees an application: anyone who sees its unit — but a draft belongs to its unit until
    it is submitted (as an activity's does: activities.selectors.DRAFTS_HIDDEN), so the levels
    above do not see it, nor its files."""
    scope = Scope.of(who)
    if not scope.can_view(application.unit):
        return False
    return (
        application.status != ApplicationStatus.DRAFT
        or scope.superuser
        or application.unit_id in scope.unit_ids
    )


def applications_visible_to(who: User | Scope) -> QuerySet[Application]:
    """`may_read` as a query: the applications of the units the user sees, drafts only of the
    user's own units (a superuser's: all)."""
    scope = Scope.of(who)
    found = Application.objects.filter(scope.subtree_q("unit__path"))
    if not scope.superuser:
        found = found.filter(
            ~Q(status=ApplicationStatus.DRAFT) | Q(unit_id__in=sorted(scope.unit_ids))
        )
    return found


def application_for_user(who: User | Scope, pk: int) -> Application:
    """The application `pk` if the user may read it (may_read), else 404."""
    found = (
        Application.objects.select_related(
            "round__campaign__unit", "category", "unit", "waiting_unit", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None or not may_read(who, found):
        raise Http404
    return found


def applications_of_units(unit_ids: Iterable[int]) -> QuerySet[Application]:
    """The applications of these units (a staff member's own), newest round first."""
    return (
        Application.objects.filter(unit_id__in=sorted(set(unit_ids)))
        .select_related("round", "category", "unit", "waiting_unit")
        .order_by("-round__opens_on", "round_id", "category__sort_order", "pk")
    )


def applications_in_round(who: User | Scope, honour_round: HonourRound) -> QuerySet[Application]:
    """The round's applications of the units the user sees, drafts left out (they are their
    unit's own), by category and status."""
    actor = Scope.of(who)
    return (
        Application.objects.filter(round=honour_round)
        .filter(actor.subtree_q("unit__path"))
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("category", "unit", "waiting_unit")
        .order_by("category__sort_order", "status", "unit__path", "pk")
    )


def steps_of(application: Application) -> QuerySet[Recommendation]:
    return application.steps.select_related("unit", "actor").order_by("created_at", "pk")


def files_of(application: Application) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(application=application).order_by("created_at", "pk")


def recommended_by(honour_round: HonourRound, unit: Unit) -> QuerySet[Recommendation]:
    """What `unit` recommended (or shortlisted) in the round, by category and the rank it gave."""
    return (
        Recommendation.objects.filter(
            unit=unit, action__in=SPENDING, application__round=honour_round
        )
        .select_related("application__category", "application__unit")
        .order_by("application__category__sort_order", "rank", "created_at", "pk")
    )


# --- Attached automatically ----------------------------------------------------------------------


def assessment_of(unit: Unit, campaign: Campaign) -> SnapshotRow | None:
    """The unit's result in the campaign's latest published snapshot, if any."""
    return (
        SnapshotRow.objects.filter(
            unit=unit, snapshot__campaign=campaign, snapshot__published_at__isnull=False
        )
        .select_related("snapshot")
        .order_by("-snapshot__version")
        .first()
    )


def approved_activities(unit: Unit, campaign: Campaign) -> tuple[int, list[Activity]]:
    """How many approved activities the unit organised in the campaign, and the latest few."""
    found = Activity.objects.filter(unit=unit, campaign=campaign, status=Status.APPROVED)
    latest = list(found.order_by("-starts_on", "-pk")[:LATEST_ACTIVITIES])
    return (found.count() if len(latest) == LATEST_ACTIVITIES else len(latest)), latest


# --- Waiting for the user's recommendation -------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    application: Application
    quota: QuotaUse  # of the unit it waits on, for its category


def waiting_q(actor: Scope) -> Q:
    """Applications waiting where `actor` may recommend them (honour_services.may_recommend as
    a query): the routing's rule (a reviewer strictly above the unit and at or above the unit it
    waits on), narrowed to a reviewer on the unit it waits on; not the unit's own staff."""
    if actor.superuser:
        return Q(status=ApplicationStatus.WAITING) & ~Q(unit_id__in=sorted(actor.staff_unit_ids))
    return (
        Q(status=ApplicationStatus.WAITING)
        & actor.reviews_q(unit="unit", waiting_on="waiting_unit")
        & Q(waiting_unit__path__in=sorted(actor.reviewer_paths))
        & ~Q(unit_id__in=sorted(actor.staff_unit_ids))
    )


def waiting_for(who: User | Scope) -> list[Waiting]:
    """The applications waiting for the user's recommendation, oldest first, each with the
    quota of the unit it waits on: three queries, however many rows."""
    actor = Scope.of(who)
    if not actor.user.is_authenticated or not (actor.superuser or actor.reviewer_paths):
        return []
    applications = list(
        Application.objects.filter(waiting_q(actor))
        .select_related("round__campaign", "category", "unit", "waiting_unit")
        .order_by("waiting_since", "pk")
    )
    rows = _quota_rows(a.round_id for a in applications)
    pairs = {(a.round_id, a.waiting_unit_id) for a in applications}
    used: dict[tuple[int, int | None, int], int] = {}
    if pairs:
        spent = Q(pk__in=[])
        for round_id, unit_id in pairs:
            spent |= Q(application__round_id=round_id, unit_id=unit_id)
        for round_id, unit_id, category_id, n in (
            Recommendation.objects.filter(spent, action__in=SPENDING)
            .values_list("application__round_id", "unit_id", "application__category_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            used[(round_id, unit_id, category_id)] = n
    found = []
    for application in applications:
        waiting_on = application.waiting_unit
        limits = _limits(rows[application.round_id], waiting_on) if waiting_on else {}
        key = (application.round_id, application.waiting_unit_id, application.category_id)
        use = QuotaUse(application.category, limits.get(application.category_id), used.get(key, 0))
        found.append(Waiting(application, use))
    return found


def waiting_count(who: User | Scope) -> int:
    actor = Scope.of(who)
    if not actor.user.is_authenticated or not (actor.superuser or actor.reviewer_paths):
        return 0
    return Application.objects.filter(waiting_q(actor)).count()
