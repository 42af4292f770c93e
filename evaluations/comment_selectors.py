"""Reads of leader comments and follow-ups. Each returns a queryset (or a few figures) in a fixed
number of queries whatever the number of rows. "Overdue" is an open follow-up whose due date (a
local date) is before today's local date; every campaign is in the site's zone (Campaign.tz), so
today is campaigns.deadlines.today of any of them, timezone.localdate()."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from campaigns.models import Campaign
from evaluations.models import (
    OPEN_FOLLOW_UP_STATUSES,
    FollowUp,
    FollowUpEvent,
    FollowUpStatus,
    LeaderComment,
    StandingKind,
    StandingRollup,
)
from evaluations.standing_selectors import OVERDUE
from units.models import Role, Unit
from units.scope import Scope

# What the unit's staff still have to do: acknowledge, or report (again).
TO_ANSWER = frozenset({FollowUpStatus.OPEN, FollowUpStatus.ACKNOWLEDGED, FollowUpStatus.SENT_BACK})
NEW_COMMENT_DAYS = 14  # a comment this recent is "new" on the staff's workbench


def _comments() -> QuerySet[LeaderComment]:
    return LeaderComment.objects.select_related(
        "unit", "campaign", "task", "activity", "author", "follow_up"
    ).order_by("-created_at", "-pk")


def unit_comments(unit: Unit, campaign_id: int | None = None) -> QuerySet[LeaderComment]:
    """The unit's comments, newest first, each with its follow-up (if any)."""
    found = _comments().filter(unit=unit)
    return found if campaign_id is None else found.filter(campaign_id=campaign_id)


def comments_by(user) -> QuerySet[LeaderComment]:
    """The comments `user` wrote, newest first."""
    return _comments().filter(author=user)


def new_comments_on(unit_ids: set[int], today: date | None = None) -> QuerySet[LeaderComment]:
    """Comments on these units written in the last NEW_COMMENT_DAYS days, newest first."""
    today = today or timezone.localdate()
    since = today - timedelta(days=NEW_COMMENT_DAYS)
    return _comments().filter(unit_id__in=unit_ids, created_at__date__gte=since)


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("comment", "comment__author", "unit", "campaign")


def overdue_q(today: date) -> Q:
    return Q(status__in=OPEN_FOLLOW_UP_STATUSES, due_on__lt=today)


def open_in_subtree(
    who, *, reported: bool = False, overdue: bool = False, today: date | None = None
) -> QuerySet[FollowUp]:
    """Open follow-ups of the units the user leads (on them or above), in running campaigns (a
    finished campaign's are history, not work), soonest due first;
    `reported`: only those reported and awaiting a close; `overdue`: only those past due."""
    scope = Scope.of(who)
    today = today or timezone.localdate()
    found = _follow_ups().filter(
        scope.role_q(Role.LEADER, field="unit__path"),
        Campaign.running_q(today, "campaign__"),
        status__in=OPEN_FOLLOW_UP_STATUSES,
    )
    if reported:
        found = found.filter(status=FollowUpStatus.REPORTED)
    if overdue:
        found = found.filter(overdue_q(today))
    return found.order_by("due_on", "pk")


def awaiting_close(who, today: date | None = None) -> QuerySet[FollowUp]:
    """Reported follow-ups the user may close or send back: of the comments they wrote or of the
    units they lead, not of their own units as staff, in running campaigns (as the counts: a
    finished campaign's are history, not work); the longest waiting first."""
    scope = Scope.of(who)
    today = today or timezone.localdate()
    mine = Q(comment__author_id=scope.user.pk) | scope.role_q(Role.LEADER, field="unit__path")
    return (
        _follow_ups()
        .filter(mine, Campaign.running_q(today, "campaign__"), status=FollowUpStatus.REPORTED)
        .exclude(unit_id__in=scope.staff_unit_ids)
        .order_by("reported_at", "pk")
    )


@dataclass(frozen=True)
class SubtreeCounts:
    open: int
    overdue: int
    reported: int


def subtree_counts(who, today: date | None = None) -> SubtreeCounts:
    """Open, overdue and reported follow-ups in the user's leader subtrees, in running campaigns
    (as open_in_subtree): one query whatever their number.

    Open and overdue come from the kept roll-ups of the topmost units the user leads (a unit's
    StandingRollup rows hold its whole subtree and are kept equal to the records in the
    transaction of every change, evaluations.standing_rollups): open = not closed, overdue = the
    standing's rule (standing_selectors.OVERDUE: not closed, due before `today`). Reported is
    counted from the follow-ups waiting for a close (their status index), each one's unit path
    read by its key: never a scan of the subtree's units, which at a city's root is every unit."""
    scope = Scope.of(who)
    today = today or timezone.localdate()
    tops = [] if scope.superuser else scope.top_paths(Role.LEADER)
    if not scope.superuser and not tops:
        return SubtreeCounts(0, 0, 0)
    running_ids = Campaign.objects.filter(Campaign.running_q(today)).order_by().values("pk")
    running, running_params = running_ids.query.sql_with_params()
    units, followups = Unit._meta.db_table, FollowUp._meta.db_table
    day = connection.ops.adapt_datefield_value(today)
    if scope.superuser:  # every tree: its roots' rows, every follow-up
        top_units, top_params = f"SELECT id FROM {units} WHERE depth = 1", []
        below, below_params = "", []
    else:
        top_units = f"SELECT id FROM {units} WHERE path IN ({', '.join(['%s'] * len(tops))})"
        top_params = list(tops)
        # A path holds only the tree's alphabet (digits and capitals): nothing to escape in LIKE.
        below = " WHERE " + " OR ".join(["r.path LIKE %s"] * len(tops))
        below_params = [f"{path}%" for path in tops]
    sql = (
        f"SELECT SUM(items - done), SUM({OVERDUE}),"
        " (SELECT COUNT(*) FROM ("
        f" SELECT (SELECT u.path FROM {units} u WHERE u.id = f.unit_id) AS path"
        f" FROM {followups} f WHERE f.status = %s AND f.campaign_id IN ({running})"
        f" ) r{below})"
        f" FROM {StandingRollup._meta.db_table}"
        f" WHERE kind = %s AND unit_id IN ({top_units}) AND campaign_id IN ({running})"
    )
    params = [day, FollowUpStatus.REPORTED, *running_params, *below_params]
    params += [StandingKind.FOLLOW_UP, *top_params, *running_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        open_, overdue, reported = cursor.fetchone()
    return SubtreeCounts(int(open_ or 0), int(overdue or 0), int(reported or 0))


def to_answer(unit_ids: set[int], today: date | None = None) -> QuerySet[FollowUp]:
    """Follow-ups the units' staff have to acknowledge or report in running campaigns, soonest
    due (overdue) first."""
    today = today or timezone.localdate()
    return (
        _follow_ups()
        .filter(Campaign.running_q(today, "campaign__"), unit_id__in=unit_ids)
        .filter(status__in=TO_ANSWER)
        .order_by("due_on", "pk")
    )


def unit_follow_ups_due(unit: Unit) -> QuerySet[FollowUp]:
    """The unit's open follow-ups, soonest due first."""
    return (
        _follow_ups().filter(unit=unit, status__in=OPEN_FOLLOW_UP_STATUSES).order_by("due_on", "pk")
    )


def follow_up_for(who, pk: int) -> FollowUp:
    """The follow-up `pk` with its comment, files, activities and events, if the user may see its
    unit; else 404."""
    scope = Scope.of(who)
    follow_up = (
        FollowUp.objects.select_related(
            "comment__author", "comment__task", "comment__activity", "unit", "campaign"
        )
        .prefetch_related(
            "files",
            "activities",
            Prefetch("events", queryset=FollowUpEvent.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )
    if follow_up is None or not scope.can_view(follow_up.unit):
        raise Http404
    return follow_up


def is_overdue(follow_up: FollowUp, today: date | None = None) -> bool:
    return follow_up.is_open and follow_up.due_on < (today or timezone.localdate())


# --- The workbench's entries (dashboards.workbench) ---------------------------------------------

SHOWN = 5


@dataclass
class StaffFollowUps:
    """What the staff's units owe on leader comments: follow-ups to acknowledge or report (the
    soonest due, overdue first) and the comments of the last NEW_COMMENT_DAYS days."""

    to_answer: list[FollowUp]
    to_answer_count: int
    overdue_count: int
    new_comments: list[LeaderComment]
    today: date


def staff_workbench(who, today: date | None = None) -> StaffFollowUps:
    """Three queries, whatever the numbers."""
    scope = Scope.of(who)
    today = today or timezone.localdate()
    owed = to_answer(scope.staff_unit_ids)
    counts = owed.order_by().aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return StaffFollowUps(
        to_answer=list(owed[:SHOWN]),
        to_answer_count=counts["n"],
        overdue_count=counts["overdue"],
        new_comments=list(new_comments_on(scope.staff_unit_ids, today)[:SHOWN]),
        today=today,
    )


@dataclass(frozen=True)
class Awaiting:
    """A reported follow-up as the workbench lists it: its comment's text and its unit's name."""

    pk: int
    text: str
    unit_name: str


@dataclass
class LeaderFollowUps:
    """Follow-ups reported and awaiting the leader's close, and the subtree's open/overdue
    counts."""

    awaiting: list[Awaiting]
    counts: SubtreeCounts
    today: date


def leader_workbench(who, today: date | None = None) -> LeaderFollowUps:
    """Two queries, whatever the numbers; the rows read only the three values shown."""
    scope = Scope.of(who)
    today = today or timezone.localdate()
    rows = awaiting_close(scope, today).values_list("pk", "comment__text", "unit__name")[:SHOWN]
    return LeaderFollowUps(
        awaiting=[Awaiting(*row) for row in rows],
        counts=subtree_counts(scope, today),
        today=today,
    )
