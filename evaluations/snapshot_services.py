"""Frozen assessment results (issue 14 §1): taking a snapshot, publishing it for objections
(公示), units' objections and the admins' answers, corrected versions.

- A snapshot freezes what evaluations.scoring computes now for every unit of the campaign — the
  unit's name and code as they are, its total, peer group, rank, group size, grade and, per rule,
  the points with the formula's numbers and the ids of the records behind them — and the scheme
  as it is; it takes the campaign's next version number and locks the scheme. Nothing changes a
  snapshot or its rows afterwards (the models refuse it) but its publication, once.
- Publication opens a window of N working days (campaigns.deadlines.last_working_day) from the
  local day it is published; objections are taken until the end of its last day.
- An objection is filed by the staff or an admin of a unit that has a row, during the window,
  with reasons and evidence files (checked by content, activities.evidence.sniff).
- An admin of the organising unit answers each one: rejected, with the reason; or upheld, which
  takes a corrected snapshot **recomputed from the records as they are now** (the admin first
  corrects the records through their own workflows — an activity reopened, a bonus or deduction
  item approved — so every corrected point still explains itself; the scheme is locked, so it is
  the same). The correction is a new version (`corrects` = the version it replaces,
  `correction_reason` = the answer), published at once under the same window (its last day does
  not move); the old version is kept and stays readable. Several upheld objections correct the
  newest version in turn.

Every write is here; the campaign's row lock orders the writes of one campaign."""

from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accounts.models import User
from activities import evidence as evidence_files
from activities.exceptions import EvidenceRejected
from campaigns import deadlines
from campaigns.models import Campaign
from evaluations import scoring, scoring_services
from evaluations import snapshot_selectors as selectors
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import (
    OBJECTION_MAX_LENGTH,
    AssessmentGrade,
    ObjectionOutcome,
    ReportFile,
    ScoreObjection,
    ScoringScheme,
    Snapshot,
    SnapshotRow,
)
from evaluations.signals import step_committed_after_commit
from units.models import Unit
from units.scope import Scope

MAX_WINDOW_DAYS = 30
ANSWER_MAX_LENGTH = 4000
OBJECTION_MAX_FILES = 10
BATCH = 1000


@dataclass(frozen=True)
class Result:
    """One unit's result as a snapshot freezes it (what evaluations.scoring's UnitScore says)."""

    unit_id: int
    total: Decimal
    peer_group: str
    rank: int
    peers: int
    grade: str
    rules: list[dict[str, Any]]


def jsonable(value: Any) -> Any:
    """A scoring value as JSON: dataclasses as objects, Decimals as text (exact), dates in ISO
    form, lazy translations as their text, sets as sorted lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Promise):
        return str(value)
    return value


def results_for(campaign: Campaign) -> tuple[dict[str, Any], list[Result]]:
    """The scheme used and every taking-part unit's result now, from evaluations.scoring.compute.

    Computed in the site's main language (settings.LANGUAGE_CODE, zh-hans): a snapshot is the
    official record, so its peer groups' names are frozen in that language whoever takes it.
    The rules keep `formula` as its msgid with its `numbers` (shown in the reader's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        found = scoring.compute(campaign)
        results = [
            Result(
                unit_id=score.unit_id,
                total=score.total,
                peer_group=str(score.peer_group_label)[:100],
                rank=score.rank,
                peers=score.peers,
                grade=str(score.grade),
                rules=[rule.as_json() for rule in score.rules],
            )
            for score in found.units
        ]
    scheme = jsonable(found.scheme)
    scheme["as_of"] = found.as_of.isoformat()
    scheme["tie_break"] = scoring.TIE_BREAK
    return scheme, results


def _administrator(actor: User | Scope, campaign: Campaign) -> Scope:
    who = Scope.of(actor)
    if not selectors.may_administer(who, campaign):
        raise NotAllowed(_("Only an administrator of the organising unit may do this."))
    return who


def _locked_campaign(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)


def _freeze(
    campaign: Campaign,
    who: Scope,
    *,
    corrects: Snapshot | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> Snapshot:
    scoring_services.scheme_default(campaign=campaign)  # the scheme to lock, made if none yet
    scheme, results = results_for(campaign)
    latest = Snapshot.objects.filter(campaign=campaign).aggregate(n=Max("version"))["n"] or 0
    snapshot = Snapshot(
        campaign=campaign,
        version=latest + 1,
        corrects=corrects,
        correction_reason=reason,
        scheme=scheme,
        taken_by=who.user,
    )
    if corrects is not None:  # published at once, under the window it corrects
        snapshot.published_at = at or timezone.now()
        snapshot.published_by = who.user
        snapshot.window_days = corrects.window_days
        snapshot.window_ends_on = corrects.window_ends_on
    snapshot.full_clean()
    snapshot.save()
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(pk__in=[r.unit_id for r in results]).only("name", "code")
    }
    valid = set(AssessmentGrade.values)
    rows = [
        SnapshotRow(
            snapshot=snapshot,
            unit_id=result.unit_id,
            unit_name=units[result.unit_id].name,
            unit_code=units[result.unit_id].code,
            peer_group=result.peer_group,
            total=result.total,
            rank=result.rank,
            peers=result.peers,
            grade=result.grade if result.grade in valid else AssessmentGrade.POOR,
            rules=result.rules,
        )
        for result in results
        if result.unit_id in units
    ]
    SnapshotRow.objects.bulk_create(rows, batch_size=BATCH)
    ScoringScheme.objects.filter(campaign=campaign, locked_at__isnull=True).update(
        locked_at=at or timezone.now()
    )
    return snapshot


@transaction.atomic
def snapshot_take(
    actor: User | Scope, campaign: Campaign, *, at: datetime | None = None
) -> Snapshot:
    """Freeze every unit's result now as the campaign's next version; lock the scheme."""
    who = _administrator(actor, campaign)
    campaign = _locked_campaign(campaign)
    return _freeze(campaign, who, at=at)


@transaction.atomic
def snapshot_publish(
    actor: User | Scope, snapshot: Snapshot, *, window_days: int, at: datetime | None = None
) -> Snapshot:
    """Publish the snapshot (公示) for `window_days` working days from today (local)."""
    who = _administrator(actor, snapshot.campaign)
    _locked_campaign(snapshot.campaign)
    current = Snapshot.objects.select_related("campaign").get(pk=snapshot.pk)
    if current.is_published:
        raise EvaluationError(_("This snapshot is published already."))
    if current.corrects_id is not None:
        raise EvaluationError(_("A corrected version is published with the version it corrects."))
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise EvaluationError(
            _("The notice period is from 1 to %(most)d working days.") % {"most": MAX_WINDOW_DAYS}
        )
    now = at or timezone.now()
    current.published_at = now
    current.published_by = who.user
    current.window_days = window_days
    current.window_ends_on = deadlines.last_working_day(
        deadlines.today(current.campaign, now), window_days
    )
    current.save(update_fields=["published_at", "published_by", "window_days", "window_ends_on"])
    step_committed_after_commit("snapshot_published", current.pk)
    return current


def _checked(upload: UploadedFile) -> tuple[UploadedFile, evidence_files.Sniffed]:
    name = upload.name or ""
    try:
        if (upload.size or 0) > settings.EVIDENCE_MAX_BYTES:
            raise EvidenceRejected(evidence_files.size_refusal(name))
        sniffed = evidence_files.sniff(upload)
    except EvidenceRejected as refused:
        reason = str(refused)
        if name and name not in reason:
            reason = _("“%(name)s” was not attached: %(reason)s") % {"name": name, "reason": reason}
        raise EvaluationError(reason) from None
    return upload, sniffed


@transaction.atomic
def objection_file(
    actor: User | Scope,
    snapshot: Snapshot,
    unit: Unit,
    *,
    reasons: str,
    files: Iterable[UploadedFile] = (),
    at: datetime | None = None,
) -> ScoreObjection:
    """A unit's objection to its result in a published snapshot, during the window."""
    who = Scope.of(actor)
    if not selectors.may_object_for(who, unit):
        raise NotAllowed(_("Only the unit's staff or administrators may object to its result."))
    _locked_campaign(snapshot.campaign)
    current = Snapshot.objects.select_related("campaign").get(pk=snapshot.pk)
    if not SnapshotRow.objects.filter(snapshot=current, unit=unit).exists():
        raise NotAllowed(_("This unit has no result in this snapshot."))
    if not current.is_published:
        raise EvaluationError(_("Objections are taken only once the result is published."))
    if Snapshot.objects.filter(corrects=current).exists():
        raise EvaluationError(
            _("A corrected version replaces this one: object to the corrected version.")
        )
    today = deadlines.today(current.campaign, at)
    if not selectors.window_open(current, today):
        raise EvaluationError(
            _("The notice period ended on %(day)s: objections are no longer taken.")
            % {"day": current.window_ends_on}
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise EvaluationError(_("Say why the result is wrong."))
    if len(reasons) > OBJECTION_MAX_LENGTH:
        raise EvaluationError(
            _("The reasons may be at most %(count)d characters long.")
            % {"count": OBJECTION_MAX_LENGTH}
        )
    if ScoreObjection.objects.filter(
        snapshot=current, unit=unit, outcome=ObjectionOutcome.PENDING
    ).exists():
        raise EvaluationError(_("This unit's objection is waiting for an answer already."))
    uploads = list(files)
    if len(uploads) > OBJECTION_MAX_FILES:
        raise EvaluationError(
            _("An objection may have at most %(count)d files.") % {"count": OBJECTION_MAX_FILES}
        )
    checked = [_checked(upload) for upload in uploads]
    objection = ScoreObjection(snapshot=current, unit=unit, reasons=reasons, filed_by=who.user)
    objection.full_clean()
    objection.save()
    stored: list[ReportFile] = []
    try:
        for upload, sniffed in checked:
            item = ReportFile(
                score_objection=objection,
                original_name=(upload.name or "")[:255],
                content_type=sniffed.content_type,
                size=upload.size or 0,
                uploaded_by=who.user,
            )
            item.file.save(f"upload{sniffed.extension}", upload, save=True)
            stored.append(item)
    except Exception:
        for item in stored:  # the transaction rolls back: nothing refers to them
            item.file.storage.delete(item.file.name)
        raise
    step_committed_after_commit("score_objection_filed", objection.pk)
    return objection


def _newest(snapshot: Snapshot) -> Snapshot:
    """The newest version of the correction chain `snapshot` belongs to (row-locked campaign)."""
    return selectors.current_version(snapshot)


@transaction.atomic
def objection_answer(
    actor: User | Scope,
    objection: ScoreObjection,
    *,
    upheld: bool,
    answer: str,
    at: datetime | None = None,
) -> ScoreObjection:
    """Answer an objection: rejected with the reason, or upheld — a corrected snapshot,
    recomputed from the records now, replaces the newest version (see the module's note)."""
    who = _administrator(actor, objection.snapshot.campaign)
    campaign = _locked_campaign(objection.snapshot.campaign)
    current = (
        ScoreObjection.objects.select_for_update().select_related("snapshot").get(pk=objection.pk)
    )
    if current.outcome != ObjectionOutcome.PENDING:
        raise EvaluationError(_("This objection has been answered already."))
    answer = (answer or "").strip()
    if not answer:
        raise EvaluationError(
            _("Say what was corrected.") if upheld else _("Say why the objection is rejected.")
        )
    if len(answer) > ANSWER_MAX_LENGTH:
        raise EvaluationError(
            _("The answer may be at most %(count)d characters long.") % {"count": ANSWER_MAX_LENGTH}
        )
    now = at or timezone.now()
    fields_changed = ["outcome", "answer", "answered_by", "answered_at"]
    if upheld:
        replaced = _newest(current.snapshot)
        current.correction = _freeze(campaign, who, corrects=replaced, reason=answer, at=now)
        fields_changed.append("correction")
        # Published at once: its units hear of it as of a first publication.
        step_committed_after_commit("snapshot_published", current.correction.pk)
    current.outcome = ObjectionOutcome.UPHELD if upheld else ObjectionOutcome.REJECTED
    current.answer = answer
    current.answered_by = who.user
    current.answered_at = now
    current.full_clean()
    current.save(update_fields=fields_changed)
    step_committed_after_commit("score_objection_answered", current.pk)
    return current
