"""Progress against targets, from approved activities only.

A unit's figures on a task count the approved activities tagged with that task that were
organised, or co-organised with a confirmed answer, by the unit or any unit below it. An activity
is counted once however many of its organisers lie in that subtree, so a co-organised activity of
two sibling branches adds one activity (and its participants once) to their committee.

Pages read the figures from the roll-up tables (activities.rollups), kept in the transaction of
every approval; the tests count the records directly (tests/figures.py) and hold the two equal.

Completion of a subtree on a task is its figure against the sum of the targets of the units in
the subtree; a line's or the whole campaign's completion is the mean of its tasks' completions,
each capped at 100 %. Pace compares completion with the share of the target's period (campaign
start → due date) that has elapsed."""

import calendar
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Count, Max, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    Status,
    TaskRollup,
    UnitRollup,
    WaitingRollup,
)
from activities.rollups import ALL_LINES, month_of
from campaigns import deadlines
from campaigns.models import Campaign, Metric, Target, TargetTask
from campaigns.selectors import catalogues_of
from common.figures import mean_percent
from common.figures import percent as percent_of
from common.sql import marks, read, table
from units.models import Unit
from units.selectors import children_of


@dataclass(frozen=True)
class Figures:
    activities: int = 0
    participants: int = 0
    quantity: Decimal = Decimal(0)

    def of(self, metric: str) -> Decimal:
        if metric == Metric.ACTIVITIES:
            return Decimal(self.activities)
        if metric == Metric.PARTICIPANTS:
            return Decimal(self.participants)
        return Decimal(self.quantity)


# --- Periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A stretch of a campaign: all of it, a quarter or a month. Figures count activities whose
    date falls in its months."""

    campaign: Campaign
    kind: str  # "campaign", "quarter" or "month"
    start: date
    end: date

    @property
    def months(self) -> list[date]:
        months, month = [], month_of(self.start)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        return str(_("Whole campaign"))


def period_of(campaign: Campaign, value: str = "") -> Period:
    """ "" → the whole campaign; "2010-Q3" → a quarter; "2010-07" → a month (clipped to the
    campaign). Anything else → the whole campaign."""
    whole = Period(campaign, "campaign", campaign.starts_on, campaign.ends_on)
    try:
        if "-Q" in value:
            year, quarter = value.split("-Q")
            first = date(int(year), 3 * int(quarter) - 2, 1)
            last_month = first.month + 2
            end = date(first.year, last_month, calendar.monthrange(first.year, last_month)[1])
            kind = "quarter"
        elif value:
            year, month = value.split("-")
            first = date(int(year), int(month), 1)
            end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            kind = "month"
        else:
            return whole
    except ValueError:
        return whole
    start, end = max(first, campaign.starts_on), min(end, campaign.ends_on)
    return Period(campaign, kind, start, end) if start <= end else whole


def period_choices(campaign: Campaign) -> list[tuple[str, str]]:
    """The quarters and months of a campaign, for a filter's select."""
    whole = Period(campaign, "campaign", campaign.starts_on, campaign.ends_on)
    quarters = sorted({(m.year, (m.month - 1) // 3 + 1) for m in whole.months})
    choices = [(f"{y}-Q{q}", f"{y} Q{q}") for y, q in quarters]
    choices += [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in whole.months]
    return choices


# --- Pace ------------------------------------------------------------------------------------


class Pace:
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    LABELS = {ON_TRACK: _("On track"), BEHIND: _("Behind"), AT_RISK: _("At risk")}

    # Behind by more than this share of the period, or short at the due date: at risk.
    RISK_GAP = 0.25


# Paces that call for attention (the dashboards' "behind", the target_due reminder), worst first.
LAGGING = (Pace.AT_RISK, Pace.BEHIND)


def elapsed_share(start: date, due: date, today: date) -> float:
    if today >= due:
        return 1.0
    if today <= start:
        return 0.0
    return (today - start).days / max((due - start).days, 1)


def pace_of(completion: float, start: date, due: date, today: date) -> str:
    """Completion (0..1) against the elapsed share of start → due."""
    expected = elapsed_share(start, due, today)
    if completion >= min(expected, 1.0):
        return Pace.ON_TRACK
    if today >= due or completion < expected - Pace.RISK_GAP:
        return Pace.AT_RISK
    return Pace.BEHIND


def json_number(value: Decimal | int) -> int | float:
    """A figure for JSON: an integer where it is whole."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def completion(achieved: Decimal, target: Decimal) -> float:
    if not target:
        return 1.0
    return float(achieved / target)


# --- Roll-up reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSum:
    value: Decimal
    due_on: date
    units: int


CENTS = Decimal("0.01")


def _months(period: Period) -> list:
    return [connection.ops.adapt_datefield_value(month) for month in period.months]


def _decimal(value) -> Decimal:
    """A SUM of a quantity column (two decimal places): a Decimal from PostgreSQL, a float from
    SQLite, rounded back to the column's places as the ORM would."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value)).quantize(CENTS)


def subtree_task_figures(unit_ids: list[int], period: Period, task_ids: list[int]):
    """{(unit_id, task_id): Figures} for the subtrees of `unit_ids`, from the roll-ups, in one
    query. Over a whole campaign every month counts, as in `unit_totals`, so the two agree even
    if the campaign's dates are changed after approvals."""
    if not unit_ids or not task_ids:
        return {}
    sql = (
        "SELECT unit_id, task_id, SUM(activities), SUM(participants), SUM(quantity)"
        f" FROM {table(TaskRollup)}"
        f" WHERE unit_id IN ({marks(unit_ids)}) AND task_id IN ({marks(task_ids)})"
    )
    params = [*unit_ids, *task_ids]
    if period.kind != "campaign":
        months = _months(period)
        sql += f" AND month IN ({marks(months)})"
        params += months
    rows = read(sql + " GROUP BY unit_id, task_id", params)
    return {(u, t): Figures(int(a or 0), int(p or 0), _decimal(q)) for u, t, a, p, q in rows}


TARGET_SUMS_KEPT = 256  # subtrees (or campaigns) × versions remembered per process, per store
_target_sums: OrderedDict[tuple, "TargetSums"] = OrderedDict()
_active_tasks: OrderedDict[tuple, list[TargetTask]] = OrderedDict()
_catalogues: OrderedDict[tuple, list[tuple[int, str]]] = OrderedDict()


@dataclass(frozen=True)
class TargetSums:
    """The sums of the targets of a unit's subtree per task, and of each of its children's."""

    whole: dict[int, TargetSum]
    by_child: dict[int, dict[int, TargetSum]]  # by the child's id: paths change on re-sorting

    def of_child(self, child: Unit) -> dict[int, TargetSum]:
        return self.by_child.get(child.pk, {})


def _combined(sums: list[TargetSum]) -> TargetSum:
    return TargetSum(
        sum((s.value for s in sums), Decimal(0)),
        max(s.due_on for s in sums),
        sum(s.units for s in sums),
    )


def target_sums(unit: Unit, campaign: Campaign) -> TargetSums:
    """The campaign's targets summed over `unit`'s subtree and over each child's, per task: one
    query over the subtree's targets, grouped by the child each lies under. Targets change
    rarely and a large subtree holds tens of thousands, so the sums are kept under the campaign's
    `targets_version`, which every change of a target or move of a unit renews in
    its transaction (campaigns.signals): a change shows at once. They are kept in the process
    (no pickling, no round trip): the version read with the campaign makes that safe."""
    key = (campaign.pk, campaign.created_at, campaign.targets_version, unit.pk)
    return _remembered(_target_sums, key, lambda: _sum_targets(unit, campaign))


def _remembered(store: OrderedDict, key: tuple, compute: Callable):
    """What `store` keeps under `key`, computed and kept first if missing; the oldest entry goes
    beyond TARGET_SUMS_KEPT."""
    found = store.get(key)
    if found is None:
        found = store[key] = compute()
        while len(store) > TARGET_SUMS_KEPT:
            store.popitem(last=False)
    return found


def _sum_targets(unit: Unit, campaign: Campaign) -> TargetSums:
    length = unit.steplen * (unit.depth + 1)
    rows = (
        Target.objects.filter(unit__path__startswith=unit.path, task__campaign=campaign)
        .annotate(child=Substr("unit__path", 1, length))
        .values("child", "task_id")
        .annotate(v=Sum("value"), d=Max("due_on"), n=Count("*"))
    )
    children = dict(children_of(unit, include_inactive=True).values_list("path", "pk"))
    by_child: dict[int, dict[int, TargetSum]] = {}
    per_task: dict[int, list[TargetSum]] = {}
    for r in rows:
        found_sum = TargetSum(r["v"], r["d"], r["n"])
        per_task.setdefault(r["task_id"], []).append(found_sum)
        if r["child"] in children:  # the unit's own targets count for the whole only
            by_child.setdefault(children[r["child"]], {})[r["task_id"]] = found_sum
    return TargetSums({task: _combined(s) for task, s in per_task.items()}, by_child)


def active_tasks(campaign: Campaign, line: str = "") -> list[TargetTask]:
    """The campaign's active tasks (of `line`, or every line), in the dashboards' order. Kept in
    the process under the campaign's `targets_version` like the sums of targets: every save or
    deletion of a task renews it (campaigns.signals), so a change shows at once. The tasks kept
    are shared by the requests of the process: read them, never change them."""
    key = (campaign.pk, campaign.created_at, campaign.targets_version, line)
    return _remembered(_active_tasks, key, lambda: _read_tasks(campaign, line))


def _read_tasks(campaign: Campaign, line: str) -> list[TargetTask]:
    tasks = TargetTask.objects.filter(campaign_id=campaign.pk, is_active=True)
    if line:
        tasks = tasks.filter(line=line)
    return list(tasks.order_by("line", "sort_order", "code"))


def catalogues(campaigns: list[Campaign]) -> dict[int, list[tuple[int, str]]]:
    """Each campaign's catalogue (campaigns.selectors.catalogues_of) as (id, title), by campaign
    id. Kept in the process like active_tasks, so each campaign must be read with its
    `targets_version` and `created_at`; those not kept yet are read in one query."""
    keys = {c.pk: (c.pk, c.created_at, c.targets_version) for c in campaigns}
    found = {pk: _catalogues.get(key) for pk, key in keys.items()}
    missing = [pk for pk, tasks in found.items() if tasks is None]
    if missing:
        fetched: dict[int, list[tuple[int, str]]] = {pk: [] for pk in missing}
        rows = catalogues_of(missing).values_list("campaign_id", "pk", "title")
        for campaign_id, pk, title in rows:
            fetched[campaign_id].append((pk, title))
        for pk, tasks in fetched.items():
            found[pk] = _remembered(_catalogues, keys[pk], lambda tasks=tasks: tasks)
    return {pk: tasks or [] for pk, tasks in found.items()}


def target_sums_forget() -> None:
    """Forget the sums and tasks kept in this process (tests start afresh)."""
    _target_sums.clear()
    _active_tasks.clear()
    _catalogues.clear()


@dataclass
class UnitTotals:
    activities: int = 0
    participants: int = 0
    reported_on_time: int = 0
    reviews: int = 0
    reviews_on_time: int = 0

    @property
    def reporting_timeliness(self) -> float | None:
        return self.reported_on_time / self.activities if self.activities else None

    def review_timeliness(self, overdue_now: int = 0) -> float | None:
        """Review timeliness (审核及时率): decisions made within the review deadline over every
        decision *and* every submission now waiting past the deadline — such a wait is late
        whatever is decided, so overdue submissions cannot hide behind a 100 % of decisions."""
        judged = self.reviews + overdue_now
        return self.reviews_on_time / judged if judged else None


def unit_totals(
    unit_ids: list[int], period: Period, line: str = ALL_LINES
) -> dict[int, UnitTotals]:
    """{unit_id: totals of its subtree} for the period and line ("" = every line). Over a whole
    campaign every month counts, so that reviews decided after its last day are not lost (the
    activities themselves all fall within its dates)."""
    if not unit_ids:
        return {}
    sql = (
        "SELECT unit_id, SUM(activities), SUM(participants), SUM(reported_on_time),"
        f" SUM(reviews), SUM(reviews_on_time) FROM {table(UnitRollup)}"
        f" WHERE unit_id IN ({marks(unit_ids)}) AND campaign_id = %s AND line = %s"
    )
    params = [*unit_ids, period.campaign.pk, line]
    if period.kind != "campaign":
        months = _months(period)
        sql += f" AND month IN ({marks(months)})"
        params += months
    rows = read(sql + " GROUP BY unit_id", params)
    return {row[0]: UnitTotals(*(int(value or 0) for value in row[1:])) for row in rows}


def monthly_trend(unit: Unit, period: Period, line: str = ALL_LINES) -> list[tuple[date, int, int]]:
    """[(month, approved activities, participants)] of the subtree, every month of the period."""
    months = _months(period)
    rows = read(
        f"SELECT month, activities, participants FROM {table(UnitRollup)}"
        f" WHERE unit_id = %s AND campaign_id = %s AND line = %s AND month IN ({marks(months)})",
        [unit.pk, period.campaign.pk, line, *months],
    )
    # A date from PostgreSQL, its ISO text from SQLite: both print as YYYY-MM-DD.
    found = {
        str(month)[:10]: (activities, participants) for month, activities, participants in rows
    }
    return [(m, *found.get(m.isoformat(), (0, 0))) for m in period.months]


def overdue_reviews(unit: Unit, campaign: Campaign, today: date | None = None):
    """Submissions of the subtree overdue for a review (to list them), as campaigns.deadlines
    says on the campaign's local date `today` (default: now)."""
    start = deadlines.overdue_before(campaign, today or deadlines.today(campaign))
    return Activity.objects.filter(
        campaign=campaign,
        status=Status.SUBMITTED,
        waiting_since__lt=start,
        unit__path__startswith=unit.path,
    )


def overdue_count(unit: Unit, campaign: Campaign, today: date | None = None) -> int:
    """How many submissions of the subtree are overdue for a review, from the roll-up of waits by
    the local day they began (campaigns.deadlines.overdue_since)."""
    today = today or deadlines.today(campaign)
    day = deadlines.overdue_since(campaign.review_deadline_days, today)
    day = connection.ops.adapt_datefield_value(day)
    rows = read(
        f"SELECT SUM(submissions) FROM {table(WaitingRollup)}"
        " WHERE unit_id = %s AND campaign_id = %s AND day < %s",
        [unit.pk, campaign.pk, day],
    )
    return int(rows[0][0] or 0)


# --- A subtree's progress, task by task --------------------------------------------------------


@dataclass
class TaskProgress:
    task: TargetTask
    figures: Figures
    target: TargetSum | None
    today: date
    start: date

    @cached_property
    def achieved(self) -> Decimal:
        return self.figures.of(self.task.metric)

    @cached_property
    def completion(self) -> float | None:
        if self.target is None:
            return None
        return completion(self.achieved, self.target.value)

    @cached_property
    def percent(self) -> int | None:
        """For a bar: capped at 100."""
        return percent_of(self.completion)

    @cached_property
    def pace(self) -> str | None:
        if self.target is None:
            return None
        return pace_of(self.completion, self.start, self.target.due_on, self.today)


@dataclass
class Summary:
    """Mean completion and the worst pace over some tasks' progress."""

    items: list[TaskProgress] = field(default_factory=list)

    @cached_property
    def targeted(self) -> list[TaskProgress]:
        return [p for p in self.items if p.target is not None]

    @cached_property
    def percent(self) -> int | None:
        return mean_percent(p.completion for p in self.targeted if p.completion is not None)

    @cached_property
    def pace(self) -> str | None:
        paces = {p.pace for p in self.targeted}
        for pace in (Pace.AT_RISK, Pace.BEHIND, Pace.ON_TRACK):
            if pace in paces:
                return pace
        return None


def as_of(campaign: Campaign, today: date | None = None) -> date:
    """The day pace is judged on: today, or the campaign's last day once it is over."""
    today = today or timezone.localdate()
    return min(today, campaign.ends_on)


def targets_progress(unit: Unit, targets: list[Target]) -> list["TargetProgress"]:
    """Each of a unit's own targets against its subtree's approved figures over the campaign."""
    by_campaign: dict[int, list[Target]] = {}
    for target in targets:
        by_campaign.setdefault(target.task.campaign_id, []).append(target)
    figures: dict[int, Figures] = {}
    for campaign_targets in by_campaign.values():
        campaign = campaign_targets[0].task.campaign
        period = period_of(campaign)
        found = subtree_task_figures([unit.pk], period, [t.task_id for t in campaign_targets])
        figures.update({task_id: f for (_u, task_id), f in found.items()})
    return [TargetProgress(t, figures.get(t.task_id, Figures())) for t in targets]


@dataclass(frozen=True)
class TargetProgress:
    """A target against its figures; a page reads each figure several times, so each is worked
    out once."""

    target: Target
    figures: Figures

    @cached_property
    def achieved(self) -> Decimal:
        return self.figures.of(self.target.task.metric)

    @cached_property
    def percent(self) -> int:
        """Completion, capped at 100 for the bar; `achieved` keeps the real figure."""
        return percent_of(completion(self.achieved, self.target.value))

    @cached_property
    def pace(self) -> str:
        campaign = self.target.task.campaign
        share = completion(self.achieved, self.target.value)
        return pace_of(share, campaign.starts_on, self.target.due_on, as_of(campaign))

    @property
    def pace_label(self) -> str:
        return str(Pace.LABELS[self.pace])
