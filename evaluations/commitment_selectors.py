"""Reads of public commitments: a unit's sets, the review queue of commitment sets and fulfilment
reports, the published items of a unit with how each stands, and the workbench's entries. Each
costs a constant number of queries, however many rows it returns."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from activities.models import Action, Status
from campaigns import deadlines
from campaigns.models import Campaign, Season
from common.posted import token
from evaluations.models import (
    Commitment,
    CommitmentSet,
    FulfilmentReport,
    PublicBoard,
    ReviewEvent,
)
from units.models import Unit
from units.scope import Scope

# An approved item not yet fulfilled is "due soon" this many local days before its due date.
DUE_SOON_DAYS = 30
FULFILLED, ON_TRACK, DUE_SOON, OVERDUE = "fulfilled", "on_track", "due_soon", "overdue"
NOT_KEPT = "not_kept"


def sets_of(unit: Unit) -> QuerySet[CommitmentSet]:
    """The unit's commitment sets, newest campaign first."""
    return (
        CommitmentSet.objects.filter(unit=unit)
        .select_related("campaign")
        .order_by("-campaign__starts_on", "-pk")
    )


def set_of(unit: Unit, campaign: Campaign) -> CommitmentSet | None:
    return CommitmentSet.objects.filter(unit=unit, campaign=campaign).first()


def items_of(commitment_set: CommitmentSet) -> QuerySet[Commitment]:
    return commitment_set.items.select_related("task").order_by("position", "pk")


def events_of(commitment_set: CommitmentSet) -> QuerySet[ReviewEvent]:
    return commitment_set.events.select_related("actor").order_by("created_at", "pk")


# --- How an item stands --------------------------------------------------------------------------


def standing(item: Commitment, today: date) -> str:
    """FULFILLED, OVERDUE (past due, not fulfilled, while its campaign runs), NOT_KEPT (past due
    and never fulfilled in a campaign that has ended: 未践诺), DUE_SOON (within DUE_SOON_DAYS local
    days of its due date) or ON_TRACK, on the campaign's local date `today`."""
    if item.fulfilled_at is not None:
        return FULFILLED
    if item.due_on < today:
        return NOT_KEPT if item.campaign.ends_on < today else OVERDUE
    if (item.due_on - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TRACK


@dataclass(frozen=True)
class Standing:
    item: Commitment
    state: str
    fulfilled_on: date | None
    days_left: int


def board_by_public_id(public_id: str) -> PublicBoard | None:
    """The public commitment board at this unguessable id (anything else, or an inactive unit's
    board, is none), its unit read with it."""
    return (
        PublicBoard.objects.select_related("unit")
        .filter(public_id=token(public_id) or None, unit__is_active=True)
        .first()
    )


def published_items(unit: Unit, campaign: Campaign | None = None) -> list[Standing]:
    """The items of the unit's approved sets (of `campaign`, or of every campaign), in their
    order, each with how it stands today; one query."""
    items = Commitment.objects.filter(set__unit=unit, set__status=Status.APPROVED)
    if campaign is not None:
        items = items.filter(set__campaign=campaign)
    rows = []
    for item in items.select_related("campaign", "task").order_by(
        "-campaign__starts_on", "campaign_id", "position", "pk"
    ):
        today = deadlines.today(item.campaign)
        fulfilled_on = (
            timezone.localdate(item.fulfilled_at, item.campaign.tz) if item.fulfilled_at else None
        )
        rows.append(Standing(item, standing(item, today), fulfilled_on, (item.due_on - today).days))
    return rows


def published_campaigns(unit: Unit) -> list[Campaign]:
    """The campaigns in which the unit has an approved set, newest first."""
    return list(
        Campaign.objects.filter(
            commitment_sets__unit=unit, commitment_sets__status=Status.APPROVED
        ).order_by("-starts_on", "-pk")
    )


# --- The review queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    kind: str  # "set" or "report"
    item: CommitmentSet | FulfilmentReport
    unit: Unit
    campaign: Campaign
    waiting_since: datetime | None
    days_waiting: int | None
    state: str | None


def _not_passed_on_by(user: User, subject: str) -> Q:
    """Not passed on from level 1 by `user` since its submission (they may not approve twice)."""
    passed = ReviewEvent.objects.filter(
        **{subject: OuterRef("pk")},
        action=Action.PASS_ON,
        actor_id=user.pk,
        created_at__gte=OuterRef("submitted_at"),
    )
    return ~Q(Exists(passed))


def _waiting_sets(actor: Scope) -> QuerySet[CommitmentSet]:
    found = CommitmentSet.objects.filter(status=Status.SUBMITTED)
    if not actor.superuser:
        found = found.filter(actor.reviews_q(unit="unit", waiting_on="review_unit"))
    found = found.exclude(unit_id__in=actor.staff_unit_ids)
    if actor.user.is_authenticated:
        found = found.filter(_not_passed_on_by(actor.user, "commitment_set"))
    return found


def _waiting_reports(actor: Scope) -> QuerySet[FulfilmentReport]:
    found = FulfilmentReport.objects.filter(status=Status.SUBMITTED)
    if not actor.superuser:
        found = found.filter(actor.reviews_q(unit="commitment__unit", waiting_on="review_unit"))
    found = found.exclude(commitment__unit_id__in=actor.staff_unit_ids)
    if actor.user.is_authenticated:
        found = found.filter(_not_passed_on_by(actor.user, "report"))
    return found


def _row(kind: str, item, unit: Unit, campaign: Campaign) -> QueueRow:
    if item.waiting_since is None:
        return QueueRow(kind, item, unit, campaign, None, None, None)
    today = deadlines.today(campaign)
    return QueueRow(
        kind,
        item,
        unit,
        campaign,
        item.waiting_since,
        deadlines.days_waited(item.waiting_since, campaign, today),
        deadlines.state(item.waiting_since, campaign, today),
    )


def review_queue(who: User | Scope, limit: int | None = None) -> list[QueueRow]:
    """Commitment sets and fulfilment reports waiting for the user's review now, oldest first:
    two queries (three with the count of `queue_count`), however many rows."""
    actor = Scope.of(who)
    if not actor.user.is_authenticated or not (actor.superuser or actor.reviewer_paths):
        return []
    sets = _waiting_sets(actor).select_related("unit", "campaign").order_by("waiting_since", "pk")
    reports = (
        _waiting_reports(actor)
        .select_related("commitment__unit", "commitment__campaign", "commitment")
        .order_by("waiting_since", "pk")
    )
    if limit is not None:
        sets, reports = sets[:limit], reports[:limit]
    rows = [_row("set", s, s.unit, s.campaign) for s in sets]
    rows += [_row("report", r, r.commitment.unit, r.commitment.campaign) for r in reports]
    rows.sort(key=lambda row: (row.waiting_since is None, row.waiting_since or timezone.now()))
    return rows[:limit] if limit is not None else rows


def queue_count(who: User | Scope) -> int:
    """How many sets and reports wait for the user's review now (two queries)."""
    actor = Scope.of(who)
    if not actor.user.is_authenticated or not (actor.superuser or actor.reviewer_paths):
        return 0
    return _waiting_sets(actor).count() + _waiting_reports(actor).count()


# --- The staff's workbench -----------------------------------------------------------------------


@dataclass(frozen=True)
class ToDraft:
    unit: Unit
    campaign: Campaign
    commitment_set: CommitmentSet | None  # None: not started; else a draft or a returned set


def to_draft(who: User | Scope) -> list[ToDraft]:
    """For each of the user's staff units, the running campaigns covering it in which its set is
    not started, a draft, or returned: three queries."""
    actor = Scope.of(who)
    if not actor.staff_unit_ids:
        return []
    units = list(Unit.objects.filter(pk__in=actor.staff_unit_ids, is_active=True).order_by("path"))
    paths = {path for unit in units for path in unit.ancestor_paths}
    campaigns = [
        c
        for c in Campaign.objects.filter(unit__path__in=sorted(paths), is_active=True)
        .select_related("unit")
        .order_by("-starts_on", "-pk")
        if c.season() == Season.RUNNING
    ]
    if not campaigns:
        return []
    sets = {
        (s.unit_id, s.campaign_id): s
        for s in CommitmentSet.objects.filter(unit__in=units, campaign__in=campaigns).only(
            "pk", "unit_id", "campaign_id", "status", "return_reason"
        )
    }
    found = []
    for unit in units:
        for campaign in campaigns:
            if campaign.unit.path not in unit.ancestor_paths:
                continue
            commitment_set = sets.get((unit.pk, campaign.pk))
            if commitment_set is None or commitment_set.status in (Status.DRAFT, Status.RETURNED):
                found.append(ToDraft(unit, campaign, commitment_set))
    return found


@dataclass(frozen=True)
class QueueSummary:
    count: int
    rows: list[QueueRow]  # the oldest first


def queue_summary(who: User | Scope, shown: int = 5) -> QueueSummary:
    """The workbench's entry: how many sets and reports wait, and the first `shown` rows."""
    return QueueSummary(queue_count(who), review_queue(who, limit=shown))
