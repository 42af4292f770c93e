"""Reads of activities, and who may do what to one. Every activity page, download and export starts
from `activities_visible_to`; the predicates below are the one place the workflow's permissions
live, and the services check them again under the row lock.

- Anyone with a membership on a unit sees the activities of that unit's subtree, and those that a
  unit in that subtree co-organises — except drafts: a draft belongs to its unit until it is
  submitted, and only the members of its unit and of the units named as its co-organisers see it
  (`DRAFTS_HIDDEN`).
- Staff of the organising unit create, edit, submit and withdraw (before any review).
- A submission waits on a *reviewing unit*: the nearest unit above the organiser that has
  reviewers (for level 2, the nearest above level 1's). Reviewers on that unit or any unit above
  it may approve, return, or (once approved) reopen it — decided from the tree as it is now: the
  reviewer's unit must still be above the organiser (Actor.reviews_for, reviewable_q).
- Staff of a co-organising unit confirm or decline it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from activities.models import Action, Activity, CoOrganiser, CoOrganiserStatus, Status
from campaigns import deadlines
from units.models import Role, Unit
from units.selectors import held_memberships, pairs_of, subtree_q


@dataclass
class Actor:
    """A user's memberships, loaded once per request so that every row's permissions are decided
    in memory."""

    user: User
    superuser: bool = False
    paths: set[str] = field(default_factory=set)
    unit_ids: set[int] = field(default_factory=set)  # the units of the memberships themselves
    staff_unit_ids: set[int] = field(default_factory=set)
    reviewer_paths: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, user: User) -> "Actor":
        actor = cls(user=user)
        if not user.is_authenticated or not user.is_active:
            return actor
        actor.superuser = user.is_superuser
        for role, unit_id, path in held_memberships(user):
            actor.paths.add(path)
            actor.unit_ids.add(unit_id)
            if role == Role.STAFF:
                actor.staff_unit_ids.add(unit_id)
            elif role == Role.REVIEWER:
                actor.reviewer_paths.add(path)
        return actor

    def is_staff_of(self, unit_id: int) -> bool:
        return unit_id in self.staff_unit_ids

    def reviews_for(self, activity: Activity) -> bool:
        """May act as a reviewer on `activity`, judged from the tree as it is now: a reviewer
        membership on a unit strictly above the activity's unit *and* at or above the unit it
        waits on. Paths are rewritten when a unit moves, so a reviewer the unit has moved away
        from is refused even before its submissions are re-routed (services.submissions_reroute).
        """
        if self.superuser:
            return True
        review_unit = activity.review_unit
        if review_unit is None:
            return False
        below = activity.unit.path
        return any(
            below.startswith(path) and below != path and review_unit.path.startswith(path)
            for path in self.reviewer_paths
        )


# Units above a draft's own do not see it: it is its unit's until submitted.
DRAFTS_HIDDEN = ~Q(status=Status.DRAFT)


def _own(actor: Actor) -> Q:
    """Activities of the actor's own units, or naming one of them as a co-organiser: drafts too."""
    named = CoOrganiser.objects.filter(unit_id__in=actor.unit_ids).values("activity_id")
    return Q(unit_id__in=actor.unit_ids) | Q(pk__in=named)


def activities_visible_to(user: User) -> QuerySet[Activity]:
    actor = user if isinstance(user, Actor) else Actor.of(user)
    if actor.superuser:
        return Activity.objects.all()
    coorganised = CoOrganiser.objects.filter(
        subtree_q(actor.paths, field="unit__path"), activity=OuterRef("pk")
    )
    in_subtree = subtree_q(actor.paths, field="unit__path") | Q(Exists(coorganised))
    return Activity.objects.filter((in_subtree & DRAFTS_HIDDEN) | _own(actor))


def activity_for_user(user: User, pk: int) -> Activity:
    """The activity `pk` if `user` may see it, else 404."""
    queryset = activities_visible_to(user).select_related("unit", "campaign", "review_unit")
    return get_object_or_404(queryset, pk=pk)


def can_edit(actor: Actor, activity: Activity) -> bool:
    return activity.is_editable and actor.is_staff_of(activity.unit_id)


def can_submit(actor: Actor, activity: Activity) -> bool:
    return can_edit(actor, activity)


def can_withdraw(actor: Actor, activity: Activity) -> bool:
    """Before any reviewer has acted on it: a level-1 approval in a two-level campaign counts."""
    return (
        activity.status == Status.SUBMITTED
        and activity.review_level == 1
        and actor.is_staff_of(activity.unit_id)
    )


def is_own(actor: Actor, activity: Activity) -> bool:
    """Written by the actor, or by a unit the actor reports for — the organiser or a co-organiser
    that has not declined, for which the activity counts once approved: never theirs to review.
    (notifications.rules applies the same rule in bulk.)"""
    if actor.user.pk == activity.created_by_id or actor.is_staff_of(activity.unit_id):
        return True
    if not actor.staff_unit_ids:
        return False
    return bool(coorganising_unit_ids(activity) & actor.staff_unit_ids)


def coorganising_unit_ids(activity: Activity) -> set[int]:
    """The co-organisers named on `activity` that have not declined (from a prefetch of
    `coorganisers` when there is one)."""
    cached = getattr(activity, "_prefetched_objects_cache", {}).get("coorganisers")
    if cached is not None:
        return {c.unit_id for c in cached if c.status != CoOrganiserStatus.DECLINED}
    return set(
        CoOrganiser.objects.filter(activity_id=activity.pk)
        .exclude(status=CoOrganiserStatus.DECLINED)
        .values_list("unit_id", flat=True)
    )


def is_reviewer_of(actor: Actor, activity: Activity) -> bool:
    """Among those who review the activity where it was last sent (its reviewing unit's reviewers
    or those above them), and not its own unit's: who may approve, return or reopen it, and who
    sees the warnings on its evidence (activities.integrity)."""
    return actor.reviews_for(activity) and not is_own(actor, activity)


def passed_on_by(actor: Actor, activity: Activity) -> bool:
    """Whether this reviewer passed the current submission on from level 1: the same person may
    not approve it again at level 2 (one query, only for a submission past level 1)."""
    if activity.status != Status.SUBMITTED or activity.review_level <= 1:
        return False
    return activity.events.filter(
        action=Action.PASS_ON, actor=actor.user, created_at__gte=activity.submitted_at
    ).exists()


def can_review(actor: Actor, activity: Activity) -> bool:
    return (
        activity.status == Status.SUBMITTED
        and is_reviewer_of(actor, activity)
        and not passed_on_by(actor, activity)
    )


def can_reopen(actor: Actor, activity: Activity) -> bool:
    return activity.status == Status.APPROVED and is_reviewer_of(actor, activity)


def can_respond(actor: Actor, coorganiser: CoOrganiser) -> bool:
    return coorganiser.status == CoOrganiserStatus.PENDING and actor.is_staff_of(
        coorganiser.unit_id
    )


def reviewable_q(reviewer_paths: Iterable[str]) -> Q:
    """Activities that reviewers on these units may act on (Actor.reviews_for, as a query):
    the activity's unit strictly below one of them, and its reviewing unit at or below it."""
    query = Q(pk__in=[])
    for path in set(reviewer_paths):
        query |= (
            Q(unit__path__startswith=path)
            & ~Q(unit__path=path)
            & Q(review_unit__path__startswith=path)
        )
    return query


def review_queue(who: User | Actor) -> QuerySet[Activity]:
    """Submissions waiting on a reviewing unit at or below one of the user's reviewer units,
    oldest first."""
    actor = who if isinstance(who, Actor) else Actor.of(who)
    queryset = Activity.objects.filter(status=Status.SUBMITTED)
    if not actor.superuser:
        queryset = queryset.filter(reviewable_q(actor.reviewer_paths))
    # Never one's own (see is_own): those are not the reviewer's to act on.
    queryset = queryset.exclude(created_by=actor.user).exclude(unit_id__in=actor.staff_unit_ids)
    if actor.staff_unit_ids:
        coorganising = CoOrganiser.objects.filter(
            activity=OuterRef("pk"), unit_id__in=actor.staff_unit_ids
        ).exclude(status=CoOrganiserStatus.DECLINED)
        queryset = queryset.exclude(Exists(coorganising))
    return queryset.select_related("unit", "campaign", "created_by").order_by("waiting_since", "pk")


def unit_activities(unit: Unit) -> QuerySet[Activity]:
    """The activities a unit organises or has been named on as a co-organiser."""
    named = CoOrganiser.objects.filter(unit=unit, activity=OuterRef("pk"))
    return Activity.objects.filter(Q(unit=unit) | Q(Exists(named)))


def credited_to(unit: Unit) -> Q:
    """The activities that count for `unit`: organised by it, or co-organised with its confirmed
    answer — as the dashboards' roll-ups and activities.progress count them. A pending or
    declined co-organiser is listed with the activity but nothing of it counts for them."""
    confirmed = CoOrganiser.objects.filter(
        unit=unit, activity=OuterRef("pk"), status=CoOrganiserStatus.CONFIRMED
    )
    return Q(unit=unit) | Q(Exists(confirmed))


def days_waiting(activity: Activity, today: date) -> int | None:
    """Whole days the submission has waited by `today`, the campaign's local date (in UTC, a
    submission made before 08:00 in Shanghai would be dated a day early)."""
    if activity.waiting_since is None:
        return None
    return deadlines.days_waited(activity.waiting_since, activity.campaign, today)


def coorganiser_choices(unit: Unit) -> QuerySet[Unit]:
    """The units an activity of `unit` may name as co-organisers — the one rule for the form and
    the service: the other active units directly under the same parent (a committee's branches
    and the mass organisations it leads; not the parent itself, nor units further down), and the
    unit's co-building pairs. A unit at the top has no siblings, only pairs."""
    paired = set()
    for pair in pairs_of(unit):
        paired.add(pair.first_id if pair.second_id == unit.pk else pair.second_id)
    siblings = (
        Q(path__startswith=unit.parent_path, depth=unit.depth) if unit.parent_path else Q(pk__in=[])
    )
    return (
        Unit.objects.filter(siblings | Q(pk__in=paired), is_active=True)
        .exclude(pk=unit.pk)
        .order_by("path")
    )


# --- Long lists and exports: the scope shaped for a million activities -------------------------
# For dashboards:activities and its exports: the same rows as activities_visible_to, in SQL
# shaped so that PostgreSQL can walk an index instead of sorting a million rows.

# A subtree this small is passed to the database as lists of ids, so that the planner can read its
# few activities through the unit index and sort them, instead of walking the whole date order.
NARROW_UNITS = 100
NARROW_COORGANISED = 2000


@dataclass(frozen=True)
class Scope:
    """A condition on activities, and whether it matches few enough of them (a small subtree)
    that reading them all and sorting beats walking the date order until a page is full.

    The condition names only the activity's own columns (unit_id, id), with subqueries for the
    rest and no join, so that PostgreSQL can filter while walking an index on (starts_on, id,
    unit_id) without reading the table, and stop after one page."""

    q: Q
    narrow: bool


def _scope(paths, coorganisers: QuerySet[CoOrganiser]) -> Scope:
    """Activities organised by a unit under `paths`, or co-organised (per `coorganisers`) by one."""
    units = Unit.objects.filter(subtree_q(paths))
    unit_ids = list(units.values_list("pk", flat=True)[: NARROW_UNITS + 1])
    if len(unit_ids) > NARROW_UNITS:
        named = coorganisers.filter(unit__in=units.values("pk")).values("activity_id")
        return Scope(Q(unit_id__in=units.values("pk")) | Q(pk__in=named), narrow=False)
    named_ids = coorganisers.filter(unit_id__in=unit_ids).values_list("activity_id", flat=True)
    activity_ids = list(named_ids[: NARROW_COORGANISED + 1])
    if len(activity_ids) > NARROW_COORGANISED:
        return Scope(Q(unit_id__in=unit_ids) | Q(pk__in=named_ids), narrow=False)
    return Scope(Q(unit_id__in=unit_ids) | Q(pk__in=activity_ids), narrow=True)


def visible_scope(actor: Actor) -> Scope:
    """activities_visible_to as a Scope, in two to four small queries."""
    if actor.superuser:
        return Scope(Q(), narrow=False)
    if not actor.paths:
        return Scope(Q(pk__in=[]), narrow=True)
    own = list(
        CoOrganiser.objects.filter(unit_id__in=actor.unit_ids).values_list("activity_id", flat=True)
    )
    own_q = Q(unit_id__in=sorted(actor.unit_ids)) | Q(pk__in=own)
    if not Unit.objects.filter(depth=1).exclude(path__in=actor.paths).exists():
        # A member at every root sees everything but other units' drafts.
        return Scope(DRAFTS_HIDDEN | own_q, narrow=False)
    scope = _scope(actor.paths, CoOrganiser.objects.all())
    return Scope((scope.q & DRAFTS_HIDDEN) | own_q, narrow=scope.narrow)


def subtree_scope(unit: Unit) -> Scope:
    """Activities organised in `unit`'s subtree, or co-organised by a unit there that has not
    declined: a unit filter over an already scoped list."""
    return _scope([unit.path], CoOrganiser.objects.exclude(status=CoOrganiserStatus.DECLINED))
