"""The demo's live campaign: the document's campaign again for the current year, running now.

The 2010 campaign (chuangxian.demo_catalogue) is the finished one that assessment and honours use.
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

from django.utils import timezone

from activities.models import CoOrganiser, CoOrganiserStatus
from activities.progress import elapsed_share, targets_progress
from campaigns.models import Campaign, Metric, Target, TargetTask
from campaigns.services import target_set
from chuangxian import demo_catalogue as catalogue
from units.models import Unit

SPAN_BEFORE = 122  # days: a little over half of the 2010 campaign's 244 has gone
SPAN_AFTER = 122
_FIRST = catalogue.CAMPAIGN_FIELDS["starts_on"]
_LAST = catalogue.CAMPAIGN_FIELDS["ends_on"]

# Units with demo staff, and how far along each is made to be (share of the expected progress).
ON_TRACK, BEHIND, AT_RISK = "on_track", "behind", "at_risk"
BANDS = {
    "JG-ZB1": ON_TRACK,  # 市委办公室党支部 (jg_staff)
    "CG-FL": ON_TRACK,  # 城关镇妇联 (women_staff)
    "YQ-GH": ON_TRACK,  # 园区企业联合工会 (yq_staff)
    "FK-ZGH": BEHIND,  # 市总工会 (union_staff)
    "CG-ZB1": BEHIND,  # 西大街社区党支部 (cg_staff)
    "JG-GH": AT_RISK,  # 市直机关工会: little logged yet
    "CG-TZB": AT_RISK,  # 卡子湾村团支部
}
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
) -> int:
    """Approved activities for the units of BANDS until each is on track or just behind; those
    at risk get nothing more. Returns how many activities were logged."""
    created = 0
    for code, band in BANDS.items():
        if band == AT_RISK:
            continue
        unit = units[code]
        targets = list(
            Target.objects.filter(unit=unit, task__campaign=campaign).select_related("task")
        )
        if not targets:
            continue
        wanted = 1.0 if band == ON_TRACK else 0.7
        share = {t.pk: elapsed_share(campaign.starts_on, t.due_on, dates.today) for t in targets}
        short = {
            p.target.pk: max(
                Decimal(0), p.target.value * Decimal(share[p.target.pk] * wanted) - p.achieved
            )
            for p in targets_progress(unit, targets)
        }
        by_metric = {
            metric: [t for t in targets if t.task.metric == metric] for metric in Metric.values
        }
        count = max([math.ceil(short[t.pk]) for t in by_metric[Metric.ACTIVITIES]] or [1])
        if band == BEHIND:
            count = max(count - 1, 1)
        count = min(count, 6)
        people = max(
            [math.ceil(short[t.pk] / count) for t in by_metric[Metric.PARTICIPANTS]] or [0]
        )
        quantity = max([math.ceil(short[t.pk] / count) for t in by_metric[Metric.QUANTITY]] or [0])
        for number in range(count):
            day = dates.day(_FIRST + timedelta(days=40 + number * 25))
            data = {
                "title": f"{unit.name}{day:%m月}共建活动（第{number + 1}次）",
                "starts_on": day,
                "place": "活动室",
                "participants_public": max(people, 10),
                "quantity": quantity or None,
                "description": "按本年度党群共建创先争优安排开展的活动。",
                "outcome": "活动按计划完成。",
            }
            logged(campaign, unit, [t.task for t in targets], data, approved=True)
            created += 1
    return created


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
