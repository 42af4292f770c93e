"""Notices of leader comments' follow-ups (evaluations.models.FollowUp).

- on_follow_up_event: the steps of a follow-up, sent after the event's commit
  (evaluations.signals.follow_up_event_committed → notifications.receivers → the
  notify_follow_up task). REQUIRE → the unit's active staff (FOLLOW_UP_REQUIRED); REPORT → the
  comment's author (FOLLOW_UP_REPORTED); SEND_BACK → the unit's staff (FOLLOW_UP_SENT_BACK).
  Once per event: subject "follow_up:<pk>", period the event id.
- follow_up_overdue (a reminder rule, notifications.rules.RULES): open follow-ups of active
  campaigns past their due date (a local date) → the unit's staff, once per follow-up: period
  the due date.

Context keys: comment (the comment's first words), unit_name, campaign_name, due_on (ISO date),
author (the leader's name), reason (sent back), days (overdue: days past due)."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from evaluations.comment_services import may_comment
from evaluations.models import (
    OPEN_FOLLOW_UP_STATUSES,
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
)
from notifications.models import Rule
from notifications.rules import notify_in_key_order, staff_by_unit
from notifications.services import Notice

EXCERPT = 80

# The action an event records → the rule of its notice.
RULES = {
    FollowUpAction.REQUIRE: Rule.FOLLOW_UP_REQUIRED,
    FollowUpAction.REPORT: Rule.FOLLOW_UP_REPORTED,
    FollowUpAction.SEND_BACK: Rule.FOLLOW_UP_SENT_BACK,
}


def _context(follow_up: FollowUp) -> dict:
    author = follow_up.comment.author
    return {
        "comment": follow_up.comment.text[:EXCERPT],
        "unit_name": follow_up.unit.name,
        "campaign_name": follow_up.campaign.name,
        "due_on": follow_up.due_on.isoformat(),
        "author": author.get_full_name() or author.get_username(),
    }


def _link(follow_up: FollowUp) -> str:
    return reverse("evaluations:follow_up", args=[follow_up.pk])


def on_follow_up_event(event_id: int) -> list[int]:
    event = (
        FollowUpEvent.objects.filter(pk=event_id)
        .select_related(
            "follow_up__comment__author", "follow_up__unit", "follow_up__campaign", "actor"
        )
        .first()
    )
    if event is None or event.action not in RULES:
        return []
    follow_up = event.follow_up
    if event.action == FollowUpAction.REPORT:
        author = follow_up.comment.author
        # The author while still a leader over the unit (else the leaders' workbenches show it).
        recipients = [author] if author.is_active and may_comment(author, follow_up.unit) else []
    else:
        recipients = staff_by_unit([follow_up.unit_id]).get(follow_up.unit_id, [])
    context = _context(follow_up)
    if event.action == FollowUpAction.SEND_BACK:
        context["reason"] = event.comment
    notices = [
        Notice(user, f"follow_up:{follow_up.pk}", str(event.pk), _link(follow_up), context)
        for user in recipients
    ]
    return notify_in_key_order(rule=RULES[event.action], notices=notices)


def follow_up_overdue(now: datetime) -> list[int]:
    today = timezone.localdate(now)  # every campaign's zone (Campaign.tz)
    late = list(
        FollowUp.objects.filter(
            status__in=OPEN_FOLLOW_UP_STATUSES,
            due_on__lt=today,
            campaign__is_active=True,
            unit__is_active=True,
        )
        .select_related("comment__author", "unit", "campaign")
        .order_by("due_on", "pk")
    )
    staff = staff_by_unit(f.unit_id for f in late)
    notices = []
    for follow_up in late:
        context = {**_context(follow_up), "days": (today - follow_up.due_on).days}
        notices += [
            Notice(
                user,
                f"follow_up:{follow_up.pk}",
                follow_up.due_on.isoformat(),
                _link(follow_up),
                context,
            )
            for user in staff.get(follow_up.unit_id, [])
        ]
    return notify_in_key_order(rule=Rule.FOLLOW_UP_OVERDUE, notices=notices)
