"""A unit's standing in a campaign (issue 13 §4): three figures of its subtree, for the dashboards
and the leader's workbench panel, each read in ONE query for the unit and all the rows shown below
it however many there are, from the kept roll-ups (evaluations.models.standing: a unit's rows
hold its whole subtree; evaluations.standing_rollups keeps them equal to the records).

- Commitments kept: items of approved (published) commitment sets that are fulfilled
  (`Commitment.fulfilled_at` set), over the items that are due.
- Follow-ups closed on time: follow-ups closed with `closed_on_time`, over the follow-ups that
  are due.
- Satisfaction: 满意率 and the number of ratings as evaluations.selectors.Figures defines them,
  over the subtree's appraisal tallies (AppraisalRollup is their sum); fewer ratings than
  settings.APPRAISAL_MIN_RATINGS are too few to judge.

**Due** (the one rule, `DUE`): a record counts once its due date is behind it — from the local
day after `due_on` (campaigns.deadlines.today, the campaign's zone): on its due day it is still
on time — or as soon as it is done (fulfilled, closed), whichever comes first. So an item kept
early counts at once and never lowers the rate; one still open counts from the day after it was
due, and is then *overdue* (due and not done). Per cents only through common.figures (`share`).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection

from campaigns import deadlines
from campaigns.models import Campaign
from common.sql import marks, read, table
from evaluations.models import AppraisalRollup, StandingKind, StandingRollup
from evaluations.models.standing import MONTHLY
from evaluations.selectors import Figures, minimum_ratings, share
from units.models import Unit


@dataclass(frozen=True)
class Kept:
    """Commitment items: fulfilled, due (the denominator), overdue (due, not fulfilled)."""

    kept: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        return share(self.kept, self.due)


@dataclass(frozen=True)
class ClosedOnTime:
    """Follow-ups: closed on time, due (the denominator), overdue (due, not closed)."""

    on_time: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def rate(self) -> int | None:
        return share(self.on_time, self.due)


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


# The one rule of *due*, over roll-up rows of records due on `due_on`: before `today` every
# record counts; from today on only those already done.
DUE = "CASE WHEN due_on < %s THEN items ELSE done END"
OVERDUE = "CASE WHEN due_on < %s THEN items - done ELSE 0 END"


def _standing_rows(kind: str, unit_ids: list[int], campaign: Campaign, today: date) -> dict:
    """{unit id: (done, done on time, due, overdue)} of the units' subtrees, in one query: the
    months other than today's from the monthly rows, today's month from the daily rows (DUE
    reads a month's row, dated its first day, as wholly past or wholly to come)."""
    month = today.replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    day, month_start, month_end = (
        connection.ops.adapt_datefield_value(value) for value in (today, month, following)
    )
    rollups, units = table(StandingRollup), marks(unit_ids)
    monthly = MONTHLY[StandingKind(kind)]
    params = [day, day, *unit_ids, campaign.pk, monthly, month_start]
    params += [*unit_ids, campaign.pk, kind, month_start, month_end]
    rows = read(
        f"SELECT unit_id, SUM(done), SUM(done_on_time), SUM({DUE}), SUM({OVERDUE}) FROM ("
        f" SELECT unit_id, due_on, items, done, done_on_time FROM {rollups}"
        f" WHERE unit_id IN ({units}) AND campaign_id = %s AND kind = %s AND due_on <> %s"
        " UNION ALL"
        f" SELECT unit_id, due_on, items, done, done_on_time FROM {rollups}"
        f" WHERE unit_id IN ({units}) AND campaign_id = %s AND kind = %s"
        " AND due_on >= %s AND due_on < %s) AS r GROUP BY unit_id",
        params,
    )
    return {row[0]: tuple(int(value or 0) for value in row[1:]) for row in rows}


def commitments_by_unit(unit_ids: list[int], campaign: Campaign, today: date) -> dict[int, Kept]:
    """Kept of each unit's subtree, in one query."""
    rows = _standing_rows(StandingKind.COMMITMENT, unit_ids, campaign, today)
    return {pk: Kept(done, due, overdue) for pk, (done, _t, due, overdue) in rows.items()}


def follow_ups_by_unit(
    unit_ids: list[int], campaign: Campaign, today: date
) -> dict[int, ClosedOnTime]:
    """ClosedOnTime of each unit's subtree, in one query."""
    rows = _standing_rows(StandingKind.FOLLOW_UP, unit_ids, campaign, today)
    return {pk: ClosedOnTime(t, due, overdue) for pk, (_d, t, due, overdue) in rows.items()}


def satisfaction_by_unit(unit_ids: list[int], campaign: Campaign) -> dict[int, Figures]:
    """The appraisal Figures of each unit's subtree (the sum of its tallies), in one query."""
    rows = read(
        "SELECT unit_id, satisfied, basically_satisfied, dissatisfied"
        f" FROM {table(AppraisalRollup)}"
        f" WHERE campaign_id = %s AND unit_id IN ({marks(unit_ids)})",
        [campaign.pk, *unit_ids],
    )
    return {row[0]: Figures(*row[1:]) for row in rows}


def standing(
    unit: Unit, campaign: Campaign, children: list[Unit] | None = None, today: date | None = None
) -> StandingBoard:
    """The standing of `unit`'s subtree and of each of `children` (units below it, in the order
    given), in three queries whatever their number. `today` defaults to the campaign's local
    date."""
    today = today or deadlines.today(campaign)
    children = children or []
    unit_ids = [unit.pk, *(child.pk for child in children)]
    kept = commitments_by_unit(unit_ids, campaign, today)
    closed = follow_ups_by_unit(unit_ids, campaign, today)
    rated = satisfaction_by_unit(unit_ids, campaign)

    def of(row: Unit) -> Standing:
        return Standing(
            row,
            kept.get(row.pk, Kept()),
            closed.get(row.pk, ClosedOnTime()),
            rated.get(row.pk, Figures()),
        )

    return StandingBoard(campaign, today, of(unit), [of(child) for child in children])
