"""Writes to activities: drafts, evidence, co-organisers and the review workflow.

Each transition locks the activity's row, checks the move against `TRANSITIONS` and the actor's
permission (activities.selectors) *after* the lock, saves with `update_fields`, and writes one
immutable ActivityEvent. Reviewers say which review level they are acting at, so that when two act
at once the second is refused ("someone else acted first") instead of acting on the next level.
Each event is announced once its transaction commits (activities.signals.event_committed): who
hears of it is for the apps above to decide — the workflow calls none of them."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from activities import evidence as evidence_files
from activities import integrity, rollups
from activities.exceptions import ActivityError, EvidenceRejected, StaleLevel, TransitionRefused
from activities.models import (
    TRANSITIONS,
    Action,
    Activity,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Evidence,
    EvidenceMatch,
    Status,
)
from activities.selectors import (
    can_edit,
    can_reopen,
    can_respond,
    can_review,
    can_submit,
    can_withdraw,
    coorganiser_choices,
    is_own,
    passed_on_by,
)
from activities.signals import event_committed_after_commit
from campaigns import deadlines
from campaigns.models import Campaign, Target, TargetTask
from units import routing
from units.locks import tree_locked_for_counting
from units.models import Unit
from units.scope import Scope

# The fields a draft's form may set; the workflow's own fields are written by the transitions.
DRAFT_FIELDS = (
    "title",
    "starts_on",
    "ends_on",
    "place",
    "participants_party_members",
    "participants_workers",
    "participants_youth",
    "participants_women",
    "participants_public",
    "quantity",
    "description",
    "outcome",
)


class NotAllowed(ActivityError):
    """The actor may not do this to this activity."""


def _check_campaign(activity: Activity) -> None:
    """An activity is written, changed and submitted only while its campaign is open, and it
    must have taken place within the campaign's dates to count toward its targets."""
    campaign = activity.campaign
    if not campaign.is_active:
        raise ActivityError(_("This campaign is closed."))
    outside = date_outside_campaign(campaign, activity.starts_on)
    if outside:
        raise ActivityError(outside)


def date_outside_campaign(campaign: Campaign, day: date | None) -> str | None:
    """Why an activity on `day` cannot count in the campaign, or None when it can: the form marks
    its date field with the same words the services refuse with."""
    if day is not None and not campaign.starts_on <= day <= campaign.ends_on:
        return _("The activity must take place within the campaign (%(start)s – %(end)s).") % {
            "start": campaign.starts_on,
            "end": campaign.ends_on,
        }
    return None


def missing_evidence(activity: Activity) -> str | None:
    """Why the activity cannot be submitted for want of evidence, or None."""
    if activity.campaign.evidence_required and not activity.evidence.exists():
        return _(
            "This campaign requires evidence before submission: attach at least one photo or "
            "document, then submit."
        )
    return None


def _check_tasks(unit: Unit, campaign: Campaign, tasks: Iterable[TargetTask]) -> list[TargetTask]:
    tasks = list(tasks)
    targeted = set(
        Target.objects.filter(unit=unit, task__in=tasks, task__campaign=campaign).values_list(
            "task_id", flat=True
        )
    )
    stray = [task for task in tasks if task.pk not in targeted]
    if stray:
        raise ActivityError(
            _("%(unit)s has no target for: %(tasks)s.")
            % {"unit": unit.name, "tasks": "、".join(task.title for task in stray)}
        )
    return tasks


def _check_coorganisers(unit: Unit, units: Iterable[Unit]) -> list[Unit]:
    units = list(units)
    allowed = set(
        coorganiser_choices(unit).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
    )
    stray = [u for u in units if u.pk not in allowed]
    if stray:
        raise ActivityError(
            _("These units cannot co-organise an activity of %(unit)s: %(units)s.")
            % {"unit": unit.name, "units": "、".join(u.name for u in stray)}
        )
    return units


def _set_coorganisers(activity: Activity, units: list[Unit]) -> None:
    """Keep the answers of units still named; new units are asked afresh."""
    wanted = {u.pk for u in units}
    activity.coorganisers.exclude(unit_id__in=wanted).delete()
    existing = set(activity.coorganisers.values_list("unit_id", flat=True))
    CoOrganiser.objects.bulk_create(
        CoOrganiser(activity=activity, unit_id=pk) for pk in wanted - existing
    )


@transaction.atomic
def activity_create(
    *,
    actor: User | Scope,
    unit: Unit,
    campaign: Campaign,
    data: dict,
    tasks: Iterable[TargetTask] = (),
    coorganisers: Iterable[Unit] = (),
) -> Activity:
    """A new draft of `unit`, written by one of its staff."""
    who = Scope.of(actor)
    if not who.is_staff_of(unit.pk):
        raise NotAllowed(_("Only the unit's staff may log its activities."))
    activity = Activity(campaign=campaign, unit=unit, created_by=who.user)
    for name in DRAFT_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.full_clean()
    _check_campaign(activity)
    activity.save()
    activity.tasks.set(_check_tasks(unit, campaign, tasks))
    _set_coorganisers(activity, _check_coorganisers(unit, coorganisers))
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: User | Scope,
    activity: Activity,
    data: dict,
    tasks: Iterable[TargetTask] | None = None,
    coorganisers: Iterable[Unit] | None = None,
) -> Activity:
    """Change a draft or a returned activity; an approved or submitted one is locked."""
    who = Scope.of(actor)
    activity = _locked(activity)
    if not can_edit(who, activity):
        raise _refusal(who, activity)
    changed = [name for name in DRAFT_FIELDS if name in data]
    for name in changed:
        setattr(activity, name, data[name])
    activity.full_clean()
    _check_campaign(activity)
    activity.save(update_fields=[*changed, "participants", "updated_at"])
    integrity.flags_refresh(activity=activity)  # capture dates are judged by the activity's days
    if tasks is not None:
        activity.tasks.set(_check_tasks(activity.unit, activity.campaign, tasks))
    if coorganisers is not None:
        _set_coorganisers(activity, _check_coorganisers(activity.unit, coorganisers))
    return activity


def _locked(activity: Activity) -> Activity:
    # Before the row: a unit move in flight finishes first, and the unit's path read below is
    # the one the roll-ups and the routing count with (units.locks).
    tree_locked_for_counting()
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign", "review_unit")
        .get(pk=activity.pk)
    )


def locked_reason(activity: Activity) -> str | None:
    """Why nobody may change the activity now (approved, or waiting for review), or None."""
    if activity.status == Status.APPROVED:
        return _("This activity is approved and locked.")
    if activity.status == Status.SUBMITTED:
        return _("This activity is waiting for review and cannot be changed.")
    return None


def _refusal(actor: Scope, activity: Activity) -> ActivityError:
    reason = locked_reason(activity)
    if reason is not None:
        return TransitionRefused(reason)
    return NotAllowed(_("You may not change this activity."))


def _move(
    activity: Activity,
    *,
    actor: Scope,
    action: str,
    comment: str = "",
    level: int | None = None,
    fields: dict | None = None,
) -> Activity:
    """Apply `action` to the locked `activity`: check the move, save, write the event."""
    sources, target = TRANSITIONS[action]
    if activity.status not in sources:
        raise TransitionRefused(
            _("This activity is now “%(status)s”: someone may have acted on it first.")
            % {"status": activity.get_status_display()}
        )
    event = ActivityEvent(
        activity=activity,
        actor=actor.user,
        action=action,
        from_status=activity.status,
        to_status=target,
        level=activity.review_level if level is None else level,
        comment=comment,
    )
    if action in rollups.REVIEW_ACTIONS:
        event.on_time = _decided_on_time(activity)
    if action in (Action.APPROVE, Action.PASS_ON):
        # Warnings never block an approval; the event keeps that the reviewer approved despite them.
        event.evidence_warnings = integrity.warnings_count(activity)
    was_approved, waited = activity.status == Status.APPROVED, activity.waiting_since
    activity.status = target
    # Kept on the submission while it waits at level 2 (selectors.passed_on_by); any other move
    # starts afresh.
    fields = {"passed_on_by": actor.user if action == Action.PASS_ON else None, **(fields or {})}
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.save(update_fields=["status", *fields, "updated_at"])
    event.save()
    event_committed_after_commit(event)
    if event.on_time is not None:
        rollups.review_counted(
            activity,
            on_time=event.on_time,
            when=timezone.now(),
            returned=action == Action.RETURN,
        )
    if was_approved != (target == Status.APPROVED):
        rollups.approval_counted(activity, sign=1 if target == Status.APPROVED else -1)
    if activity.waiting_since != waited:
        rollups.waiting_counted(activity, ended=waited, began=activity.waiting_since)
    return activity


def _decided_on_time(activity: Activity) -> bool:
    """Was the reviewer's decision, now, made before the submission was due for the level?"""
    return deadlines.decided_on_time(activity.waiting_since, activity.campaign, timezone.now())


def _check_reviewer(actor: Scope, activity: Activity) -> None:
    if activity.status != Status.SUBMITTED or can_review(actor, activity):
        return
    if is_own(actor, activity):
        raise NotAllowed(_("You cannot review an activity of a unit you report for."))
    if passed_on_by(actor, activity):
        raise NotAllowed(
            _("You approved it at level 1; another reviewer must approve it at level 2.")
        )
    raise NotAllowed(_("You are not a reviewer for this activity at this level."))


def _check_level(activity: Activity, level: int) -> None:
    if activity.status == Status.SUBMITTED and activity.review_level != level:
        raise StaleLevel(
            _("Another reviewer has already acted on this activity. Reload to see where it is.")
        )


@transaction.atomic
def activity_submit(*, actor: User | Scope, activity: Activity, comment: str = "") -> Activity:
    who = Scope.of(actor)
    activity = _locked(activity)
    if activity.status not in TRANSITIONS[Action.SUBMIT][0]:
        raise _refusal(who, activity)
    if not can_submit(who, activity):
        raise NotAllowed(_("Only the unit's staff may submit its activities."))
    if not activity.tasks.exists():
        raise ActivityError(_("Choose at least one target task the activity counts toward."))
    _check_campaign(activity)
    missing = missing_evidence(activity)
    if missing:
        raise ActivityError(missing)
    now = timezone.now()
    activity = _move(
        activity,
        actor=who,
        action=Action.SUBMIT,
        comment=comment,
        level=1,
        fields={
            "review_level": 1,
            "review_unit": routing.waiting_unit(activity.unit, 1),
            "submitted_at": now,
            "first_submitted_at": activity.first_submitted_at or now,
            "waiting_since": now,
            "return_reason": "",
        },
    )
    return activity


@transaction.atomic
def activity_withdraw(*, actor: User | Scope, activity: Activity) -> Activity:
    who = Scope.of(actor)
    activity = _locked(activity)
    if activity.status == Status.SUBMITTED and activity.review_level > 1:
        raise TransitionRefused(_("A reviewer has already approved it at level 1."))
    if activity.status == Status.SUBMITTED and not can_withdraw(who, activity):
        raise NotAllowed(_("Only the unit's staff may withdraw its submission."))
    return _move(
        activity,
        actor=who,
        action=Action.WITHDRAW,
        fields={"review_level": 0, "review_unit": None, "waiting_since": None},
    )


@transaction.atomic
def activity_approve(
    *, actor: User | Scope, activity: Activity, level: int, comment: str = ""
) -> Activity:
    """Approve at `level`: final at the campaign's last level (or when no reviewers sit above),
    otherwise passed on to the next level's reviewers."""
    who = Scope.of(actor)
    activity = _locked(activity)
    _check_level(activity, level)
    _check_reviewer(who, activity)
    next_unit = None
    if (
        activity.status == Status.SUBMITTED
        and level < activity.campaign.review_levels
        and activity.review_unit is not None  # no unit above the root's own submissions
    ):
        above = routing.level_of(activity.review_unit, 1)
        next_unit = above.unit if above else None
    now = timezone.now()
    if next_unit is not None:
        activity = _move(
            activity,
            actor=who,
            action=Action.PASS_ON,
            comment=comment,
            fields={"review_level": level + 1, "review_unit": next_unit, "waiting_since": now},
        )
        return activity
    return _move(
        activity,
        actor=who,
        action=Action.APPROVE,
        comment=comment,
        fields={"approved_at": now, "waiting_since": None},
    )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActivityError(_("Say why: a reason is required."))
    return reason


@transaction.atomic
def activity_return(
    *, actor: User | Scope, activity: Activity, level: int, reason: str
) -> Activity:
    reason = _reason(reason)
    who = Scope.of(actor)
    activity = _locked(activity)
    _check_level(activity, level)
    _check_reviewer(who, activity)
    return _move(
        activity,
        actor=who,
        action=Action.RETURN,
        comment=reason,
        fields={"return_reason": reason, "waiting_since": None},
    )


@transaction.atomic
def activity_reopen(*, actor: User | Scope, activity: Activity, reason: str) -> Activity:
    """Unlock an approved activity: it goes back to its unit as returned, and stops counting."""
    reason = _reason(reason)
    who = Scope.of(actor)
    activity = _locked(activity)
    if activity.status == Status.APPROVED and not can_reopen(who, activity):
        if is_own(who, activity):
            raise NotAllowed(_("You cannot review an activity of a unit you report for."))
        raise NotAllowed(_("Only a reviewer above this unit may reopen it."))
    return _move(
        activity,
        actor=who,
        action=Action.REOPEN,
        comment=reason,
        fields={"return_reason": reason, "approved_at": None},
    )


@dataclass(frozen=True)
class BulkOutcome:
    activity: Activity
    ok: bool
    message: str


def activities_bulk_approve(
    *, actor: User | Scope, activities: Iterable[Activity]
) -> list[BulkOutcome]:
    """Approve each at the level it was listed at; each in its own transaction, so one refusal
    leaves the others approved."""
    who = Scope.of(actor)
    outcomes = []
    for activity in activities:
        try:
            done = activity_approve(actor=who, activity=activity, level=activity.review_level)
        except ActivityError as error:
            outcomes.append(BulkOutcome(activity, False, str(error)))
        else:
            message = _("Approved") if done.status == Status.APPROVED else _("Passed to level 2")
            outcomes.append(BulkOutcome(done, True, str(message)))
    return outcomes


@dataclass(frozen=True)
class BulkApproval:
    """What a bulk approval from the review queue did, for the page to report."""

    outcomes: list[BulkOutcome]
    missing: list[Activity]  # selected, but no longer waiting in the queue: refused
    left_over: int  # matching beyond the limit: for another run

    @property
    def approved(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.activity.status == Status.APPROVED)

    @property
    def passed_on(self) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.activity.status == Status.SUBMITTED)

    @property
    def refused(self) -> int:
        return sum(1 for o in self.outcomes if not o.ok) + len(self.missing)


def queue_bulk_approve(
    *,
    actor: User | Scope,
    queue: QuerySet[Activity],
    ids: list[int] | None,
    listed_at: datetime | None,
    limit: int,
) -> BulkApproval:
    """Approve from `queue` (the reviewer's queue, narrowed by their filter) the selected `ids`,
    or, with `ids` None, every submission that had arrived when the page was shown (`listed_at`):
    never one the reviewer has not seen. At most `limit` in one run; a selected submission that
    is no longer in the queue is reported as missing."""
    chosen_qs = (
        queue.filter(pk__in=ids) if ids is not None else queue.filter(waiting_since__lte=listed_at)
    )
    chosen = list(chosen_qs[: limit + 1])
    left_over = max(len(chosen) - limit, 0)
    chosen = chosen[:limit]
    missing: list[Activity] = []
    if ids is not None:
        listed = {a.pk for a in chosen}
        gone = [pk for pk in ids if pk not in listed]
        if gone:
            found = Activity.objects.select_related("unit").in_bulk(gone)
            missing = [found[pk] for pk in gone if pk in found]
    outcomes = activities_bulk_approve(actor=actor, activities=chosen)
    return BulkApproval(outcomes, missing, left_over)


@transaction.atomic
def coorganiser_respond(
    *, actor: User | Scope, coorganiser: CoOrganiser, confirm: bool
) -> CoOrganiser:
    who = Scope.of(actor)
    # The activity first, as the transitions do: an approval and a confirmation never interleave.
    activity = _locked(coorganiser.activity)
    coorganiser = (
        CoOrganiser.objects.select_for_update().select_related("unit").get(pk=coorganiser.pk)
    )
    if coorganiser.status != CoOrganiserStatus.PENDING:
        raise TransitionRefused(_("This unit has already answered."))
    if not can_respond(who, coorganiser):
        raise NotAllowed(_("Only the co-organising unit's staff may answer."))
    coorganiser.status = CoOrganiserStatus.CONFIRMED if confirm else CoOrganiserStatus.DECLINED
    coorganiser.responded_by = who.user
    coorganiser.responded_at = timezone.now()
    coorganiser.save(update_fields=["status", "responded_by", "responded_at"])
    if confirm and activity.status == Status.APPROVED:
        rollups.coorganiser_counted(activity, coorganiser.unit)
    return coorganiser


@transaction.atomic
def evidence_add(*, actor: User | Scope, activity: Activity, upload: UploadedFile) -> Evidence:
    """Attach a file after checking its real type, its size and the activity's file count."""
    who = Scope.of(actor)
    activity = _locked(activity)
    if not can_edit(who, activity):
        raise _refusal(who, activity)
    _check_campaign(activity)
    name = upload.name or ""
    size = cast(int, upload.size)  # set by every upload handler; None only for a bare File
    if size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceRejected(evidence_files.size_refusal(name))
    if activity.evidence.count() >= settings.EVIDENCE_MAX_FILES:
        raise EvidenceRejected(
            _("An activity may have at most %(count)s files.")
            % {"count": settings.EVIDENCE_MAX_FILES}
        )
    sniffed = evidence_files.sniff(upload)
    item = Evidence(
        activity=activity,
        original_name=name[:255],
        content_type=sniffed.content_type,
        size=size,
        uploaded_by=who.user,
    )
    item.file.save(f"upload{sniffed.extension}", upload, save=False)
    try:
        item.full_clean()
        item.save()
    except Exception:
        # Nothing refers to the stored file once the row is not written: remove it.
        item.file.storage.delete(item.file.name)
        raise
    _process_after_commit(item.pk)
    return item


def _process_after_commit(evidence_id: int) -> None:
    """Thumbnails, hashes and matches (activities.integrity) are made by a task once the upload
    has committed; a broker that is down leaves the file to the backfill command."""

    def enqueue() -> None:
        from activities.tasks import process_evidence

        process_evidence.delay(evidence_id)

    transaction.on_commit(enqueue, robust=True)


@transaction.atomic
def evidence_delete(*, actor: User | Scope, evidence: Evidence) -> None:
    who = Scope.of(actor)
    activity = _locked(evidence.activity)
    if not can_edit(who, activity):
        raise _refusal(who, activity)
    names = [evidence.file.name, evidence.thumbnail.name, evidence.thumbnail_small.name]
    storage = evidence.file.storage
    # Evidence that matched only this file is no longer flagged once it is gone.
    later = list(
        EvidenceMatch.objects.filter(earlier=evidence).values_list("evidence_id", flat=True)
    )
    evidence.delete()
    integrity.flags_refresh(evidence_ids=later)
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])


@transaction.atomic
def submissions_reroute(*, unit: Unit | None) -> list[ActivityEvent]:
    """After `unit` moved (None: a move whose unit is unknown: every waiting submission is looked
    at), send each waiting submission whose reviewing unit is no longer the
    one the tree names to the reviewers now responsible: one REROUTE event each (comment: the
    new reviewing unit), and their notices follow once the move commits. The wait goes on from
    when it began: the deadline does not restart."""
    waiting = Activity.objects.filter(status=Status.SUBMITTED)
    if unit is not None:
        waiting = waiting.filter(unit__path__startswith=unit.path)
    waiting = (
        waiting.select_for_update(of=("self",)).select_related("unit", "review_unit").order_by("pk")
    )
    routed = routing.Rerouting()
    events = []
    # Written in bulk, a statement per new reviewing unit: a moved unit's subtree may hold
    # hundreds of waiting submissions, and the move holds its locks meanwhile.
    moved: dict[Unit | None, list[int]] = {}
    for activity in waiting:
        target = routed.waiting_unit(activity.unit, activity.review_level or 1)
        if (target.pk if target else None) == activity.review_unit_id:
            continue
        event = ActivityEvent(
            activity=activity,
            actor=None,
            action=Action.REROUTE,
            from_status=activity.status,
            to_status=TRANSITIONS[Action.REROUTE][1],
            level=activity.review_level,
            comment=target.name if target else "",
        )
        activity.review_unit = target
        event.full_clean(exclude=["activity"])  # the activity is the row locked above
        events.append(event)
        moved.setdefault(target, []).append(activity.pk)
    now = timezone.now()
    for target, pks in moved.items():
        Activity.objects.filter(pk__in=pks).update(review_unit=target, updated_at=now)
    ActivityEvent.objects.bulk_create(events)
    for event in events:
        event_committed_after_commit(event)
    return events


@transaction.atomic
def activity_escalate(*, activity: Activity, to_unit: Unit) -> ActivityEvent | None:
    """Record on the timeline that a submission waiting past twice the review deadline was
    escalated to `to_unit`'s reviewers. Once per wait: None when it no longer waits, or this wait
    was escalated already (a rerun of the job, or two at once — the row lock orders them). The
    activity stays with its reviewing unit: those above may act on it anyway."""
    activity = _locked(activity)
    sources, target = TRANSITIONS[Action.ESCALATE]
    if activity.status not in sources or activity.waiting_since is None:
        return None
    done = activity.events.filter(
        action=Action.ESCALATE, created_at__gte=activity.waiting_since
    ).exists()
    if done:
        return None
    event = ActivityEvent(
        activity=activity,
        actor=None,
        action=Action.ESCALATE,
        from_status=activity.status,
        to_status=target,
        level=activity.review_level,
        comment=to_unit.name,
    )
    event.full_clean()
    event.save()
    event_committed_after_commit(event)
    return event
