"""Reads of frozen assessment results: snapshots as a user may see them, their rows, the
objections to them, and the one rule of when a snapshot is final (`finality` / `is_final`).

Who sees what:
- a snapshot not yet published: those who see the campaign's organising unit (its members and
  the levels above; its admins take and publish snapshots);
- a published one: also every member of a unit in the campaign's tree (a unit reads the ranking
  it may object to — the public reads it on the notice page anyway);
- an objection: its unit's members and those above it (units.scope.Scope.can_view), and the
  admins of the organising unit who answer it.
Anything else is a 404."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from campaigns import deadlines
from campaigns.models import Campaign
from common.posted import token
from evaluations.models import (
    AssessmentGrade,
    ObjectionOutcome,
    ReportFile,
    RuleKind,
    ScoreObjection,
    Snapshot,
    SnapshotRow,
)
from units.models import Role, Unit
from units.scope import Scope

ROWS_PER_PAGE = 100


def may_administer(actor: Scope, campaign: Campaign) -> bool:
    """An admin of the campaign's organising unit (or above it): takes and publishes snapshots
    and answers objections."""
    return actor.can_manage(campaign.unit)


def may_see_drafts(actor: Scope, campaign: Campaign) -> bool:
    return actor.can_view(campaign.unit)


def takes_part(actor: Scope, campaign: Campaign) -> bool:
    """A member of a unit in the campaign's tree, or someone who sees the organising unit."""
    return actor.can_view(campaign.unit) or any(
        path.startswith(campaign.unit.path) for path in actor.paths
    )


def campaign_for_user(actor: Scope, pk: int) -> Campaign:
    campaign = Campaign.objects.select_related("unit").filter(pk=pk).first()
    if campaign is None or not takes_part(actor, campaign):
        raise Http404
    return campaign


def snapshot_for_user(actor: Scope, pk: int) -> Snapshot:
    """The snapshot `pk` if the user may read it, else 404."""
    found = (
        Snapshot.objects.select_related("campaign__unit", "corrects", "corrected_by")
        .filter(pk=pk)
        .first()
    )
    if found is None or not _may_read(actor, found):
        raise Http404
    return found


def _may_read(actor: Scope, snapshot: Snapshot) -> bool:
    if may_see_drafts(actor, snapshot.campaign):
        return True
    return snapshot.is_published and takes_part(actor, snapshot.campaign)


def published_snapshot(public_id: str) -> Snapshot:
    """The published snapshot behind a public notice id, else 404 (unknown or not published)."""
    found = (
        Snapshot.objects.select_related("campaign", "corrected_by")
        .filter(public_id=token(public_id) or None, published_at__isnull=False)
        .first()
    )
    if found is None:
        raise Http404
    return found


def snapshots_of(actor: Scope, campaign: Campaign) -> list[Snapshot]:
    """The campaign's snapshots the user may read, newest first, each with `pending` (its
    objections waiting for an answer), `final` (see `finality`), `open` (its notice period runs)
    and `replaced` (a corrected version replaces it), in one or two queries."""
    found = Snapshot.objects.filter(campaign=campaign).annotate(
        pending=Count("objections", filter=Q(objections__outcome=ObjectionOutcome.PENDING))
    )
    if not may_see_drafts(actor, campaign):
        found = found.filter(published_at__isnull=False)
    snapshots: list[Snapshot] = list(found.select_related("corrects").order_by("-version"))
    everything = snapshots if may_see_drafts(actor, campaign) else _with_pending(campaign)
    today = deadlines.today(campaign)
    final = finality(everything, today=today)
    replaced = {item.corrects_id for item in everything if item.corrects_id}
    for snapshot in snapshots:
        snapshot.final = final.get(snapshot.pk, False)  # type: ignore[attr-defined]
        snapshot.open = window_open(snapshot, today)  # type: ignore[attr-defined]
        snapshot.replaced = snapshot.pk in replaced  # type: ignore[attr-defined]
    return snapshots


def _with_pending(campaign: Campaign) -> list[Snapshot]:
    found: list[Snapshot] = list(
        Snapshot.objects.filter(campaign=campaign).annotate(
            pending=Count("objections", filter=Q(objections__outcome=ObjectionOutcome.PENDING))
        )
    )
    return found


# --- Final or not: the one rule ----------------------------------------------------------------


def window_open(snapshot: Snapshot, today: date | None = None) -> bool:
    """Objections are taken from publication until the end of the window's last local day."""
    if not snapshot.is_published or snapshot.window_ends_on is None:
        return False
    return (today or deadlines.today(snapshot.campaign)) <= snapshot.window_ends_on


def finality(snapshots: list[Snapshot], *, today: date) -> dict[int, bool]:
    """{snapshot id: final?} for snapshots of one campaign, each annotated with `pending` (its
    objections waiting). A snapshot is final when it is published, its window has closed, no
    corrected version replaces it, and no objection to it or to a version it corrects (its
    chain) waits for an answer. A replaced version is never final: its correction may be."""
    by_id = {snapshot.pk: snapshot for snapshot in snapshots}
    replaced = {snapshot.corrects_id for snapshot in snapshots if snapshot.corrects_id}
    found: dict[int, bool] = {}
    for snapshot in snapshots:
        if snapshot.pk in replaced or not snapshot.is_published:
            found[snapshot.pk] = False
            continue
        if window_open(snapshot, today):
            found[snapshot.pk] = False
            continue
        waiting = 0
        current: Snapshot | None = snapshot
        seen: set[int] = set()
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            waiting += getattr(current, "pending", 0)
            current = by_id.get(current.corrects_id) if current.corrects_id else None
        found[snapshot.pk] = waiting == 0
    return found


def is_final(snapshot: Snapshot, today: date | None = None) -> bool:
    """Is this snapshot the campaign's final result? (`finality` for one snapshot; every page
    asks here.)"""
    everything = _with_pending(snapshot.campaign)
    return finality(everything, today=today or deadlines.today(snapshot.campaign)).get(
        snapshot.pk, False
    )


def current_version(snapshot: Snapshot) -> Snapshot:
    """The newest correction of `snapshot` (itself when none replaces it)."""
    current = snapshot
    for _ in range(1000):
        following = Snapshot.objects.filter(corrects=current).first()
        if following is None:
            break
        current = following
    return current


# --- Rows --------------------------------------------------------------------------------------


def rows_of(snapshot: Snapshot) -> QuerySet[SnapshotRow]:
    """The snapshot's rows by peer group and rank (one query; the rows hold all they show)."""
    return SnapshotRow.objects.filter(snapshot=snapshot).order_by("peer_group", "rank", "unit_code")


@dataclass(frozen=True)
class RuleColumn:
    kind: str
    label: str
    weight: str


def rule_columns(snapshot: Snapshot) -> list[RuleColumn]:
    """The scheme's rules as they were frozen, in the scheme's order: one column each."""
    columns = []
    for rule in snapshot.scheme.get("rules", []):
        kind = str(rule.get("kind", ""))
        label = str(RuleKind(kind).label) if kind in RuleKind.values else kind
        columns.append(RuleColumn(kind, label, str(rule.get("weight", ""))))
    return columns


def points_by_rule(row: SnapshotRow, columns: list[RuleColumn]) -> list[str]:
    """The row's points for each column ("—" where the rule was left out for the unit)."""
    found = {str(item.get("kind")): item for item in row.rules if isinstance(item, dict)}
    shown = []
    for column in columns:
        item = found.get(column.kind)
        if item is None or item.get("excluded"):
            shown.append("—")
        else:
            shown.append(str(item.get("points", "")))
    return shown


def any_scaled(rows: Iterable[SnapshotRow]) -> bool:
    """Has any of `rows` a rule left out for its unit (nothing to measure)? Its other rules were
    then scaled up to be worth 100 between them (evaluations.scoring), so their points may
    exceed the weights the columns show."""
    return any(
        isinstance(item, dict) and item.get("excluded") for row in rows for item in row.rules
    )


@dataclass(frozen=True)
class RuleLine:
    """One rule of a frozen row, as a unit reads it: its points of its weight and the formula
    with the unit's numbers, in the reader's language."""

    label: str
    points: str
    weight: str
    formula: str


def rule_lines(row: SnapshotRow, columns: list[RuleColumn]) -> list[RuleLine]:
    found = {str(item.get("kind")): item for item in row.rules if isinstance(item, dict)}
    lines = []
    for column, points in zip(columns, points_by_rule(row, columns), strict=True):
        item = found.get(column.kind, {})
        formula = str(item.get("formula") or "")
        try:
            text = gettext(formula) % item.get("numbers", {}) if formula else ""
        except (KeyError, TypeError, ValueError):
            text = gettext(formula)
        lines.append(RuleLine(column.label, points, column.weight, text))
    return lines


# --- Objections --------------------------------------------------------------------------------


def objecting_units(actor: Scope, snapshot: Snapshot) -> list[Unit]:
    """The user's own units (staff or admin on the unit itself) that have a row in the
    snapshot: those they may file an objection for."""
    own = {
        unit_id for role, unit_id, _path in actor.memberships if role in (Role.STAFF, Role.ADMIN)
    }
    if not own:
        return []
    ids = SnapshotRow.objects.filter(snapshot=snapshot, unit_id__in=own).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def may_object_for(actor: Scope, unit: Unit) -> bool:
    """Staff or admin on the unit itself (not above it)."""
    return any(
        unit_id == unit.pk and role in (Role.STAFF, Role.ADMIN)
        for role, unit_id, _path in actor.memberships
    )


def objections_of(actor: Scope, snapshot: Snapshot) -> QuerySet[ScoreObjection]:
    """The snapshot's objections the user may read: all of them for those who see the
    organising unit, else their own units' (and those below)."""
    found = ScoreObjection.objects.filter(snapshot=snapshot).select_related("unit")
    if not may_see_drafts(actor, snapshot.campaign):
        found = found.filter(actor.subtree_q("unit__path"))
    return found.order_by("filed_at", "pk")


@dataclass(frozen=True)
class SnapshotState:
    """One snapshot as a reader sees it now: the page and the API both show these."""

    final: bool
    window_open: bool
    replaced_by: Snapshot | None
    may_administer: bool
    objections: list[ScoreObjection]
    objecting_units: list[Unit]  # those the reader may object for now


def snapshot_state(actor: Scope, snapshot: Snapshot) -> SnapshotState:
    is_open = window_open(snapshot)
    replaced = getattr(snapshot, "corrected_by", None)
    return SnapshotState(
        final=is_final(snapshot),
        window_open=is_open,
        replaced_by=replaced,
        may_administer=may_administer(actor, snapshot.campaign),
        objections=list(objections_of(actor, snapshot)),
        objecting_units=objecting_units(actor, snapshot) if is_open and not replaced else [],
    )


def objection_for_user(actor: Scope, pk: int) -> ScoreObjection:
    found = (
        ScoreObjection.objects.select_related(
            "unit", "snapshot__campaign__unit", "correction", "filed_by", "answered_by"
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    if not (actor.can_view(found.unit) or may_see_drafts(actor, found.snapshot.campaign)):
        raise Http404
    return found


def objection_files(objection: ScoreObjection) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(score_objection=objection).order_by("created_at", "pk")


# --- Exports -----------------------------------------------------------------------------------


def ranking_workbook(snapshot: Snapshot) -> bytes:
    """The snapshot's ranking as .xlsx: one row per unit with every rule's points. Text a user
    typed (unit names, peer groups) is written as text, never a formula (common.spreadsheets);
    points are numbers."""
    from io import BytesIO

    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from common.spreadsheets import xlsx_append

    columns = rule_columns(snapshot)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"v{snapshot.version}"
    xlsx_append(sheet, [f"{snapshot.campaign.name} · {_('version')} {snapshot.version}"])
    header = [_("Peer group"), _("Rank"), _("Units in the group"), _("Code"), _("Unit")]
    header += [_("Points"), _("Grade")] + [column.label for column in columns]
    xlsx_append(sheet, header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    grades = dict(AssessmentGrade.choices)
    for row in rows_of(snapshot):
        points = [_number(value) for value in points_by_rule(row, columns)]
        xlsx_append(
            sheet,
            [
                row.peer_group,
                row.rank,
                row.peers,
                row.unit_code,
                row.unit_name,
                row.total,
                str(grades.get(row.grade, row.grade)),
                *points,
            ],
        )
    sheet.freeze_panes = "A3"
    for letter, width in zip("ABCDEFG", (24, 6, 8, 12, 30, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number(value: str) -> object:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return value
