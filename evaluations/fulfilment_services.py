"""Fulfilment (践诺): a unit's staff report an approved commitment fulfilled — a statement,
evidence files and the approved activities of the unit that fulfilled it — and the report is
reviewed like a submission (evaluations.review). On the final approval the commitment is
fulfilled, and kept on time when the report was first submitted on or before its due date, in
whole local days (campaigns.deadlines).

Every write is here; each takes the report's row lock (review.locked) in its transaction."""

from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities import evidence as evidence_files
from activities.exceptions import EvidenceRejected
from activities.models import Activity, Status
from campaigns import deadlines
from evaluations import review
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import (
    STATEMENT_MAX_LENGTH,
    Commitment,
    FulfilmentReport,
    ReportFile,
)
from units.scope import Scope


def _refuse_edit(actor: Scope, report: FulfilmentReport) -> None:
    if not actor.is_staff_of(report.commitment.unit):
        raise NotAllowed(_("Only the unit's staff may change its fulfilment report."))
    if not review.may_edit(actor, report):
        raise TransitionRefused(
            _("This report is “%(status)s”: it can be changed only as a draft or when returned.")
            % {"status": report.get_status_display()}
        )


def kept_on_time(report: FulfilmentReport) -> bool:
    """Was the report first submitted on or before its commitment's due date (the local day of
    the first submission, in the campaign's zone)?"""
    commitment = report.commitment
    first = report.first_submitted_at or timezone.now()
    return deadlines.today(commitment.campaign, first) <= commitment.due_on


@transaction.atomic
def report_start(actor: User | Scope, commitment: Commitment) -> FulfilmentReport:
    """The commitment's report, started as an empty draft if it has none yet."""
    who = Scope.of(actor)
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("set", "unit", "campaign")
        .get(pk=commitment.pk)
    )
    if not who.is_staff_of(commitment.unit):
        raise NotAllowed(_("Only the unit's staff may report a commitment fulfilled."))
    existing = FulfilmentReport.objects.filter(commitment=commitment).first()
    if existing is not None:
        return existing
    if commitment.set.status != Status.APPROVED:
        raise EvaluationError(_("Only a commitment of an approved set can be reported fulfilled."))
    if commitment.is_fulfilled:
        raise EvaluationError(_("This commitment is already fulfilled."))
    return FulfilmentReport.objects.create(commitment=commitment, statement="", created_by=who.user)


def _checked_activities(commitment: Commitment, chosen: Iterable[Activity | int]) -> list[Activity]:
    ids = {item if isinstance(item, int) else item.pk for item in chosen}
    found = list(
        Activity.objects.filter(
            pk__in=ids,
            unit_id=commitment.unit_id,
            campaign_id=commitment.campaign_id,
            status=Status.APPROVED,
        )
    )
    if len(found) != len(ids):
        raise EvaluationError(
            _(
                "Only approved activities organised by %(unit)s in this campaign can be linked "
                "to its commitment."
            )
            % {"unit": commitment.unit.name}
        )
    return found


@transaction.atomic
def report_update(
    actor: User | Scope,
    report: FulfilmentReport,
    *,
    statement: str,
    activities: Iterable[Activity | int] = (),
) -> FulfilmentReport:
    """Save the statement and the linked activities of a draft or returned report."""
    who = Scope.of(actor)
    report = review.locked(report)
    _refuse_edit(who, report)
    statement = (statement or "").strip()
    if not statement:
        raise EvaluationError(_("Say how the commitment was fulfilled: a statement is required."))
    if len(statement) > STATEMENT_MAX_LENGTH:
        raise EvaluationError(
            _("The statement may be at most %(limit)d characters long.")
            % {"limit": STATEMENT_MAX_LENGTH}
        )
    linked = _checked_activities(report.commitment, activities)
    report.statement = statement
    report.save(update_fields=["statement", "updated_at"])
    report.activities.set(linked)
    return report


@transaction.atomic
def file_add(actor: User | Scope, report: FulfilmentReport, upload: UploadedFile) -> ReportFile:
    """Attach an evidence file, checked as an activity's evidence is: its size and the number
    of files first, then its real type from its bytes (activities.evidence.sniff) before
    anything decodes or stores it."""
    who = Scope.of(actor)
    report = review.locked(report)
    _refuse_edit(who, report)
    name = upload.name or ""
    size = cast(int, upload.size)
    if ReportFile.objects.filter(fulfilment=report).count() >= settings.EVIDENCE_MAX_FILES:
        raise EvaluationError(
            _("A report may have at most %(count)s files.") % {"count": settings.EVIDENCE_MAX_FILES}
        )
    try:
        if size > settings.EVIDENCE_MAX_BYTES:
            raise EvidenceRejected(evidence_files.size_refusal(name))
        sniffed = evidence_files.sniff(upload)
    except EvidenceRejected as refused:
        raise EvaluationError(str(refused)) from None
    item = ReportFile(
        fulfilment=report,
        original_name=name[:255],
        content_type=sniffed.content_type,
        size=size,
        uploaded_by=who.user,
    )
    item.file.save(f"upload{sniffed.extension}", upload, save=False)
    try:
        item.save()
    except Exception:
        item.file.storage.delete(item.file.name)  # nothing refers to it once the row is not written
        raise
    return item


@transaction.atomic
def file_delete(actor: User | Scope, item: ReportFile) -> None:
    who = Scope.of(actor)
    if item.fulfilment_id is None:
        raise NotAllowed(_("This file is not part of a fulfilment report."))
    report = review.locked(cast(FulfilmentReport, item.fulfilment))
    _refuse_edit(who, report)
    name, storage = item.file.name, item.file.storage
    item.delete()
    transaction.on_commit(lambda: storage.delete(name), robust=True)


@transaction.atomic
def report_submit(actor: User | Scope, report: FulfilmentReport) -> FulfilmentReport:
    """Send the report for review: it needs a statement and at least one file or activity."""
    who = Scope.of(actor)
    report = review.locked(report)
    _refuse_edit(who, report)
    if not report.statement.strip():
        raise EvaluationError(_("Write the statement before submitting the report."))
    if not (report.files.exists() or report.activities.exists()):
        raise EvaluationError(
            _("Attach at least one evidence file or link one approved activity before submitting.")
        )
    return review.submit(report, actor=who)


@transaction.atomic
def report_withdraw(actor: User | Scope, report: FulfilmentReport) -> FulfilmentReport:
    who = Scope.of(actor)
    report = review.locked(report)
    if not who.is_staff_of(report.commitment.unit):
        raise NotAllowed(_("Only the unit's staff may withdraw its fulfilment report."))
    return review.withdraw(report, actor=who)


@transaction.atomic
def report_approve(
    actor: User | Scope, report: FulfilmentReport, *, level: int, comment: str = ""
) -> FulfilmentReport:
    """Approve at `level`; the final approval fulfils the commitment (and says whether on
    time)."""
    who = Scope.of(actor)
    report = review.locked(report)
    report = review.approve(report, actor=who, level=level, comment=(comment or "").strip())
    if report.status == Status.APPROVED:
        commitment = report.commitment
        commitment.fulfilled_at = report.approved_at or timezone.now()
        commitment.kept_on_time = kept_on_time(report)
        commitment.save(update_fields=["fulfilled_at", "kept_on_time"])
    return report


@transaction.atomic
def report_return(
    actor: User | Scope, report: FulfilmentReport, *, level: int, reason: str
) -> FulfilmentReport:
    who = Scope.of(actor)
    report = review.locked(report)
    return review.send_back(report, actor=who, level=level, reason=reason)
