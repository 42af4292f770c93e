"""Writes of public commitments (公开承诺): a unit's set for a campaign, its items, and the set's
review (evaluations.review, the activities' transitions and units.routing's levels). A set is
published once approved; its unit's public board (PublicBoard) is made on first use.

Who may: the unit's staff draft, edit, submit and withdraw (review.may_edit / may_withdraw);
the reviewers above the unit approve or return (review.may_review). Every refusal is an
EvaluationError with a message for the user."""

from collections.abc import Sequence
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from activities.models import Status
from campaigns import deadlines
from campaigns.models import Campaign, Season, TargetTask
from campaigns.selectors import campaigns_covering
from evaluations import review
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import Commitment, CommitmentSet, PublicBoard
from units.models import Unit
from units.scope import Scope


class CommitmentRefused(EvaluationError):
    """The commitment or set does not meet the rules (dates, task, items)."""


Who = User | Scope


def may_draft(who: Who, unit: Unit, campaign: Campaign) -> bool:
    """The unit's staff, in a running campaign that covers the unit."""
    return (
        Scope.of(who).is_staff_of(unit)
        and campaign.season() == Season.RUNNING
        and campaign in campaigns_covering(unit)
    )


def draft_set(who: Who, unit: Unit, campaign: Campaign) -> CommitmentSet:
    """The unit's set for `campaign`, made (as a draft) on first use by its staff."""
    actor = Scope.of(who)
    if not actor.is_staff_of(unit):
        raise NotAllowed(_("Only the unit's staff may draft its commitments."))
    found = CommitmentSet.objects.filter(unit=unit, campaign=campaign).first()
    if found is not None:
        return found
    if not may_draft(actor, unit, campaign):
        raise CommitmentRefused(
            _("Commitments are drafted only in a running campaign that covers the unit.")
        )
    try:
        with transaction.atomic():
            return CommitmentSet.objects.create(unit=unit, campaign=campaign, created_by=actor.user)
    except IntegrityError:  # made by a concurrent request a moment ago
        return CommitmentSet.objects.get(unit=unit, campaign=campaign)


def _editable(actor: Scope, commitment_set: CommitmentSet) -> CommitmentSet:
    """The set locked for the transaction, if `actor` may edit it now."""
    current = review.locked(commitment_set)
    if not review.may_edit(actor, current):
        if not actor.is_staff_of(current.unit):
            raise NotAllowed(_("Only the unit's staff may change its commitments."))
        raise TransitionRefused(
            _("This set is “%(status)s”: it can be changed only as a draft or when returned.")
            % {"status": current.get_status_display()}
        )
    return current


def _checked(
    commitment_set: CommitmentSet,
    promise: str,
    measure: str,
    due_on: date | None,
    task: TargetTask | None,
) -> tuple[str, str, date]:
    promise, measure = (promise or "").strip(), (measure or "").strip()
    campaign = commitment_set.campaign
    if not promise:
        raise CommitmentRefused(_("Say what is promised."))
    if not measure:
        raise CommitmentRefused(_("Say how the commitment will be measured."))
    if due_on is None or not campaign.starts_on <= due_on <= campaign.ends_on:
        raise CommitmentRefused(
            _("The due date must lie within the campaign, from %(start)s to %(end)s.")
            % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
        )
    if task is not None and task.campaign_id != campaign.pk:
        raise CommitmentRefused(_("The target task must belong to this campaign."))
    return promise, measure, due_on


def item_add(
    who: Who,
    commitment_set: CommitmentSet,
    *,
    promise: str,
    measure: str,
    due_on: date | None,
    task: TargetTask | None = None,
) -> Commitment:
    actor = Scope.of(who)
    with transaction.atomic():
        current = _editable(actor, commitment_set)
        promise, measure, due = _checked(current, promise, measure, due_on, task)
        last = current.items.order_by("-position").values_list("position", flat=True).first()
        return Commitment.objects.create(
            set=current,
            unit_id=current.unit_id,
            campaign_id=current.campaign_id,
            position=(last or 0) + 1,
            promise=promise,
            measure=measure,
            due_on=due,
            task=task,
        )


def item_edit(
    who: Who,
    item: Commitment,
    *,
    promise: str,
    measure: str,
    due_on: date | None,
    task: TargetTask | None = None,
) -> Commitment:
    actor = Scope.of(who)
    with transaction.atomic():
        current = _editable(actor, item.set)
        if not current.items.filter(pk=item.pk).exists():
            raise CommitmentRefused(_("This commitment has been deleted meanwhile."))
        promise, measure, due = _checked(current, promise, measure, due_on, task)
        item.promise, item.measure, item.due_on, item.task = promise, measure, due, task
        item.save(update_fields=["promise", "measure", "due_on", "task"])
        return item


def item_delete(who: Who, item: Commitment) -> None:
    actor = Scope.of(who)
    with transaction.atomic():
        _editable(actor, item.set)
        item.delete()


def items_reorder(who: Who, commitment_set: CommitmentSet, ordered_ids: Sequence[int]) -> None:
    """Put the set's items in the order of `ordered_ids` (others after them, as they were)."""
    actor = Scope.of(who)
    with transaction.atomic():
        current = _editable(actor, commitment_set)
        items = list(current.items.order_by("position", "pk"))
        rank = {pk: index for index, pk in enumerate(ordered_ids)}
        items.sort(key=lambda item: (rank.get(item.pk, len(rank)), item.position, item.pk))
        for position, item in enumerate(items, start=1):
            item.position = position
        Commitment.objects.bulk_update(items, ["position"])


def item_move(who: Who, item: Commitment, step: int) -> None:
    """Move an item one place up (step −1) or down (+1) in its set."""
    ids = list(item.set.items.order_by("position", "pk").values_list("pk", flat=True))
    if item.pk not in ids:
        raise CommitmentRefused(_("This commitment has been deleted meanwhile."))
    index = ids.index(item.pk)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    items_reorder(who, item.set, ids)


# --- Review ------------------------------------------------------------------------------------


def set_submit(who: Who, commitment_set: CommitmentSet, comment: str = "") -> CommitmentSet:
    """Send the set to its reviewers: it holds an item, and no item is due today or earlier."""
    actor = Scope.of(who)
    with transaction.atomic():
        current = review.locked(commitment_set)
        if current.status in (Status.DRAFT, Status.RETURNED) and review.may_edit(actor, current):
            items = list(current.items.all())
            if not items:
                raise CommitmentRefused(_("Add at least one commitment before submitting."))
            today = deadlines.today(current.campaign)
            if any(item.due_on <= today for item in items):
                raise CommitmentRefused(
                    _("Every commitment must be due after today: change the past due dates.")
                )
        return review.submit(current, actor=actor, comment=comment)


def set_withdraw(who: Who, commitment_set: CommitmentSet) -> CommitmentSet:
    actor = Scope.of(who)
    with transaction.atomic():
        return review.withdraw(review.locked(commitment_set), actor=actor)


def set_approve(
    who: Who, commitment_set: CommitmentSet, level: int, comment: str = ""
) -> CommitmentSet:
    actor = Scope.of(who)
    with transaction.atomic():
        return review.approve(
            review.locked(commitment_set), actor=actor, level=level, comment=comment
        )


def set_return(who: Who, commitment_set: CommitmentSet, level: int, reason: str) -> CommitmentSet:
    actor = Scope.of(who)
    with transaction.atomic():
        return review.send_back(
            review.locked(commitment_set), actor=actor, level=level, reason=reason
        )


def board_for(unit: Unit) -> PublicBoard:
    """The unit's public board (its unguessable public id), made on first use."""
    found = PublicBoard.objects.filter(unit=unit).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PublicBoard.objects.create(unit=unit)
    except IntegrityError:
        return PublicBoard.objects.get(unit=unit)
