"""Writes of the evaluations app. Every change goes through these functions, which check who may
make it and keep the figures (AppraisalTally) in the same transaction as the records."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Campaign, Season
from evaluations.exceptions import AlreadyRated, AppraisalClosed, EvaluationError, NotAllowed
from evaluations.models import REMARK_MAX_LENGTH, AppraisalLink, AppraisalTally, Rating
from evaluations.standing_rollups import appraisal_rollup_add
from units.models import Unit
from units.scope import Scope

log = logging.getLogger(__name__)


def may_manage_appraisal(who: User | Scope, unit: Unit) -> bool:
    """An admin of `unit` or of a unit above it rotates its link and hides abusive remarks."""
    return Scope.of(who).can_manage(unit)


def appraisal_link(unit: Unit, campaign: Campaign, *, by: User | None = None) -> AppraisalLink:
    """The current link of `unit` in `campaign`, issued on first use."""
    current = AppraisalLink.objects.filter(unit=unit, campaign=campaign, revoked_at__isnull=True)
    found = current.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return AppraisalLink.objects.create(unit=unit, campaign=campaign, created_by=by)
    except IntegrityError:  # issued by a concurrent request a moment ago
        return current.get()


def appraisal_link_rotate(user: User, unit: Unit, campaign: Campaign) -> AppraisalLink:
    """Revoke the current link (it stops working at once) and issue a new one."""
    if not may_manage_appraisal(user, unit):
        raise NotAllowed(_("Only an administrator of this unit or above may issue a new link."))
    with transaction.atomic():
        # One rotation of a unit at a time (a double click makes two): the unit's row is the lock.
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        AppraisalLink.objects.filter(unit=unit, campaign=campaign, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=user
        )
        link = AppraisalLink.objects.create(unit=unit, campaign=campaign, created_by=user)
    log.info("appraisal link of unit %s in campaign %s rotated by %s", unit.pk, campaign.pk, user)
    return link


def rating_submit(
    link: AppraisalLink, verdict: int, remark: str, device: str, *, at: datetime | None = None
) -> Rating:
    """Record one rating from `device` (the hash of the rater's device cookie) through `link`,
    now or — for the demo's past seasons — at `at`, which must lie in the campaign."""
    at = at or timezone.now()
    running = link.campaign.season(timezone.localdate(at)) == Season.RUNNING
    if link.revoked_at is not None or not running:
        raise AppraisalClosed(_("Appraisal through this link is closed."))
    remark = remark.strip()[:REMARK_MAX_LENGTH]
    try:
        with transaction.atomic():
            # The link as it is now, locked: a rotation a moment ago closes it.
            current = AppraisalLink.objects.select_for_update().filter(pk=link.pk).first()
            if current is None or current.revoked_at is not None:
                raise AppraisalClosed(_("Appraisal through this link is closed."))
            rating = Rating.objects.create(
                link=link,
                unit_id=link.unit_id,
                campaign_id=link.campaign_id,
                verdict=verdict,
                remark=remark,
                device=device,
                created_at=at,
            )
            _tally(rating)
    except IntegrityError as error:
        raise AlreadyRated(_("You have already rated this unit in this campaign.")) from error
    return rating


def _tally(rating: Rating) -> None:
    month = timezone.localdate(rating.created_at).replace(day=1)
    column = AppraisalTally.column_for(rating.verdict)
    tally, _created = AppraisalTally.objects.get_or_create(
        unit_id=rating.unit_id, campaign_id=rating.campaign_id, month=month
    )
    AppraisalTally.objects.filter(pk=tally.pk).update(**{column: F(column) + 1})
    appraisal_rollup_add(rating, column)  # the subtrees' figures (evaluations.standing_rollups)


def rating_remark_hide(user: User, rating: Rating, reason: str) -> Rating:
    """Hide an abusive remark (the rating itself stays, and counts). The reason is kept."""
    reason = reason.strip()
    if not may_manage_appraisal(user, rating.unit):
        raise NotAllowed(_("Only an administrator of this unit or above may hide a remark."))
    if not reason:
        raise EvaluationError(_("Say why the remark is hidden."))
    updated = Rating.objects.filter(pk=rating.pk, remark_hidden_at__isnull=True).update(
        remark_hidden_at=timezone.now(), remark_hidden_by=user, remark_hidden_reason=reason[:200]
    )
    if updated:
        log.info("remark of rating %s hidden by %s: %s", rating.pk, user, reason)
    rating.refresh_from_db()
    return rating
