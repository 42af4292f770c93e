"""The demo's live campaign: the document's campaign again for the current year, running now.

The 2010 campaign (demo.catalogue) is the finished one that assessment and honours use.
This one has the same phases, catalogue and targets, with dates relative to the day `seed_demo`
first runs (it began SPAN_BEFORE days earlier and ends SPAN_AFTER days later), the same season of
activities moved into the days so far, and on top a spread of progress: some units on track, some
behind and some at risk, reviews waiting within and past the deadline, and reminders due.
Everything goes through the services, as in the 2010 season; only timestamps that the services
stamp with the real time are moved back, as `seed_demo` does for 2010.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from activities.models import CoOrganiser, CoOrganiserStatus
from activities.progress import elapsed_share, targets_progress
from campaigns.models import Campaign, Metric, Target, TargetTask
from campaigns.services import target_set
from demo import catalogue
from units.models import Unit

SPAN_BEFORE = 122  # days: a little over half of the 2010 campaign's 244 has gone
SPAN_AFTER = 122
_FIRST = catalogue.CAMPAIGN_FIELDS["starts_on"]
_LAST = catalogue.CAMPAIGN_FIELDS["ends_on"]

# How far along each subtree below the city is made to be: every unit in it with targets is
# brought to the expected progress (on track) or short of it (behind); at risk gets nothing more.
ON_TRACK, BEHIND, AT_RISK = "on_track", "behind", "at_risk"
BANDS = {
    "JG": ON_TRACK,  # 市直机关党工委
    "YQ": ON_TRACK,  # 阜康产业园党工委
    "CG": BEHIND,  # 城关镇党委
    "FK-ZGH": BEHIND,  # 市总工会
    "JYJ": AT_RISK,  # 九运街镇党委: little logged yet
    "FK-TSW": AT_RISK,  # 团市委
    "FK-FL": AT_RISK,  # 市妇联
}
SHARE = {ON_TRACK: 1.0, BEHIND: 0.7}
MOST_PER_UNIT = 6  # activities logged for one unit
# A target of a unit behind pace falls due within the week: the target_due reminder goes out.
DUE_SOON = ("CG-ZB1", "DJ-01", 5)  # (unit, task, days from today)
COORGANISER_NAMED_DAYS_AGO = 5  # past REMINDER_COORGANISER_DAYS: the unanswered ones are reminded


def campaign_fields(today: date) -> dict:
    return {
        **catalogue.CAMPAIGN_FIELDS,
        "name": catalogue.CAMPAIGN_NAME.replace("2010", str(today.year), 1),
        "starts_on": today - timedelta(days=SPAN_BEFORE),
        "ends_on": today + timedelta(days=SPAN_AFTER),
    }


def phases(starts_on: date, ends_on: date) -> list[tuple[str, date, date, str]]:
    """The 2010 phases, stretched over the live campaign's dates."""
    moved = _Stretch(starts_on, ends_on)
    return [
        (name, moved(start), moved(deadline), description)
        for name, start, deadline, description in catalogue.PHASES
    ]


@dataclass(frozen=True)
class _Stretch:
    starts_on: date
    ends_on: date

    def __call__(self, day: date) -> date:
        share = (day - _FIRST).days / (_LAST - _FIRST).days
        return self.starts_on + timedelta(days=round(share * (self.ends_on - self.starts_on).days))


@dataclass(frozen=True)
class Dates:
    """How the 2010 days move: due dates by the campaign's start, activities into the days
    gone so far (the last a few days ago)."""

    starts_on: date
    today: date

    def due(self, day: date) -> date:
        return self.starts_on + (day - _FIRST)

    def day(self, day: date) -> date:
        gone = max((self.today - self.starts_on).days - 3, 1)
        share = (day - _FIRST).days / (_LAST - _FIRST).days
        return self.starts_on + timedelta(days=math.floor(share * gone))


def pace_spread(
    campaign: Campaign,
    tasks: dict[str, TargetTask],
    units: dict[str, Unit],
    dates: Dates,
    logged: Callable,
    staff_for: Callable[[Unit], object],
) -> int:
    """Approved activities for the units of each BANDS subtree, deepest first (a unit's figures
    include those below it), until each is on track or just behind; returns how many."""
    created = 0
    for code, band in BANDS.items():
        if band == AT_RISK:
            continue
        root = units[code]
        subtree = Unit.objects.filter(path__startswith=root.path, is_active=True)
        for unit in subtree.order_by("-depth", "path"):
            created += _bring_along(campaign, unit, band, dates, logged, staff_for)
    return created


def _bring_along(campaign, unit, band, dates, logged, staff_for) -> int:
    targets = list(
        Target.objects.filter(unit=unit, task__campaign=campaign).select_related(
            "task", "task__campaign"
        )
    )
    if not targets:
        return 0
    wanted = SHARE[band]
    short = {}
    for progress in targets_progress(unit, targets):
        target = progress.target
        share = elapsed_share(campaign.starts_on, target.due_on, dates.today) * wanted
        # The dashboards weigh a subtree's figures against the sum of its units' targets.
        whole = Target.objects.filter(
            task=target.task, unit__path__startswith=unit.path, unit__is_active=True
        ).aggregate(total=Sum("value"))["total"]
        short[target.pk] = max(Decimal(0), whole * Decimal(share) - progress.achieved)
    by_metric = {m: [t for t in targets if t.task.metric == m] for m in Metric.values}
    count = max([math.ceil(short[t.pk]) for t in by_metric[Metric.ACTIVITIES]] or [0])
    people = max([short[t.pk] for t in by_metric[Metric.PARTICIPANTS]] or [0])
    quantity = max([short[t.pk] for t in by_metric[Metric.QUANTITY]] or [0])
    count = min(max(count, 1 if people or quantity else 0), MOST_PER_UNIT)
    if count == 0:
        return 0
    staff_for(unit)
    for number in range(count):
        day = dates.day(_FIRST + timedelta(days=40 + number * 45))
        data = {
            "title": f"{unit.name}{day.month}月共建活动（第{number + 1}次）",
            "starts_on": day,
            "place": "党群活动室",
            "participants_public": max(math.ceil(people / count), 10),
            "quantity": math.ceil(quantity / count) or None,
            "description": "按本年度党群共建创先争优安排开展的活动。",
            "outcome": "活动按计划完成。",
        }
        logged(campaign, unit, [t.task for t in targets], data, approved=True)
    return count


def reminders_due(campaign: Campaign, units: dict[str, Unit], today: date) -> None:
    """What makes the reminder jobs find work today: a target of a unit behind pace due within
    the week, and co-organisers named days ago who have not answered (the waiting submissions
    were already moved back past and within the review deadline by the season)."""
    code, task_code, days = DUE_SOON
    target = Target.objects.filter(
        unit=units[code], task__campaign=campaign, task__code=task_code
    ).first()
    if target is not None:
        target_set(
            unit=target.unit,
            task=target.task,
            value=target.value,
            due_on=today + timedelta(days=days),
        )
    CoOrganiser.objects.filter(
        activity__campaign=campaign, status=CoOrganiserStatus.PENDING
    ).update(created_at=timezone.now() - timedelta(days=COORGANISER_NAMED_DAYS_AGO))
