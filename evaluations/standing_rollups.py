"""Keeping the standing roll-ups (evaluations.models.standing) equal to the records.

- StandingRollup (commitment items of approved sets, follow-ups): a unit's rows are recomputed
  from the records of its subtree — for the changed record's unit and every unit above it — in
  the transaction of the change: `standing_refresh`, called by the receivers below on every save
  or deletion of a Commitment, CommitmentSet or FollowUp (a write through `QuerySet.update()` or
  `bulk_create` sends no signal: call `standing_refresh` after it, or `standing_rebuild`).
- AppraisalRollup: each rating adds one to its unit's row and every row above
  (`appraisal_rollup_add`, from evaluations.services.rating_submit, in its transaction).
- A moved unit: the rows of the units it left and joined are recomputed (units.signals.unit_moved).
`standing_rebuild()` recomputes everything from the records (the bench's seed, the migration).
"""

from django.db import connection
from django.db.models import F

from common import locks
from evaluations.models import (
    AppraisalRollup,
    AppraisalTally,
    Commitment,
    CommitmentSet,
    FollowUp,
    Rating,
    StandingKind,
    StandingRollup,
)
from evaluations.models.standing import MONTHLY
from units.models import Unit, parent_path_of, paths_up_to

# Each kind's records as (unit_id, campaign_id, due_on, done, on_time) rows.
RECORDS = {
    StandingKind.COMMITMENT: (
        "SELECT c.unit_id, c.campaign_id, c.due_on,"
        " CASE WHEN c.fulfilled_at IS NULL THEN 0 ELSE 1 END AS done,"
        " CASE WHEN c.kept_on_time THEN 1 ELSE 0 END AS on_time"
        f" FROM {Commitment._meta.db_table} c JOIN {CommitmentSet._meta.db_table} s"
        " ON s.id = c.set_id WHERE s.status = 'approved'"
    ),
    StandingKind.FOLLOW_UP: (
        "SELECT f.unit_id, f.campaign_id, f.due_on,"
        " CASE WHEN f.closed_at IS NULL THEN 0 ELSE 1 END AS done,"
        " CASE WHEN f.closed_on_time THEN 1 ELSE 0 END AS on_time"
        f" FROM {FollowUp._meta.db_table} f"
    ),
}
_UNITS = Unit._meta.db_table
_ROLLUP = StandingRollup._meta.db_table
_TALLY = AppraisalTally._meta.db_table
_APPRAISAL = AppraisalRollup._meta.db_table


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS date)"
    return f"DATE({column}, 'start of month')"


def _fill(kind: str, depth: int, *, ancestor: Unit | None = None, campaign_id: int | None = None):
    """Insert the rows of the units at `depth` (or of `ancestor` alone) from the records."""
    daily = next((day for day, month in MONTHLY.items() if month == kind), kind)
    due = "r.due_on" if daily == kind else _month_of("r.due_on")
    sql = (
        f"INSERT INTO {_ROLLUP} (unit_id, campaign_id, kind, due_on, items, done, done_on_time)"
        f" SELECT a.id, r.campaign_id, %s, {due}, COUNT(*), SUM(r.done), SUM(r.on_time)"
        f" FROM ({RECORDS[daily]}) r JOIN {_UNITS} u ON u.id = r.unit_id"
        f" JOIN {_UNITS} a ON a.path = SUBSTR(u.path, 1, %s) WHERE a.depth = %s"
    )
    params: list = [kind, Unit.steplen * depth, depth]
    if ancestor is not None:
        sql += " AND a.id = %s AND u.path LIKE %s"
        params += [ancestor.pk, ancestor.path + "%"]
    if campaign_id is not None:
        sql += " AND r.campaign_id = %s"
        params.append(campaign_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + f" GROUP BY a.id, r.campaign_id, {due}", params)


def _fill_appraisal(depth: int, *, ancestor: Unit | None = None, campaign_id: int | None = None):
    sql = (
        f"INSERT INTO {_APPRAISAL} (unit_id, campaign_id, satisfied, basically_satisfied,"
        " dissatisfied) SELECT a.id, t.campaign_id, SUM(t.satisfied),"
        " SUM(t.basically_satisfied), SUM(t.dissatisfied)"
        f" FROM {_TALLY} t JOIN {_UNITS} u ON u.id = t.unit_id"
        f" JOIN {_UNITS} a ON a.path = SUBSTR(u.path, 1, %s) WHERE a.depth = %s"
    )
    params: list = [Unit.steplen * depth, depth]
    if ancestor is not None:
        sql += " AND a.id = %s AND u.path LIKE %s"
        params += [ancestor.pk, ancestor.path + "%"]
    if campaign_id is not None:
        sql += " AND t.campaign_id = %s"
        params.append(campaign_id)
    with connection.cursor() as cursor:
        cursor.execute(sql + " GROUP BY a.id, t.campaign_id", params)


def standing_refresh(unit: Unit, campaign_id: int, kind: str) -> None:
    """Recompute the `kind` rows (by day and by month) of `unit` and of every unit above it in
    one campaign."""
    locks.take_turns(locks.STANDING_REFRESH, campaign_id or 0)
    chain = list(Unit.objects.filter(path__in=unit.ancestor_paths))
    kinds = [kind, MONTHLY[StandingKind(kind)]]
    StandingRollup.objects.filter(unit__in=chain, campaign_id=campaign_id, kind__in=kinds).delete()
    for ancestor in chain:
        for each in kinds:
            _fill(each, ancestor.depth, ancestor=ancestor, campaign_id=campaign_id)


def appraisal_refresh(unit: Unit, campaign_id: int | None = None) -> None:
    """Recompute the AppraisalRollup rows of `unit` and every unit above it."""
    locks.take_turns(locks.STANDING_REFRESH, campaign_id or 0)
    chain = list(Unit.objects.filter(path__in=unit.ancestor_paths))
    found = AppraisalRollup.objects.filter(unit__in=chain)
    if campaign_id is not None:
        found = found.filter(campaign_id=campaign_id)
    found.delete()
    for ancestor in chain:
        _fill_appraisal(ancestor.depth, ancestor=ancestor, campaign_id=campaign_id)


def appraisal_rollup_add(rating: Rating, column: str) -> None:
    """One more rating in `column` for the rated unit's subtree and every subtree above it."""
    unit = Unit.objects.only("path").get(pk=rating.unit_id)
    chain = list(Unit.objects.filter(path__in=unit.ancestor_paths).values_list("pk", flat=True))
    AppraisalRollup.objects.bulk_create(
        [AppraisalRollup(unit_id=pk, campaign_id=rating.campaign_id) for pk in chain],
        ignore_conflicts=True,
    )
    AppraisalRollup.objects.filter(unit_id__in=chain, campaign_id=rating.campaign_id).update(
        **{column: F(column) + 1}
    )


def standing_rebuild() -> None:
    """Every roll-up row again from the records."""
    StandingRollup.objects.all().delete()
    AppraisalRollup.objects.all().delete()
    deepest = Unit.objects.order_by("-depth").values_list("depth", flat=True).first() or 0
    for depth in range(1, deepest + 1):
        for kind in StandingKind.values:
            _fill(kind, depth)
        _fill_appraisal(depth)


# --- Receivers (connected in evaluations.apps) ---------------------------------------------------


def commitment_changed(sender, instance: Commitment, **kwargs) -> None:
    if CommitmentSet.objects.filter(pk=instance.set_id, status="approved").exists():
        unit = Unit.objects.get(pk=instance.unit_id)
        standing_refresh(unit, instance.campaign_id, StandingKind.COMMITMENT)


def commitment_set_changed(sender, instance: CommitmentSet, **kwargs) -> None:
    """A set's status decides whether its items count: any save may change it."""
    standing_refresh(instance.unit, instance.campaign_id, StandingKind.COMMITMENT)


def follow_up_changed(sender, instance: FollowUp, **kwargs) -> None:
    unit = Unit.objects.get(pk=instance.unit_id)
    standing_refresh(unit, instance.campaign_id, StandingKind.FOLLOW_UP)


def _shift(table: str, key: list[str], counts: list[str], unit_id: int, lost, gained) -> None:
    """Take the moved subtree's rows (those of its top unit, `unit_id`) from the units no longer
    above it, and add them to the units now above it: set-based, whatever their number."""
    match = " AND ".join(f"r.{column} = s.{column}" for column in key)
    with connection.cursor() as cursor:
        if lost:
            cursor.execute(
                f"UPDATE {table} AS r SET "
                + ", ".join(f"{c} = r.{c} - s.{c}" for c in counts)
                + f" FROM {table} AS s WHERE s.unit_id = %s AND {match}"
                f" AND r.unit_id IN ({', '.join(['%s'] * len(lost))})",
                [unit_id, *lost],
            )
        if gained:
            # Add to the rows the units above already have, then insert those they lack (no
            # ON CONFLICT: on SQLite the covering unique index is not made, and an upsert needs it).
            cursor.execute(
                f"UPDATE {table} AS r SET "
                + ", ".join(f"{c} = r.{c} + s.{c}" for c in counts)
                + f" FROM {table} AS s WHERE s.unit_id = %s AND {match}"
                f" AND r.unit_id IN ({', '.join(['%s'] * len(gained))})",
                [unit_id, *gained],
            )
            columns = ", ".join([*key, *counts])
            have = " AND ".join(f"r.{column} = s.{column}" for column in key)
            cursor.execute(
                f"INSERT INTO {table} (unit_id, {columns})"
                f" SELECT g.id, {', '.join(f's.{c}' for c in [*key, *counts])}"
                f" FROM {table} s CROSS JOIN {_UNITS} g WHERE s.unit_id = %s"
                f" AND g.id IN ({', '.join(['%s'] * len(gained))})"
                f" AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.unit_id = g.id AND {have})",
                [unit_id, *gained],
            )


def unit_moved(sender, unit: Unit | None = None, old_parent: Unit | None = None, **kwargs):
    """`unit` has just moved with its subtree from under `old_parent`: its rows (its subtree's
    figures, unchanged) leave the units that were above it and join those now above it, in the
    move's transaction (as activities.rollups does with the activities' roll-ups)."""
    if unit is None:
        standing_rebuild()
        return
    path = Unit.objects.values_list("path", flat=True).get(pk=unit.pk)
    old = Unit.objects.values_list("path", flat=True).get(pk=old_parent.pk) if old_parent else ""
    before = set(paths_up_to(old)) if old else set()
    after = set(paths_up_to(parent_path_of(path)))
    ids = dict(Unit.objects.filter(path__in=before ^ after).values_list("path", "pk"))
    lost = [ids[p] for p in before - after]
    gained = [ids[p] for p in after - before]
    if not (lost or gained):
        return
    counts = ["items", "done", "done_on_time"]
    _shift(_ROLLUP, ["campaign_id", "kind", "due_on"], counts, unit.pk, lost, gained)
    votes = ["satisfied", "basically_satisfied", "dissatisfied"]
    _shift(_APPRAISAL, ["campaign_id"], votes, unit.pk, lost, gained)
