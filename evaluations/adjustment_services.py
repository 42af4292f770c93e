"""Writes of bonus and deduction items (加分 / 扣分, evaluations.models.Adjustment): a unit's staff
claim a bonus (points > 0) with a reason and evidence files; an admin above the unit enters a
deduction (points < 0). Either is submitted and reviewed by the reviewers above the unit as a
commitment set is (evaluations.review: units.routing's levels, one event per transition); only
approved items count in the scores (evaluations.scoring). Every refusal is an EvaluationError
with a message for the user."""

from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from activities import evidence as evidence_files
from activities.exceptions import EvidenceRejected
from activities.models import Status
from campaigns.models import Campaign, Season
from evaluations import review, scoring
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import Adjustment, ReportFile
from units.models import Unit
from units.scope import Scope

Who = User | Scope


class AdjustmentRefused(EvaluationError):
    """The item does not meet the rules (points, reason, campaign)."""


def covers(campaign: Campaign, unit: Unit) -> bool:
    return unit.path.startswith(campaign.unit.path)


def may_claim_bonus(who: Who, unit: Unit, campaign: Campaign) -> bool:
    """The unit's staff, in a running campaign that covers the unit."""
    return (
        Scope.of(who).is_staff_of(unit)
        and covers(campaign, unit)
        and campaign.season() == Season.RUNNING
    )


def may_deduct(who: Who, unit: Unit, campaign: Campaign) -> bool:
    """An admin strictly above the unit, in a campaign that covers the unit."""
    return Scope.of(who).can_admin_above(unit) and covers(campaign, unit)


def points_limit(campaign: Campaign) -> Decimal:
    """The most one item may add or take away: what the campaign's scheme counts of all the
    unit's items together (evaluations.scoring.adjustment_limit)."""
    return scoring.adjustment_limit(scoring.scheme_spec(campaign))


def _checked_points(points: Decimal | None, reason: str, campaign: Campaign) -> tuple[Decimal, str]:
    reason = (reason or "").strip()
    if points is None or not points.is_finite() or points == 0:
        raise AdjustmentRefused(_("Points: a number other than 0."))
    most = points_limit(campaign)
    if not most:
        raise AdjustmentRefused(
            _("This campaign's scoring scheme counts no bonus or deduction items.")
        )
    if abs(points) > most:
        raise AdjustmentRefused(
            _(
                "Points: from -%(most)s to %(most)s — the scoring scheme counts at most "
                "%(most)s points of bonus or deduction items either way."
            )
            % {"most": f"{most.normalize():f}"}
        )
    if not reason:
        raise AdjustmentRefused(_("Say why: a reason is required."))
    return points, reason


@transaction.atomic
def adjustment_create(
    *, actor: Who, unit: Unit, campaign: Campaign, points: Decimal, reason: str
) -> Adjustment:
    """A draft item: a bonus (points > 0) by the unit's staff, a deduction (points < 0) by an
    admin above it."""
    scope = Scope.of(actor)
    points, reason = _checked_points(points, reason, campaign)
    if points > 0 and not may_claim_bonus(scope, unit, campaign):
        raise NotAllowed(_("Only the unit's staff may claim a bonus, in a running campaign."))
    if points < 0 and not may_deduct(scope, unit, campaign):
        raise NotAllowed(_("Only an admin above the unit may enter a deduction."))
    item = Adjustment(
        unit=unit, campaign=campaign, points=points, reason=reason, created_by=scope.user
    )
    item.full_clean()
    item.save()
    return item


def _editable(scope: Scope, item: Adjustment) -> Adjustment:
    current = review.locked(item)
    if not review.may_edit(scope, current):
        if not review.is_author_side(scope, current):
            raise NotAllowed(_("You may not change this item."))
        raise TransitionRefused(
            _("This item is “%(status)s”: it can be changed only as a draft or when returned.")
            % {"status": current.get_status_display()}
        )
    return current


@transaction.atomic
def adjustment_update(*, actor: Who, item: Adjustment, points: Decimal, reason: str) -> Adjustment:
    """Change a draft or returned item; a bonus stays a bonus and a deduction a deduction."""
    scope = Scope.of(actor)
    current = _editable(scope, item)
    points, reason = _checked_points(points, reason, current.campaign)
    if (points > 0) != (current.points > 0):
        raise AdjustmentRefused(
            _("A bonus stays a bonus and a deduction a deduction: enter a new item instead.")
        )
    current.points, current.reason = points, reason
    current.full_clean()
    current.save(update_fields=["points", "reason", "updated_at"])
    return current


def may_delete(who: Who, item: Adjustment) -> bool:
    """Its author's side may delete a draft never submitted: nothing of it was ever reviewed."""
    return (
        item.status == Status.DRAFT
        and item.first_submitted_at is None
        and review.is_author_side(Scope.of(who), item)
    )


@transaction.atomic
def adjustment_delete(*, actor: Who, item: Adjustment) -> None:
    """Delete a draft never submitted, with its evidence files (their stored bytes after the
    commit)."""
    scope = Scope.of(actor)
    current = review.locked(item)
    if not review.is_author_side(scope, current):
        raise NotAllowed(_("You may not delete this item."))
    if not may_delete(scope, current):
        raise TransitionRefused(
            _("Only a draft never submitted can be deleted: this one has been under review.")
        )
    stored = [(f.file.storage, f.file.name) for f in ReportFile.objects.filter(adjustment=current)]
    current.delete()

    def delete_stored() -> None:
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(delete_stored, robust=True)


@transaction.atomic
def adjustment_submit(*, actor: Who, item: Adjustment) -> Adjustment:
    """Send it to the first level's reviewers above the unit (evaluations.review.submit)."""
    scope = Scope.of(actor)
    current = review.locked(item)
    if not review.is_author_side(scope, current):
        raise NotAllowed(_("You may not submit this item."))
    return review.submit(current, actor=scope)


@transaction.atomic
def adjustment_withdraw(*, actor: Who, item: Adjustment) -> Adjustment:
    scope = Scope.of(actor)
    current = review.locked(item)
    if not review.is_author_side(scope, current):
        raise NotAllowed(_("You may not withdraw this item."))
    return review.withdraw(current, actor=scope)


@transaction.atomic
def adjustment_approve(
    *, actor: Who, item: Adjustment, level: int, comment: str = ""
) -> Adjustment:
    return review.approve(review.locked(item), actor=Scope.of(actor), level=level, comment=comment)


@transaction.atomic
def adjustment_return(*, actor: Who, item: Adjustment, level: int, reason: str) -> Adjustment:
    return review.send_back(review.locked(item), actor=Scope.of(actor), level=level, reason=reason)


@transaction.atomic
def adjustment_file_add(*, actor: Who, item: Adjustment, upload: UploadedFile) -> ReportFile:
    """Attach an evidence file, checked as an activity's evidence is (size, number of files,
    then its real type from its bytes: activities.evidence.sniff) before anything stores it."""
    scope = Scope.of(actor)
    current = _editable(scope, item)
    name = upload.name or ""
    size = cast(int, upload.size)
    if ReportFile.objects.filter(adjustment=current).count() >= settings.EVIDENCE_MAX_FILES:
        raise EvaluationError(
            _("An item may have at most %(count)s files.") % {"count": settings.EVIDENCE_MAX_FILES}
        )
    try:
        if size > settings.EVIDENCE_MAX_BYTES:
            raise EvidenceRejected(evidence_files.size_refusal(name))
        sniffed = evidence_files.sniff(upload)
    except EvidenceRejected as refused:
        raise EvaluationError(str(refused)) from None
    stored = ReportFile(
        adjustment=current,
        original_name=name[:255],
        content_type=sniffed.content_type,
        size=size,
        uploaded_by=scope.user,
    )
    stored.file.save(f"upload{sniffed.extension}", upload, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored
