"""A unit's standing in a campaign (issue 13 §4): three figures of its subtree, for the dashboards
and the leader's workbench panel, each read in ONE query for the unit and all the rows below it
however many there are (grouped by the child each record lies under, as activities.progress
does with the targets).

- Commitments kept: items of approved (published) commitment sets that are fulfilled
  (`Commitment.fulfilled_at` set), over the items that are due.
- Follow-ups closed on time: follow-ups closed with `closed_on_time`, over the follow-ups that
  are due.
- Satisfaction: 满意率 and the number of ratings, from the appraisal tallies by the one rule of
  evaluations.selectors (Figures, the subtree's tallies); fewer ratings than
  settings.APPRAISAL_MIN_RATINGS are too few to judge.

**Due** (the one rule, `due_q`): a record counts once its due date is behind it — from the local
day after `due_on` (campaigns.deadlines.today, the campaign's zone): on its due day it is still
on time — or as soon as it is done (fulfilled, closed), whichever comes first. So an item kept
early counts at once and never lowers the rate; one still open counts from the day after it was
due, and is then *overdue* (due and not done). Per cents only through common.figures (`share`).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from activities.models import Status
from campaigns import deadlines
from campaigns.models import Campaign
from evaluations.models import Commitment, FollowUp
from evaluations.selectors import Figures, figures_by_row, minimum_ratings, share
from units.models import Unit


def due_q(today: date, done: Q) -> Q:
    """Records that are due on the local date `today`: past their due date, or `done`."""
    return Q(due_on__lt=today) | done


@dataclass(frozen=True)
class Kept:
    """Commitment items: fulfilled, due (the denominator), overdue (due, not fulfilled)."""

    kept: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        return share(self.kept, self.due)

    def __add__(self, other: "Kept") -> "Kept":
        return Kept(self.kept + other.kept, self.due + other.due, self.overdue + other.overdue)


@dataclass(frozen=True)
class ClosedOnTime:
    """Follow-ups: closed on time, due (the denominator), overdue (due, not closed)."""

    on_time: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        return share(self.on_time, self.due)

    def __add__(self, other: "ClosedOnTime") -> "ClosedOnTime":
        return ClosedOnTime(
            self.on_time + other.on_time, self.due + other.due, self.overdue + other.overdue
        )


@dataclass(frozen=True)
class Standing:
    """The three figures of `unit`'s subtree."""

    unit: Unit
    commitments: Kept = field(default_factory=Kept)
    follow_ups: ClosedOnTime = field(default_factory=ClosedOnTime)
    satisfaction: Figures = field(default_factory=Figures)

    @property
    def too_few_ratings(self) -> bool:
        return self.satisfaction.ratings < minimum_ratings()


@dataclass(frozen=True)
class StandingBoard:
    """The unit's standing (its whole subtree) and each row's (each child's subtree)."""

    campaign: Campaign
    today: date
    whole: Standing
    rows: list[Standing]
    minimum: int = field(default_factory=minimum_ratings)


def _row_key(unit: Unit) -> Substr:
    """The path of the child of `unit` a record's unit lies under (the unit's own path for the
    unit itself)."""
    return Substr("unit__path", 1, unit.steplen * (unit.depth + 1))


def _by_row(found: QuerySet, unit: Unit, campaign: Campaign, **counts: Count) -> dict[str, tuple]:
    rows = (
        found.filter(campaign=campaign, unit__path__startswith=unit.path)
        .annotate(row=_row_key(unit))
        .order_by()
        .values("row")
        .annotate(**counts)
        .values_list("row", *counts)
    )
    return {row[0]: row[1:] for row in rows}


def commitments_by_row(unit: Unit, campaign: Campaign, today: date) -> dict[str, Kept]:
    """Kept per row path, in one query."""
    done = Q(fulfilled_at__isnull=False)
    due = due_q(today, done)
    rows = _by_row(
        Commitment.objects.filter(set__status=Status.APPROVED),
        unit,
        campaign,
        kept=Count("pk", filter=done),
        due=Count("pk", filter=due),
        overdue=Count("pk", filter=due & ~done),
    )
    return {path: Kept(*counts) for path, counts in rows.items()}


def follow_ups_by_row(unit: Unit, campaign: Campaign, today: date) -> dict[str, ClosedOnTime]:
    """ClosedOnTime per row path, in one query."""
    done = Q(closed_at__isnull=False)
    due = due_q(today, done)
    rows = _by_row(
        FollowUp.objects.all(),
        unit,
        campaign,
        on_time=Count("pk", filter=Q(closed_on_time=True)),
        due=Count("pk", filter=due),
        overdue=Count("pk", filter=due & ~done),
    )
    return {path: ClosedOnTime(*counts) for path, counts in rows.items()}


def standing(
    unit: Unit, campaign: Campaign, children: list[Unit] | None = None, today: date | None = None
) -> StandingBoard:
    """The standing of `unit`'s subtree and of each of `children` (its child units, in the order
    given), in three queries whatever their number. `today` defaults to the campaign's local
    date."""
    today = today or deadlines.today(campaign)
    children = children or []
    kept = commitments_by_row(unit, campaign, today)
    closed = follow_ups_by_row(unit, campaign, today)
    rated = figures_by_row(unit, campaign)
    whole = Standing(
        unit,
        sum(kept.values(), Kept()),
        sum(closed.values(), ClosedOnTime()),
        sum(rated.values(), Figures()),
    )
    rows = [
        Standing(
            child,
            kept.get(child.path, Kept()),
            closed.get(child.path, ClosedOnTime()),
            rated.get(child.path, Figures()),
        )
        for child in children
    ]
    return StandingBoard(campaign, today, whole, rows)
