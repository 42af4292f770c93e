"""The roll-up tables behind the dashboards: TaskRollup, UnitRollup and WaitingRollup.

They change in the same transaction as the review transition that changes the figures, so a
dashboard never disagrees with the approved records:
- an approval adds the activity to every unit it is credited to — its organiser, its confirmed
  co-organisers, and every unit above any of them, each once;
- a reopening takes it away again;
- a co-organiser confirming an approved activity adds it to the units newly credited;
- each reviewer's decision counts in `reviews` (and `reviews_on_time`, and `returns` when it
  returned the activity) of the units above the activity's unit, in the month it was made;
- a submission's wait for a review is counted for the units above its unit (itself included)
  on the day it began, and taken away when it ends (approval, return, withdrawal) or begins
  again at the next level.
`rollups_rebuild` recomputes everything from the records (`manage.py rollups_rebuild`).

A unit's rows count its whole subtree, and are keyed by the unit's id, not its path. So moving a
unit S from under A to under B changes no row of S or of the units below it: only the rows of the
units above A that are not above B lose S's figures, and those above B that were not above A gain
them (`rollups_unit_moved`). S's own rows are those figures, each activity once — except an
activity credited both inside S and outside it (a co-organiser across S's edge), which a unit on
either side may still hold through its other organiser: it is looked at one by one. So a move
costs the depth of the tree times S's own rows, and does not read S's activities.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from django.db import connection, transaction
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
from units.locks import tree_locked_for_move
from units.models import Unit, parent_path_of, paths_up_to

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


def review_counted(
    activity: Activity, *, on_time: bool, when: datetime, returned: bool = False
) -> None:
    """A reviewer decided on `activity` (`returned`: by returning it): count it for the units
    above the activity's unit."""
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
        reviews=F("reviews") + 1,
        reviews_on_time=F("reviews_on_time") + (1 if on_time else 0),
        returns=F("returns") + (1 if returned else 0),
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


def _straddling(subtree: str) -> list[tuple[Activity, list[str]]]:
    """The approved activities credited both inside the subtree at path `subtree` and outside
    it, each with its credited paths (organiser first)."""
    inside_ids = list(Unit.objects.filter(path__startswith=subtree).values_list("pk", flat=True))
    confirmed = CoOrganiser.objects.filter(
        status=CoOrganiserStatus.CONFIRMED, activity__status=Status.APPROVED
    )
    candidates = set(
        confirmed.filter(unit_id__in=inside_ids).values_list("activity_id", flat=True)
    ) | set(
        confirmed.filter(activity__unit_id__in=inside_ids).values_list("activity_id", flat=True)
    )
    if not candidates:
        return []
    credited: dict[int, list[str]] = defaultdict(list)
    for activity_id, path in confirmed.filter(activity_id__in=candidates).values_list(
        "activity_id", "unit__path"
    ):
        credited[activity_id].append(path)
    found = []
    approved = Activity.objects.filter(pk__in=candidates).select_related("unit")
    for activity in approved.prefetch_related("tasks"):
        paths = [activity.unit.path, *credited[activity.pk]]
        inside = [p.startswith(subtree) for p in paths]
        if any(inside) and not all(inside):
            found.append((activity, paths))
    return found


_Row = TypeVar("_Row", TaskRollup, UnitRollup, WaitingRollup)


def _apply(
    model: type[_Row],
    keys: tuple[str, ...],
    fields: tuple[str, ...],
    deltas: dict[tuple, list],
) -> None:
    """Add `deltas` ({key values: [field deltas]}) to `model`'s rows, creating missing ones, with
    the rows locked in one order as the transitions lock them."""
    deltas = {key: values for key, values in deltas.items() if any(values)}
    if not deltas:
        return
    model.objects.bulk_create(
        [model(**dict(zip(keys, key, strict=True))) for key in deltas],
        ignore_conflicts=True,
        batch_size=_BATCH,
    )
    # Narrow by each key column, then keep the rows whose whole key has a delta.
    narrowed = {f"{name}__in": {key[i] for key in deltas} for i, name in enumerate(keys)}
    rows = model.objects.filter(**narrowed).select_for_update().order_by("pk")
    changes = [
        (pk, *deltas[tuple(key)])
        for pk, *key in rows.values_list("pk", *keys)
        if tuple(key) in deltas
    ]
    # One statement adds them all (UPDATE … FROM VALUES: PostgreSQL, and SQLite since 3.33).
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(name) for name in fields]  # counts: each column is named as its field
    assignments = ", ".join(
        f"{column} = {table}.{column} + v.column{i}" for i, column in enumerate(columns, start=2)
    )
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(changes), _BATCH):
            chunk = changes[start : start + _BATCH]
            cursor.execute(
                f"UPDATE {table} SET {assignments}"
                f" FROM (VALUES {', '.join([row] * len(chunk))}) AS v"
                f" WHERE {table}.{quote('id')} = v.column1",
                [value for change in chunk for value in change],
            )


# UnitRollup's counts, in the order the move and the rebuild keep them.
UNIT_FIGURES = (
    "activities",
    "participants",
    "reported_on_time",
    "reviews",
    "reviews_on_time",
    "returns",
)


@transaction.atomic
def rollups_unit_moved(*, unit: Unit, old_parent: Unit | None) -> None:
    """`unit` has just moved (with its subtree) from under `old_parent`: move its figures from
    the units that were above it to those now above it, in the move's transaction."""
    subtree = unit.path
    before = set(paths_up_to(Unit.objects.get(pk=old_parent.pk).path)) if old_parent else set()
    after = set(paths_up_to(parent_path_of(subtree)))
    ids = dict(Unit.objects.filter(path__in=before ^ after).values_list("path", "pk"))
    # +1: a unit now above the subtree that was not; -1: one that no longer is.
    signs = {ids[p]: (1 if p in after else -1) for p in before ^ after}
    if not signs:
        return

    task_deltas: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0)])
    own_tasks = TaskRollup.objects.filter(unit_id=unit.pk).exclude(activities=0)
    for task_id, month, n, participants, quantity in own_tasks.values_list(
        "task_id", "month", "activities", "participants", "quantity"
    ):
        for unit_id, sign in signs.items():
            sums = task_deltas[(unit_id, task_id, month)]
            sums[0] += sign * n
            sums[1] += sign * participants
            sums[2] += sign * quantity
    unit_deltas: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    own_rows = UnitRollup.objects.filter(unit_id=unit.pk).exclude(activities=0, reviews=0)
    for campaign_id, month, line, *figures in own_rows.values_list(
        "campaign_id", "month", "line", *UNIT_FIGURES
    ):
        for unit_id, sign in signs.items():
            sums = unit_deltas[(unit_id, campaign_id, month, line)]
            for i, value in enumerate(figures):
                sums[i] += sign * value
    waiting_deltas: dict[tuple, list] = defaultdict(lambda: [0])
    own_waiting = WaitingRollup.objects.filter(unit_id=unit.pk).exclude(submissions=0)
    for campaign_id, day, submissions in own_waiting.values_list(
        "campaign_id", "day", "submissions"
    ):
        for unit_id, sign in signs.items():
            waiting_deltas[(unit_id, campaign_id, day)][0] += sign * submissions

    # An activity also credited outside the subtree stays counted (or was counted already) by a
    # unit that holds one of its other organisers: take back what the subtree's figures moved.
    # (Reviews and waits count the organiser only, who is on one side: nothing to take back.)
    paths_of = {pk: path for path, pk in ids.items()}
    for activity, credited in _straddling(subtree):
        outside = [p for p in credited if not p.startswith(subtree)]
        holders = [
            (unit_id, sign)
            for unit_id, sign in signs.items()
            if any(p.startswith(paths_of[unit_id]) for p in outside)
        ]
        if not holders:
            continue
        month = month_of(activity.starts_on)
        tasks = [(task.pk, task.line) for task in activity.tasks.all()]
        lines = {line for _pk, line in tasks} | {ALL_LINES}
        quantity = activity.quantity or Decimal(0)
        on_time = int(bool(activity.counted_on_time))
        for unit_id, sign in holders:
            for task_id, _line in tasks:
                sums = task_deltas[(unit_id, task_id, month)]
                sums[0] -= sign
                sums[1] -= sign * activity.participants
                sums[2] -= sign * quantity
            for line in lines:
                sums = unit_deltas[(unit_id, activity.campaign_id, month, line)]
                sums[0] -= sign
                sums[1] -= sign * activity.participants
                sums[2] -= sign * on_time

    _apply(
        TaskRollup,
        ("unit_id", "task_id", "month"),
        ("activities", "participants", "quantity"),
        task_deltas,
    )
    _apply(
        UnitRollup,
        ("unit_id", "campaign_id", "month", "line"),
        UNIT_FIGURES,
        unit_deltas,
    )
    _apply(WaitingRollup, ("unit_id", "campaign_id", "day"), ("submissions",), waiting_deltas)


REVIEW_ACTIONS = (Action.APPROVE, Action.PASS_ON, Action.RETURN)


@transaction.atomic
def rollups_rebuild() -> tuple[int, int]:
    """Recompute the tables from the records; returns the number of rows written to the task
    and unit roll-ups."""
    tree_locked_for_move()  # no transition counts meanwhile
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
    unit_sums: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
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
        "activity__unit_id", "activity__campaign_id", "created_at", "on_time", "action"
    )
    for unit_id, campaign_id, created_at, on_time, action in stream(events, _BATCH):
        month = month_of(timezone.localdate(created_at))
        for unit in above(paths[unit_id]):
            sums = unit_sums[(unit, campaign_id, month, ALL_LINES)]
            sums[3] += 1
            sums[4] += bool(on_time)
            sums[5] += action == Action.RETURN

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
                returns=b,
            )
            for (u, c, m, line), (a, p, r, n, o, b) in unit_sums.items()
        ),
        batch_size=_BATCH,
    )
    return len(task_sums), len(unit_sums)
