"""Writes of leader comments (领导点评) and their follow-ups (整改).

Who may do what, from units.scope:
- comment: a LEADER membership on the unit or on a unit above it (Scope.acts_as(LEADER, unit):
  "a leader comments on a unit in their subtree", the subtree including its top), unless the
  user is the unit's own staff — nobody comments on the unit they report for. A superuser holds
  the leader's role everywhere.
- acknowledge / report: the unit's staff (Scope.is_staff_of).
- close / send back: the comment's author or a leader who may comment on the unit, never the
  unit's staff.

Every write runs in one transaction with the follow-up's row locked, writes a FollowUpEvent and
sends evaluations.signals.follow_up_event_committed after the commit. Comments are never edited.
Due dates and "on time" are whole local days in the campaign's zone (campaigns.deadlines.today)."""

from collections.abc import Iterable
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import evidence as evidence_files
from activities.exceptions import EvidenceRejected
from activities.models import Activity, Status
from campaigns import deadlines
from campaigns.models import Campaign, TargetTask
from evaluations.draft_score_triggers import draft_scores_changed_after_commit
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import (
    COMMENT_MAX_LENGTH,
    FOLLOW_UP_REPORT_MAX_LENGTH,
    FOLLOW_UP_TRANSITIONS,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    FollowUpStatus,
    LeaderComment,
    ReportFile,
)
from evaluations.signals import follow_up_event_committed_after_commit
from units.models import Role, Unit
from units.scope import Scope

REASON_MAX_LENGTH = 2000
FOLLOW_UP_MAX_FILES = 10


# --- Who may ------------------------------------------------------------------------------------


def may_comment(who, unit: Unit) -> bool:
    """A leader on `unit` or above it who is not its staff."""
    scope = Scope.of(who)
    return scope.acts_as(Role.LEADER, unit) and not scope.is_staff_of(unit)


def may_answer(who, follow_up: FollowUp) -> bool:
    """The unit's staff acknowledge and report."""
    return Scope.of(who).is_staff_of(follow_up.unit_id)


def may_decide(who, follow_up: FollowUp) -> bool:
    """A leader over the unit (the comment's author among them, while they are one) closes or
    sends back; not the staff."""
    scope = Scope.of(who)
    if not scope.user.is_authenticated:
        return False
    return may_comment(scope, follow_up.unit)


def campaign_covers(campaign: Campaign, unit: Unit) -> bool:
    return campaign.unit.path in unit.ancestor_paths


# --- Comments -----------------------------------------------------------------------------------


@transaction.atomic
def comment_write(
    actor,
    unit: Unit,
    campaign: Campaign,
    text: str,
    grade: int | None = None,
    task: TargetTask | None = None,
    activity: Activity | None = None,
    follow_up_due: date | None = None,
    *,
    at: datetime | None = None,
) -> LeaderComment:
    """Write a comment, and the follow-up it requires when `follow_up_due` is given. `at` (the
    demo's past seasons) backdates the comment and its first event."""
    scope = Scope.of(actor)
    if not may_comment(scope, unit):
        raise NotAllowed(_("Only a leader of this unit or of a unit above it may comment on it."))
    if not campaign_covers(campaign, unit):
        raise EvaluationError(_("This campaign does not cover the unit."))
    text = (text or "").strip()
    if not text:
        raise EvaluationError(_("Write the comment."))
    if len(text) > COMMENT_MAX_LENGTH:
        raise EvaluationError(
            _("A comment may be at most %(count)d characters long.") % {"count": COMMENT_MAX_LENGTH}
        )
    if task is not None and activity is not None:
        raise EvaluationError(_("Comment on a task or on an activity, not both."))
    if task is not None and task.campaign_id != campaign.pk:
        raise EvaluationError(_("The task is not one of the campaign's."))
    if activity is not None and (
        activity.unit_id != unit.pk or activity.campaign_id != campaign.pk
    ):
        raise EvaluationError(_("The activity is not one of the unit's in this campaign."))
    if follow_up_due is not None and follow_up_due < deadlines.today(campaign, at):
        raise EvaluationError(_("The follow-up cannot be due in the past."))
    comment = LeaderComment.objects.create(
        unit=unit,
        campaign=campaign,
        task=task,
        activity=activity,
        author=scope.user,
        text=text,
        grade=grade or None,
    )
    if at is not None:
        LeaderComment.objects.filter(pk=comment.pk).update(created_at=at)
        comment.created_at = at
    if follow_up_due is not None:
        follow_up = FollowUp.objects.create(
            comment=comment, unit=unit, campaign=campaign, due_on=follow_up_due
        )
        _event(follow_up, scope, FollowUpAction.REQUIRE, "", FollowUpStatus.OPEN, "", at)
    if comment.grade is not None:  # a leader grade moves the unit's draft score
        draft_scores_changed_after_commit(campaign.pk)
    return comment


# --- Follow-ups ---------------------------------------------------------------------------------


def _event(
    follow_up: FollowUp,
    scope: Scope,
    action: str,
    from_status: str,
    to_status: str,
    comment: str,
    at: datetime | None,
) -> FollowUpEvent:
    event = FollowUpEvent.objects.create(
        follow_up=follow_up,
        actor=scope.user if scope.user.is_authenticated else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
    )
    if at is not None:
        FollowUpEvent.objects.filter(pk=event.pk).update(created_at=at)
        event.created_at = at
    follow_up_event_committed_after_commit(event)
    return event


def _locked(follow_up: FollowUp, action: str) -> tuple[FollowUp, str]:
    """The follow-up as it is now, locked, if `action` may move it; else TransitionRefused."""
    current = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("comment", "unit", "campaign")
        .get(pk=follow_up.pk)
    )
    sources, target = FOLLOW_UP_TRANSITIONS[action]
    if current.status not in sources:
        raise TransitionRefused(
            _("This follow-up is now “%(status)s”: someone acted on it first.")
            % {"status": current.get_status_display()}
        )
    return current, target


def _move(
    follow_up: FollowUp,
    scope: Scope,
    action: str,
    target: str,
    comment: str,
    at: datetime | None,
    **changes,
) -> FollowUp:
    source = follow_up.status
    follow_up.status = target
    for name, value in changes.items():
        setattr(follow_up, name, value)
    follow_up.save(update_fields=["status", "updated_at", *changes])
    _event(follow_up, scope, action, source, target, comment, at)
    return follow_up


@transaction.atomic
def follow_up_acknowledge(actor, follow_up: FollowUp, *, at: datetime | None = None) -> FollowUp:
    scope = Scope.of(actor)
    if not may_answer(scope, follow_up):
        raise NotAllowed(_("Only the unit's staff may acknowledge its follow-up."))
    current, target = _locked(follow_up, FollowUpAction.ACKNOWLEDGE)
    return _move(
        current,
        scope,
        FollowUpAction.ACKNOWLEDGE,
        target,
        "",
        at,
        acknowledged_at=at or timezone.now(),
    )


@transaction.atomic
def follow_up_report(
    actor,
    follow_up: FollowUp,
    text: str,
    activities: Iterable[Activity] = (),
    files: Iterable[UploadedFile] = (),
    *,
    at: datetime | None = None,
) -> FollowUp:
    """Report what was done: text, the unit's approved activities of the campaign, evidence files
    (checked by content before any decoder, as activities' evidence is)."""
    scope = Scope.of(actor)
    if not may_answer(scope, follow_up):
        raise NotAllowed(_("Only the unit's staff may report on its follow-up."))
    text = (text or "").strip()
    if not text:
        raise EvaluationError(_("Say what was done."))
    if len(text) > FOLLOW_UP_REPORT_MAX_LENGTH:
        raise EvaluationError(
            _("The report may be at most %(count)d characters long.")
            % {"count": FOLLOW_UP_REPORT_MAX_LENGTH}
        )
    uploads = list(files)
    if len(uploads) > FOLLOW_UP_MAX_FILES:
        raise EvaluationError(
            _("A follow-up may have at most %(count)d files.") % {"count": FOLLOW_UP_MAX_FILES}
        )
    checked = [_checked(upload) for upload in uploads]
    current, target = _locked(follow_up, FollowUpAction.REPORT)
    linked = list(activities)
    for activity in linked:
        if (
            activity.unit_id != current.unit_id
            or activity.campaign_id != current.campaign_id
            or activity.status != Status.APPROVED
        ):
            raise EvaluationError(_("Link only approved activities of the unit in this campaign."))
    if current.files.count() + len(checked) > FOLLOW_UP_MAX_FILES:
        raise EvaluationError(
            _("A follow-up may have at most %(count)d files.") % {"count": FOLLOW_UP_MAX_FILES}
        )
    _move(
        current,
        scope,
        FollowUpAction.REPORT,
        target,
        text,
        at,
        report=text,
        reported_at=at or timezone.now(),
    )
    current.activities.set(linked)  # the latest report's links, as its text
    stored: list[ReportFile] = []
    try:
        for upload, sniffed in checked:
            stored.append(_attach(current, scope, upload, sniffed))
    except Exception:
        # The transaction rolls back: no row refers to the files stored so far.
        for item in stored:
            item.file.storage.delete(item.file.name)
        raise
    return current


def _checked(upload: UploadedFile) -> tuple[UploadedFile, evidence_files.Sniffed]:
    """The upload and its real type, or EvidenceRejected: before anything is written."""
    name = upload.name or ""
    if (upload.size or 0) > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceRejected(evidence_files.size_refusal(name))
    return upload, evidence_files.sniff(upload)


def _attach(
    follow_up: FollowUp, scope: Scope, upload: UploadedFile, sniffed: evidence_files.Sniffed
) -> ReportFile:
    item = ReportFile(
        follow_up=follow_up,
        original_name=(upload.name or "")[:255],
        content_type=sniffed.content_type,
        size=upload.size or 0,
        uploaded_by=scope.user,
    )
    item.file.save(f"upload{sniffed.extension}", upload, save=True)
    return item


def _decider(actor, follow_up: FollowUp) -> Scope:
    scope = Scope.of(actor)
    if not may_decide(scope, follow_up):
        raise NotAllowed(
            _("Only the comment's author or a leader over the unit may close or send it back.")
        )
    return scope


@transaction.atomic
def follow_up_close(actor, follow_up: FollowUp, *, at: datetime | None = None) -> FollowUp:
    """Close a reported follow-up; it was closed on time if its latest report was made on or
    before the due date (local days)."""
    scope = _decider(actor, follow_up)
    current, target = _locked(follow_up, FollowUpAction.CLOSE)
    reported = deadlines.today(current.campaign, current.reported_at)
    return _move(
        current,
        scope,
        FollowUpAction.CLOSE,
        target,
        "",
        at,
        closed_at=at or timezone.now(),
        closed_on_time=reported <= current.due_on,
    )


@transaction.atomic
def follow_up_send_back(
    actor, follow_up: FollowUp, reason: str, *, at: datetime | None = None
) -> FollowUp:
    scope = _decider(actor, follow_up)
    reason = (reason or "").strip()
    if not reason:
        raise EvaluationError(_("Say why the follow-up is sent back."))
    if len(reason) > REASON_MAX_LENGTH:
        raise EvaluationError(
            _("The reason may be at most %(count)d characters long.") % {"count": REASON_MAX_LENGTH}
        )
    current, target = _locked(follow_up, FollowUpAction.SEND_BACK)
    return _move(
        current, scope, FollowUpAction.SEND_BACK, target, reason, at, send_back_reason=reason
    )
