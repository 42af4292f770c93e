"""The roll-up tables behind the dashboards: TaskRollup, UnitRollup and WaitingRollup.

They change in the same transaction as the review transition that changes the figures, so a
dashboard never disagrees with the approved records:
- an approval adds the activity to every unit it is credited to — its organiser, its confirmed
  co-organisers, and every unit above any of them, each once;
- a reopening takes it away again;
- a co-organiser confirming an approved activity adds it to the units newly credited;
- each reviewer's decision counts in `reviews` (and `reviews_on_time`) of the units above the
  activity's unit, in the month it was made;
- a submission's wait for a review is counted for the units above its unit (itself included)
  on the day it began, and taken away when it ends (approval, return, withdrawal) or begins
  again at the next level.
`rollups_rebuild` recomputes everything from the records (`manage.py rollups_rebuild`); moving a
unit calls it, since the units above an activity change.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from activities.models import (
    Action,
    Activity,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
    TaskRollup,
    UnitRollup,
    WaitingRollup,
)
from campaigns.models import Target, TargetTask
from common.streaming import stream
from units.models import Unit, paths_up_to

ALL_LINES = ""
_BATCH = 5000


def month_of(day: date) -> date:
    return day.replace(day=1)


def _ancestor_paths(paths: Iterable[str]) -> set[str]:
    return {above for path in paths for above in paths_up_to(path)}


def _unit_ids(paths: Iterable[str]) -> list[int]:
    return list(Unit.objects.filter(path__in=_ancestor_paths(paths)).values_list("pk", flat=True))


def _credited_paths(activity: Activity) -> list[str]:
    confirmed = CoOrganiser.objects.filter(
        activity=activity, status=CoOrganiserStatus.CONFIRMED
    ).values_list("unit__path", flat=True)
    return [activity.unit.path, *confirmed]


def reported_on_time(activity: Activity, task_ids: list[int]) -> bool:
    """First submitted on or before the earliest due date of the unit's targets it counts for."""
    if activity.first_submitted_at is None:
        return False
    due = (
        Target.objects.filter(unit_id=activity.unit_id, task_id__in=task_ids)
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .first()
    )
    submitted = timezone.localdate(activity.first_submitted_at)
    return due is not None and submitted <= due


def _add(
    activity: Activity,
    unit_ids: list[int],
    tasks: list[tuple[int, str]],
    sign: int,
    on_time: bool,
) -> None:
    if not unit_ids:
        return
    month = month_of(activity.starts_on)
    task_ids = [pk for pk, _line in tasks]
    lines = sorted({line for _pk, line in tasks} | {ALL_LINES})
    quantity = activity.quantity or Decimal(0)

    task_rows = TaskRollup.objects.filter(unit_id__in=unit_ids, task_id__in=task_ids, month=month)
    TaskRollup.objects.bulk_create(
        [TaskRollup(unit_id=u, task_id=t, month=month) for u in unit_ids for t in task_ids],
        ignore_conflicts=True,
    )
    # Lock in one order, so two approvals touching the same rows wait instead of deadlocking.
    list(task_rows.select_for_update().order_by("pk").values_list("pk"))
    task_rows.update(
        activities=F("activities") + sign,
        participants=F("participants") + sign * activity.participants,
        quantity=F("quantity") + sign * quantity,
    )

    unit_rows = UnitRollup.objects.filter(
        unit_id__in=unit_ids, campaign_id=activity.campaign_id, month=month, line__in=lines
    )
    UnitRollup.objects.bulk_create(
        [
            UnitRollup(unit_id=u, campaign_id=activity.campaign_id, month=month, line=line)
            for u in unit_ids
            for line in lines
        ],
        ignore_conflicts=True,
    )
    list(unit_rows.select_for_update().order_by("pk").values_list("pk"))
    unit_rows.update(
        activities=F("activities") + sign,
        participants=F("participants") + sign * activity.participants,
        reported_on_time=F("reported_on_time") + (sign if on_time else 0),
    )


def _tasks(activity: Activity) -> list[tuple[int, str]]:
    return list(activity.tasks.values_list("pk", "line"))


def approval_counted(activity: Activity, *, sign: int = 1) -> None:
    """Add an approved activity to the roll-ups (sign=-1 takes it away when it is reopened). The
    on-time verdict is kept on the activity, so a later change of a due date cannot make the
    reopening take back something else than the approval added."""
    tasks = _tasks(activity)
    if sign > 0:
        on_time = reported_on_time(activity, [pk for pk, _line in tasks])
        Activity.objects.filter(pk=activity.pk).update(counted_on_time=on_time)
    else:
        on_time = bool(activity.counted_on_time)
    _add(activity, _unit_ids(_credited_paths(activity)), tasks, sign, on_time)


def coorganiser_counted(activity: Activity, unit: Unit) -> None:
    """A co-organiser confirmed an approved activity: credit the units that did not have it."""
    before = _ancestor_paths(p for p in _credited_paths(activity) if p != unit.path)
    new = _ancestor_paths([unit.path]) - before
    ids = list(Unit.objects.filter(path__in=new).values_list("pk", flat=True))
    _add(activity, ids, _tasks(activity), 1, bool(activity.counted_on_time))


def review_counted(activity: Activity, *, on_time: bool, when: datetime) -> None:
    """A reviewer decided on `activity`: count it for the units above the activity's unit."""
    month = month_of(timezone.localdate(when))
    unit_ids = _unit_ids([activity.unit.path])
    rows = UnitRollup.objects.filter(
        unit_id__in=unit_ids, campaign_id=activity.campaign_id, month=month, line=ALL_LINES
    )
    UnitRollup.objects.bulk_create(
        [
            UnitRollup(unit_id=u, campaign_id=activity.campaign_id, month=month, line=ALL_LINES)
            for u in unit_ids
        ],
        ignore_conflicts=True,
    )
    list(rows.select_for_update().order_by("pk").values_list("pk"))
    rows.update(
        reviews=F("reviews") + 1, reviews_on_time=F("reviews_on_time") + (1 if on_time else 0)
    )


def waiting_counted(activity: Activity, *, ended: datetime | None, began: datetime | None) -> None:
    """The submission's wait that began at `ended` is over, and one began at `began` (either
    may be None)."""
    unit_ids = _unit_ids([activity.unit.path])
    for moment, sign in ((ended, -1), (began, 1)):
        if moment is None:
            continue
        day = timezone.localdate(moment)
        rows = WaitingRollup.objects.filter(
            unit_id__in=unit_ids, campaign_id=activity.campaign_id, day=day
        )
        WaitingRollup.objects.bulk_create(
            [WaitingRollup(unit_id=u, campaign_id=activity.campaign_id, day=day) for u in unit_ids],
            ignore_conflicts=True,
        )
        list(rows.select_for_update().order_by("pk").values_list("pk"))
        rows.update(submissions=F("submissions") + sign)


REVIEW_ACTIONS = (Action.APPROVE, Action.PASS_ON, Action.RETURN)


@transaction.atomic
def rollups_rebuild() -> tuple[int, int]:
    """Recompute the tables from the records; returns the number of rows written to the task
    and unit roll-ups."""
    TaskRollup.objects.all().delete()
    UnitRollup.objects.all().delete()
    WaitingRollup.objects.all().delete()
    paths = dict(Unit.objects.values_list("pk", "path"))
    ids = {path: pk for pk, path in paths.items()}
    ancestors: dict[str, list[int]] = {}

    def above(path: str) -> list[int]:
        if path not in ancestors:
            ancestors[path] = [ids[p] for p in _ancestor_paths([path]) if p in ids]
        return ancestors[path]

    task_lines = dict(TargetTask.objects.values_list("pk", "line"))
    due = {(u, t): d for u, t, d in Target.objects.values_list("unit_id", "task_id", "due_on")}
    approved = Activity.objects.filter(status=Status.APPROVED)
    tasks_of: dict[int, list[int]] = defaultdict(list)
    for activity_id, task_id in stream(
        Activity.tasks.through.objects.filter(activity__status=Status.APPROVED).values_list(
            "activity_id", "targettask_id"
        ),
        _BATCH,
    ):
        tasks_of[activity_id].append(task_id)
    coorganisers: dict[int, list[str]] = defaultdict(list)
    for activity_id, path in CoOrganiser.objects.filter(
        status=CoOrganiserStatus.CONFIRMED, activity__status=Status.APPROVED
    ).values_list("activity_id", "unit__path"):
        coorganisers[activity_id].append(path)

    verdicts: dict[bool, list[int]] = {True: [], False: []}
    task_sums: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0)])
    unit_sums: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    fields = ("pk", "unit_id", "campaign_id", "starts_on", "participants", "quantity")
    for (
        pk,
        unit_id,
        campaign_id,
        starts_on,
        participants,
        quantity,
        first_submitted,
    ) in stream(approved.values_list(*fields, "first_submitted_at"), _BATCH):
        month = month_of(starts_on)
        task_ids = tasks_of.get(pk, [])
        credited = set(above(paths[unit_id]))
        for path in coorganisers.get(pk, []):
            credited.update(above(path))
        dues = [due[(unit_id, t)] for t in task_ids if (unit_id, t) in due]
        on_time = bool(
            first_submitted and dues and timezone.localdate(first_submitted) <= min(dues)
        )
        verdicts[on_time].append(pk)
        lines = {task_lines[t] for t in task_ids} | {ALL_LINES}
        for unit in credited:
            for task in task_ids:
                sums = task_sums[(unit, task, month)]
                sums[0] += 1
                sums[1] += participants
                sums[2] += quantity or 0
            for line in lines:
                sums = unit_sums[(unit, campaign_id, month, line)]
                sums[0] += 1
                sums[1] += participants
                sums[2] += on_time
    events = ActivityEvent.objects.filter(action__in=REVIEW_ACTIONS).values_list(
        "activity__unit_id", "activity__campaign_id", "created_at", "on_time"
    )
    for unit_id, campaign_id, created_at, on_time in stream(events, _BATCH):
        month = month_of(timezone.localdate(created_at))
        for unit in above(paths[unit_id]):
            sums = unit_sums[(unit, campaign_id, month, ALL_LINES)]
            sums[3] += 1
            sums[4] += bool(on_time)

    waiting: dict[tuple, int] = defaultdict(int)
    submitted = Activity.objects.filter(status=Status.SUBMITTED, waiting_since__isnull=False)
    for unit_id, campaign_id, since in stream(
        submitted.values_list("unit_id", "campaign_id", "waiting_since"), _BATCH
    ):
        day = timezone.localdate(since)
        for unit in above(paths[unit_id]):
            waiting[(unit, campaign_id, day)] += 1
    WaitingRollup.objects.bulk_create(
        (
            WaitingRollup(unit_id=u, campaign_id=c, day=d, submissions=n)
            for (u, c, d), n in waiting.items()
        ),
        batch_size=_BATCH,
    )

    for verdict, pks in verdicts.items():
        for chunk in range(0, len(pks), _BATCH):
            Activity.objects.filter(pk__in=pks[chunk : chunk + _BATCH]).update(
                counted_on_time=verdict
            )
    TaskRollup.objects.bulk_create(
        (
            TaskRollup(unit_id=u, task_id=t, month=m, activities=a, participants=p, quantity=q)
            for (u, t, m), (a, p, q) in task_sums.items()
        ),
        batch_size=_BATCH,
    )
    UnitRollup.objects.bulk_create(
        (
            UnitRollup(
                unit_id=u,
                campaign_id=c,
                month=m,
                line=line,
                activities=a,
                participants=p,
                reported_on_time=r,
                reviews=n,
                reviews_on_time=o,
            )
            for (u, c, m, line), (a, p, r, n, o) in unit_sums.items()
        ),
        batch_size=_BATCH,
    )
    return len(task_sums), len(unit_sums)
