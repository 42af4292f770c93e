"""A unit's dashboard: what dashboards:unit, the big screen and its JSON show, and what the weekly
digest (notifications.rules) sends — here, below both apps, so that the two agree by construction.

Everything is composed from the progress selectors (activities.progress), which read the roll-up
tables: a dashboard costs the same fixed number of queries whatever the number of units below it
or of activities in it, and shows nothing the progress selectors did not compute.

- Filters: a campaign covering the unit (by default the newest active one), a period of it (the
  whole campaign, a quarter or a month) and a line ("" = every line).
- Figures and completion count the activities of the chosen period, against the campaign's
  targets of the units in the subtree. Pace is always judged over the campaign so far: a
  quarter's page still tells which units are behind.
- The ranking covers the unit's active children, each with its own subtree's figures.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.progress import (
    LAGGING,
    Figures,
    Pace,
    Period,
    Summary,
    TargetSum,
    TaskProgress,
    UnitTotals,
    active_tasks,
    as_of,
    json_number,
    monthly_trend,
    overdue_count,
    period_choices,
    period_of,
    subtree_task_figures,
    target_sums,
    unit_totals,
)
from activities.rollups import ALL_LINES
from campaigns.models import Campaign, TargetTask
from common.figures import bar_step, rounded_percent
from units.models import Line, Unit
from units.selectors import children_of

SCREEN_RANKING = 10  # rows of the ranking on the big screen


# --- Filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    campaign: Campaign
    period: Period
    line: str = ALL_LINES

    @property
    def period_value(self) -> str:
        """The period as `period_of` reads it back."""
        start = self.period.start
        if self.period.kind == "quarter":
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        if self.period.kind == "month":
            return f"{start:%Y-%m}"
        return ""

    @property
    def line_label(self) -> str:
        return str(Line(self.line).label) if self.line else _("All lines")

    def query(self) -> str:
        """The filters as a query string, for links that keep them (drill-down, exports)."""
        params: dict[str, str | int] = {"campaign": self.campaign.pk}
        if self.period_value:
            params["period"] = self.period_value
        if self.line:
            params["line"] = self.line
        return urlencode(params)

    def period_choices(self) -> list[tuple[str, str]]:
        return [("", _("Whole campaign")), *period_choices(self.campaign)]


def filters_for(campaigns: list[Campaign], params) -> Filters | None:
    """The filters asked for in `params` (a GET QueryDict); anything unknown falls back to the
    default. None when no campaign covers the unit."""
    if not campaigns:
        return None
    chosen = params.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.pk) == chosen), campaigns[0])
    line = params.get("line", "")
    if line not in Line.values:
        line = ALL_LINES
    return Filters(campaign, period_of(campaign, params.get("period", "")), line)


# --- The dashboard -------------------------------------------------------------------------------


@dataclass
class Progress:
    """Completion of some tasks in the period, and their pace over the campaign so far."""

    period: Summary
    to_date: Summary

    @cached_property
    def percent(self) -> int | None:
        return self.period.percent

    @property
    def bar(self) -> int:
        return bar_step(self.percent)

    @cached_property
    def pace(self) -> str | None:
        return self.to_date.pace

    @property
    def pace_label(self) -> str:
        return str(Pace.LABELS[self.pace]) if self.pace else ""


@dataclass
class TaskRow:
    item: TaskProgress  # in the period
    pace: str | None  # over the campaign so far

    @property
    def task(self) -> TargetTask:
        return self.item.task

    @property
    def target(self) -> Decimal | None:
        return self.item.target.value if self.item.target else None

    @property
    def bar(self) -> int:
        return bar_step(self.item.percent)

    @property
    def pace_label(self) -> str:
        return str(Pace.LABELS[self.pace]) if self.pace else ""


@dataclass
class LineRow:
    line: str
    progress: Progress

    @property
    def label(self) -> str:
        return str(Line(self.line).label)


@dataclass
class UnitRow:
    unit: Unit
    totals: UnitTotals
    progress: Progress


@dataclass
class Headline:
    activities: int
    participants: int
    percent: int | None
    pace: str | None
    reporting_timeliness: int | None  # %
    review_timeliness: int | None  # %
    overdue_reviews: int

    @property
    def pace_label(self) -> str:
        return str(Pace.LABELS[self.pace]) if self.pace else ""


@dataclass
class Dashboard:
    unit: Unit
    filters: Filters
    as_of: date  # the day pace is judged on
    headline: Headline
    lines: list[LineRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    ranking: list[UnitRow] = field(default_factory=list)
    trend: list[tuple[date, int, int]] = field(default_factory=list)

    @cached_property
    def behind(self) -> list[UnitRow]:
        """Children behind pace or at risk, those at risk first."""
        lagging = [row for row in self.ranking if row.progress.pace in LAGGING]
        return sorted(lagging, key=lambda row: LAGGING.index(row.progress.pace))

    def as_json(self, *, ranking_limit: int | None = None) -> dict:
        """The same figures for the charts and the big screen's refresh."""
        filters = self.filters
        headline = self.headline
        ranking = self.ranking[:ranking_limit] if ranking_limit else self.ranking
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.name},
            "filters": {
                "campaign": filters.campaign.pk,
                "campaign_name": filters.campaign.name,
                "period": filters.period_value,
                "period_label": filters.period.label,
                "line": filters.line,
                "line_label": filters.line_label,
                "as_of": f"{self.as_of:%Y-%m-%d}",
            },
            "headline": {
                "activities": headline.activities,
                "participants": headline.participants,
                "percent": headline.percent,
                "pace": headline.pace,
                "pace_label": headline.pace_label,
                "reporting_timeliness": headline.reporting_timeliness,
                "review_timeliness": headline.review_timeliness,
                "overdue_reviews": headline.overdue_reviews,
            },
            "lines": [
                {
                    "line": row.line,
                    "label": row.label,
                    "percent": row.progress.percent,
                    "pace": row.progress.pace,
                    "pace_label": row.progress.pace_label,
                }
                for row in self.lines
            ],
            "tasks": [
                {
                    "id": row.task.pk,
                    "code": row.task.code,
                    "title": row.task.title,
                    "line": row.task.line,
                    "achieved": json_number(row.item.achieved),
                    "target": None if row.target is None else json_number(row.target),
                    "percent": row.item.percent,
                    "pace": row.pace,
                    "pace_label": row.pace_label,
                }
                for row in self.tasks
            ],
            "ranking": [
                {
                    "id": row.unit.pk,
                    "name": row.unit.name,
                    "percent": row.progress.percent,
                    "activities": row.totals.activities,
                    "participants": row.totals.participants,
                    "pace": row.progress.pace,
                    "pace_label": row.progress.pace_label,
                }
                for row in ranking
            ],
            "units": len(self.ranking),
            "behind": len(self.behind),
            "trend": {
                "months": [f"{month:%Y-%m}" for month, _a, _p in self.trend],
                "activities": [activities for _m, activities, _p in self.trend],
                "participants": [participants for _m, _a, participants in self.trend],
            },
            "labels": {
                "activities": _("Approved activities"),
                "participants": _("Participants"),
                "completion": _("Completion"),
            },
        }


def dashboard(unit: Unit, filters: Filters, *, with_trend: bool = True) -> Dashboard:
    """The dashboard of `unit`'s subtree under `filters`, in a fixed number of queries;
    `with_trend=False` leaves out the monthly trend (one query fewer) for a page that shows only
    the headline and the units behind pace, as the workbench does."""
    campaign, period, line = filters.campaign, filters.period, filters.line
    today, start = as_of(campaign), campaign.starts_on
    tasks = active_tasks(campaign, line)
    task_ids = [task.pk for task in tasks]
    children = list(children_of(unit).order_by("path"))
    unit_ids = [unit.pk, *(child.pk for child in children)]

    figures = subtree_task_figures(unit_ids, period, task_ids)
    whole = period_of(campaign)
    to_date = figures if period == whole else subtree_task_figures(unit_ids, whole, task_ids)
    sums = target_sums(unit, campaign)
    targets = {unit.pk: sums.whole, **{child.pk: sums.of_child(child) for child in children}}
    totals = unit_totals(unit_ids, period, line)
    reviews = totals if not line else unit_totals([unit.pk], period, ALL_LINES)

    none = Figures()

    def items(unit_id: int, found: dict) -> list[TaskProgress]:
        unit_targets: dict[int, TargetSum] = targets[unit_id]
        return [
            TaskProgress(
                task, found.get((unit_id, task.id), none), unit_targets.get(task.id), today, start
            )
            for task in tasks
        ]

    def progress(unit_id: int) -> Progress:
        """Over the whole campaign (the default) the period's figures are the pace's too."""
        in_period = Summary(items(unit_id, figures))
        return Progress(in_period, in_period if same else Summary(items(unit_id, to_date)))

    def of_line(value: str, summary: Summary) -> Summary:
        return Summary([item for item in summary.items if item.task.line == value])

    same = to_date is figures
    own = progress(unit.pk)
    own_totals = totals.get(unit.pk, UnitTotals())
    overdue = overdue_count(unit, campaign)
    # The waits past the deadline now are late in a period that includes today.
    late_now = overdue if period.kind == "campaign" or period.end >= timezone.localdate() else 0
    headline = Headline(
        activities=own_totals.activities,
        participants=own_totals.participants,
        percent=own.percent,
        pace=own.pace,
        reporting_timeliness=rounded_percent(own_totals.reporting_timeliness),
        review_timeliness=rounded_percent(
            reviews.get(unit.pk, UnitTotals()).review_timeliness(late_now)
        ),
        overdue_reviews=overdue,
    )

    lines = []
    for value in Line.values:
        in_period = of_line(value, own.period)
        line_progress = Progress(in_period, in_period if same else of_line(value, own.to_date))
        if in_period.targeted:
            lines.append(LineRow(value, line_progress))

    task_rows = [
        TaskRow(item, pace.pace)
        for item, pace in zip(own.period.items, own.to_date.items, strict=True)
        if item.target is not None or item.achieved
    ]

    ranking = [
        UnitRow(child, totals.get(child.pk, UnitTotals()), progress(child.pk)) for child in children
    ]
    ranking.sort(
        key=lambda row: (
            row.progress.percent is None,
            -(row.progress.percent or 0),
            -row.totals.activities,
            row.unit.path,
        )
    )
    return Dashboard(
        unit=unit,
        filters=filters,
        as_of=today,
        headline=headline,
        lines=lines,
        tasks=task_rows,
        ranking=ranking,
        trend=monthly_trend(unit, period, line) if with_trend else [],
    )
