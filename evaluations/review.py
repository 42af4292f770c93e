"""The review of a commitment set, a fulfilment report or a bonus or deduction item (a `Reviewed`
submission): the activities' vocabulary (activities.models.Status, Action, TRANSITIONS) and
units.routing's one rule for who acts at which level, so that these submissions wait in the same
places as a unit's activities.

The services of each kind (evaluations.commitment_services, …) check what is theirs to check (a
set has items, a report a statement), then call `submit`, `withdraw`, `approve` or `send_back`
inside their transaction with the submission locked by `locked`."""

from typing import TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import TRANSITIONS, Action, Status
from campaigns.models import Campaign
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import Adjustment, CommitmentSet, FulfilmentReport, ReviewEvent
from evaluations.signals import review_event_committed_after_commit
from units import routing
from units.locks import tree_locked_for_counting
from units.models import Unit
from units.scope import Scope

R = TypeVar("R", CommitmentSet, FulfilmentReport, Adjustment)
Submission = CommitmentSet | FulfilmentReport | Adjustment


def unit_of(item: Submission) -> Unit:
    return item.commitment.unit if isinstance(item, FulfilmentReport) else item.unit


def campaign_of(item: Submission) -> Campaign:
    return item.commitment.campaign if isinstance(item, FulfilmentReport) else item.campaign


def subject_of(item: Submission) -> dict:
    """The ReviewEvent field naming `item`."""
    if isinstance(item, CommitmentSet):
        return {"commitment_set": item}
    if isinstance(item, Adjustment):
        return {"adjustment": item}
    return {"report": item}


def events_of(item: Submission) -> models.QuerySet[ReviewEvent]:
    return ReviewEvent.objects.filter(**subject_of(item))


def locked(item: R) -> R:
    """`item` again, its row locked for the transaction (after the tree's counting lock, as every
    transition takes them: units.locks)."""
    tree_locked_for_counting()
    related = (
        ("commitment__unit", "commitment__campaign")
        if isinstance(item, FulfilmentReport)
        else ("unit", "campaign")
    )
    return (
        type(item)
        .objects.select_for_update(of=("self",))
        .select_related("review_unit", *related)
        .get(pk=item.pk)
    )


# --- Who may ------------------------------------------------------------------------------------


def is_author_side(actor: Scope, item: Submission) -> bool:
    """Who speaks for the submission: the unit's staff — or, for a deduction (an Adjustment with
    negative points), an admin above the unit, who enters it."""
    if isinstance(item, Adjustment) and item.points < 0:
        return actor.can_admin_above(unit_of(item))
    return actor.is_staff_of(unit_of(item))


def may_edit(actor: Scope, item: Submission) -> bool:
    """The author's side (is_author_side), while it is a draft or returned."""
    return item.status in (Status.DRAFT, Status.RETURNED) and is_author_side(actor, item)


def may_withdraw(actor: Scope, item: Submission) -> bool:
    """The unit's staff, before any reviewer has acted on it."""
    return (
        item.status == Status.SUBMITTED and item.review_level == 1 and is_author_side(actor, item)
    )


def passed_on_by(actor: Scope, item: Submission) -> bool:
    """Whether this reviewer passed the current submission on from level 1 (one query, only past
    level 1): the same person may not approve it again at level 2."""
    if item.status != Status.SUBMITTED or item.review_level <= 1 or item.submitted_at is None:
        return False
    return (
        events_of(item)
        .filter(action=Action.PASS_ON, actor=actor.user, created_at__gte=item.submitted_at)
        .exists()
    )


def may_review(actor: Scope, item: Submission) -> bool:
    """A reviewer above the unit at the level it waits on (units.routing), not of the unit
    itself, who has not already passed it on (nor entered it: a deduction's author)."""
    unit = unit_of(item)
    return (
        item.status == Status.SUBMITTED
        and not actor.is_staff_of(unit)
        and not (isinstance(item, Adjustment) and item.created_by_id == actor.user.pk)
        and routing.may_review(actor, unit, item.review_unit)
        and not passed_on_by(actor, item)
    )


# --- Moves --------------------------------------------------------------------------------------


def _move(item: R, *, actor: Scope | None, action: str, comment: str = "", fields: dict) -> R:
    sources, target = TRANSITIONS[action]
    if item.status not in sources:
        raise TransitionRefused(
            _("This is now “%(status)s”: someone may have acted on it first.")
            % {"status": item.get_status_display()}
        )
    event = ReviewEvent(
        actor=actor.user if actor else None,
        action=action,
        from_status=item.status,
        to_status=target,
        level=item.review_level,
        comment=comment,
        **subject_of(item),
    )
    item.status = target
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=["status", *fields, "updated_at"])
    event.save()
    review_event_committed_after_commit(event)
    return item


def submit(item: R, *, actor: Scope, comment: str = "") -> R:
    """Send a draft or returned submission to its first level's reviewers."""
    if item.status not in TRANSITIONS[Action.SUBMIT][0]:
        raise TransitionRefused(_("Only a draft or a returned submission can be submitted."))
    if not may_edit(actor, item):
        raise NotAllowed(_("Only the unit's staff may submit this."))
    now = timezone.now()
    return _move(
        item,
        actor=actor,
        action=Action.SUBMIT,
        comment=comment,
        fields={
            "review_level": 1,
            "review_unit": routing.waiting_unit(unit_of(item), 1),
            "submitted_at": now,
            "first_submitted_at": item.first_submitted_at or now,
            "waiting_since": now,
            "return_reason": "",
        },
    )


def withdraw(item: R, *, actor: Scope) -> R:
    if item.status == Status.SUBMITTED and not may_withdraw(actor, item):
        raise NotAllowed(_("Only the unit's staff may withdraw it, before a reviewer acts."))
    return _move(
        item,
        actor=actor,
        action=Action.WITHDRAW,
        fields={"review_level": 0, "review_unit": None, "waiting_since": None},
    )


def _check_reviewer(actor: Scope, item: Submission, level: int) -> None:
    if item.status == Status.SUBMITTED and item.review_level != level:
        raise TransitionRefused(_("Another reviewer has already acted on it. Reload to see where."))
    if item.status != Status.SUBMITTED or may_review(actor, item):
        return
    if actor.is_staff_of(unit_of(item)):
        raise NotAllowed(_("You cannot review a submission of a unit you report for."))
    raise NotAllowed(_("You are not a reviewer of this submission at this level."))


def approve(item: R, *, actor: Scope, level: int, comment: str = "") -> R:
    """Approve at `level`: final at the campaign's last review level (or when no reviewers sit
    above the level's unit), otherwise passed on to the next level's reviewers."""
    _check_reviewer(actor, item, level)
    now = timezone.now()
    next_unit = None
    if (
        item.status == Status.SUBMITTED
        and level < campaign_of(item).review_levels
        and item.review_unit is not None
    ):
        above = routing.level_of(item.review_unit, 1)
        next_unit = above.unit if above else None
    if next_unit is not None:
        return _move(
            item,
            actor=actor,
            action=Action.PASS_ON,
            comment=comment,
            fields={"review_level": level + 1, "review_unit": next_unit, "waiting_since": now},
        )
    return _move(
        item,
        actor=actor,
        action=Action.APPROVE,
        comment=comment,
        fields={"approved_at": now, "waiting_since": None},
    )


def send_back(item: R, *, actor: Scope, level: int, reason: str) -> R:
    """Return it to the unit with a reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise EvaluationError(_("Say why: a reason is required."))
    _check_reviewer(actor, item, level)
    return _move(
        item,
        actor=actor,
        action=Action.RETURN,
        comment=reason,
        fields={"return_reason": reason, "waiting_since": None},
    )


def reroute(*, unit: Unit | None) -> list[CommitmentSet | FulfilmentReport]:
    """After `unit` moved (None: any unit), send each waiting set or report of its subtree whose
    reviewing unit is no longer the one the tree names to the reviewers now responsible: a
    REROUTE event each (comment: the new reviewing unit), as activities.services does for
    activities. The wait goes on from when it began."""
    routed = routing.Rerouting()
    sets = CommitmentSet.objects.filter(status=Status.SUBMITTED).select_related("unit")
    reports = FulfilmentReport.objects.filter(status=Status.SUBMITTED).select_related(
        "commitment__unit"
    )
    if unit is not None:
        sets = sets.filter(unit__path__startswith=unit.path)
        reports = reports.filter(commitment__unit__path__startswith=unit.path)
    moved: list[CommitmentSet | FulfilmentReport] = []
    moved += _reroute_waiting(sets, routed)
    moved += _reroute_waiting(reports, routed)
    return moved


def _reroute_waiting(waiting: models.QuerySet[R], routed: routing.Rerouting) -> list[R]:
    moved = []
    for item in waiting.select_for_update(of=("self",)).order_by("pk"):
        target = routed.waiting_unit(unit_of(item), item.review_level or 1)
        if (target.pk if target else None) == item.review_unit_id:
            continue
        comment = target.name if target else ""
        fields = {"review_unit": target}
        moved.append(_move(item, actor=None, action=Action.REROUTE, comment=comment, fields=fields))
    return moved
