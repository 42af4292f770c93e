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
  reviewer's unit must still be above the organiser (units.routing.may_review, and as a query
  units.scope.Scope.reviews_q).
- Staff of a co-organising unit confirm or decline it.

Who the user is to each unit (their roles, their own units, the superuser rule) comes from
units.scope.Scope, built once per request; who reviews where, from units.routing.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from activities.models import (
    Activity,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
)
from campaigns import deadlines
from units.models import Unit
from units.routing import may_review
from units.scope import Scope, subtree_q
from units.selectors import pairs_of

# Units above a draft's own do not see it: it is its unit's until submitted.
DRAFTS_HIDDEN = ~Q(status=Status.DRAFT)


def _visible(in_subtree: Q, own: Q) -> Q:
    """The one rule of what a member sees: the activities of (or co-organised in) the subtrees
    under their units but not others' drafts, and everything of their own units."""
    return (in_subtree & DRAFTS_HIDDEN) | own


def _own(scope: Scope) -> Q:
    """Activities of the user's own units, or naming one of them as a co-organiser: drafts too."""
    named = CoOrganiser.objects.filter(unit_id__in=scope.unit_ids).values("activity_id")
    return Q(unit_id__in=scope.unit_ids) | Q(pk__in=named)


def activities_visible_to(who: User | Scope) -> QuerySet[Activity]:
    scope = Scope.of(who)
    if scope.superuser:
        return Activity.objects.all()
    coorganised = CoOrganiser.objects.filter(
        scope.subtree_q(field="unit__path"), activity=OuterRef("pk")
    )
    in_subtree = scope.subtree_q(field="unit__path") | Q(Exists(coorganised))
    return Activity.objects.filter(_visible(in_subtree, _own(scope)))


def activity_for_user(user: User | Scope, pk: int) -> Activity:
    """The activity `pk` if `user` may see it, else 404."""
    queryset = activities_visible_to(user).select_related("unit", "campaign", "review_unit")
    return get_object_or_404(queryset, pk=pk)


def can_edit(actor: Scope, activity: Activity) -> bool:
    return activity.is_editable and actor.is_staff_of(activity.unit_id)


def can_submit(actor: Scope, activity: Activity) -> bool:
    return can_edit(actor, activity)


def can_withdraw(actor: Scope, activity: Activity) -> bool:
    """Before any reviewer has acted on it: a level-1 approval in a two-level campaign counts."""
    return (
        activity.status == Status.SUBMITTED
        and activity.review_level == 1
        and actor.is_staff_of(activity.unit_id)
    )


def is_own(actor: Scope, activity: Activity) -> bool:
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


def is_reviewer_of(actor: Scope, activity: Activity) -> bool:
    """Among those who review the activity where it was last sent (its reviewing unit's reviewers
    or those above them), and not its own unit's: who may approve, return or reopen it, and who
    sees the warnings on its evidence (activities.integrity)."""
    return may_review(actor, activity.unit, activity.review_unit) and not is_own(actor, activity)


def passed_on_by(actor: Scope, activity: Activity) -> bool:
    """Whether this reviewer passed the current submission on from level 1: the same person may
    not approve it again at level 2 (kept on the submission by the services' every move)."""
    return (
        activity.status == Status.SUBMITTED
        and activity.review_level > 1
        and activity.passed_on_by_id is not None
        and activity.passed_on_by_id == actor.user.pk
    )


def can_review(actor: Scope, activity: Activity) -> bool:
    return (
        activity.status == Status.SUBMITTED
        and is_reviewer_of(actor, activity)
        and not passed_on_by(actor, activity)
    )


def can_reopen(actor: Scope, activity: Activity) -> bool:
    return activity.status == Status.APPROVED and is_reviewer_of(actor, activity)


def can_respond(actor: Scope, coorganiser: CoOrganiser) -> bool:
    return coorganiser.status == CoOrganiserStatus.PENDING and actor.is_staff_of(
        coorganiser.unit_id
    )


def review_queue(who: User | Scope) -> QuerySet[Activity]:
    """Submissions waiting on a reviewing unit at or below one of the user's reviewer units,
    oldest first."""
    actor = Scope.of(who)
    queryset = Activity.objects.filter(status=Status.SUBMITTED)
    if not actor.superuser:
        queryset = queryset.filter(actor.reviews_q(unit="unit", waiting_on="review_unit"))
    # Never one's own (see is_own): those are not the reviewer's to act on.
    queryset = queryset.exclude(created_by=actor.user).exclude(unit_id__in=actor.staff_unit_ids)
    # Nor one this reviewer passed on from level 1 (passed_on_by): another must decide level 2.
    queryset = queryset.exclude(passed_on_by=actor.user)
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
class Narrowed:
    """A condition on activities, and whether it matches few enough of them (a small subtree)
    that reading them all and sorting beats walking the date order until a page is full.

    The condition names only the activity's own columns (unit_id, id), with subqueries for the
    rest and no join, so that PostgreSQL can filter while walking an index on (starts_on, id,
    unit_id) without reading the table, and stop after one page."""

    q: Q
    narrow: bool


def _scope(paths, coorganisers: QuerySet[CoOrganiser]) -> Narrowed:
    """Activities organised by a unit under `paths`, or co-organised (per `coorganisers`) by one."""
    units = Unit.objects.filter(subtree_q(paths))
    unit_ids = list(units.values_list("pk", flat=True)[: NARROW_UNITS + 1])
    if len(unit_ids) > NARROW_UNITS:
        named = coorganisers.filter(unit__in=units.values("pk")).values("activity_id")
        return Narrowed(Q(unit_id__in=units.values("pk")) | Q(pk__in=named), narrow=False)
    named_ids = coorganisers.filter(unit_id__in=unit_ids).values_list("activity_id", flat=True)
    activity_ids = list(named_ids[: NARROW_COORGANISED + 1])
    if len(activity_ids) > NARROW_COORGANISED:
        return Narrowed(Q(unit_id__in=unit_ids) | Q(pk__in=named_ids), narrow=False)
    return Narrowed(Q(unit_id__in=unit_ids) | Q(pk__in=activity_ids), narrow=True)


def visible_scope(who: User | Scope) -> Narrowed:
    """activities_visible_to in the shape of a Narrowed condition, in two to four small
    queries."""
    actor = Scope.of(who)
    if actor.superuser:
        return Narrowed(Q(), narrow=False)
    if not actor.paths:
        return Narrowed(Q(pk__in=[]), narrow=True)
    own = list(
        CoOrganiser.objects.filter(unit_id__in=actor.unit_ids).values_list("activity_id", flat=True)
    )
    own_q = Q(unit_id__in=sorted(actor.unit_ids)) | Q(pk__in=own)
    if not Unit.objects.filter(depth=1).exclude(path__in=actor.paths).exists():
        # A member at every root sees everything but other units' drafts.
        return Narrowed(_visible(Q(), own_q), narrow=False)
    scope = _scope(actor.paths, CoOrganiser.objects.all())
    return Narrowed(_visible(scope.q, own_q), narrow=scope.narrow)


def subtree_scope(unit: Unit) -> Narrowed:
    """Activities organised in `unit`'s subtree, or co-organised by a unit there that has not
    declined: a unit filter over an already scoped list."""
    return _scope([unit.path], CoOrganiser.objects.exclude(status=CoOrganiserStatus.DECLINED))
