"""Notices written as a transition commits (enqueued by notifications.receivers on the events the
transition wrote, after commit; run by notifications.tasks.notify_transition).

- on_returned: the author, once per return event (subject "activity:<pk>", period the event id).
- on_submitted: each reviewer who may act on the submission, batched: one notice per reviewer and
  local day (subject "queue", period the date). The first submission of the day writes it and is
  e-mailed; later ones only add themselves to its `activity_ids` and `count`, so a retried task
  counts nothing twice.

- on_rerouted: after a unit move sent a submission to other reviewers, it leaves the queue
  notices of the reviewers who may no longer act on it (a notice left with none is deleted) and
  joins those of the reviewers now responsible, as on_submitted.

Context keys: activity_title, unit_name, campaign_name; reason and reviewer (returned);
count and activity_ids (submitted — activity_title and unit_name are the first submission's).
"""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityEvent, Status
from notifications.models import Notification, Rule
from notifications.rules import notify_in_key_order, reviewers_who_may_act
from notifications.services import Notice
from units.models import Membership, Role

QUEUE = "queue"


def on_returned(activity_id: int, event_id: int) -> list[int]:
    """Tell the author their activity came back, with the reviewer's reason."""
    event = (
        ActivityEvent.objects.filter(pk=event_id, activity_id=activity_id)
        .select_related("activity__unit", "activity__campaign", "activity__created_by", "actor")
        .first()
    )
    if event is None or event.to_status != Status.RETURNED:
        return []
    activity = event.activity
    still_staff = Membership.objects.filter(
        user=activity.created_by, unit=activity.unit, role=Role.STAFF
    ).exists()
    if not still_staff:
        return []  # a former member hears nothing more of the unit's work
    notice = Notice(
        activity.created_by,
        f"activity:{activity.pk}",
        str(event.pk),
        reverse("activities:detail", args=[activity.pk]),
        {
            "activity_title": activity.title,
            "unit_name": activity.unit.name,
            "campaign_name": activity.campaign.name,
            "reason": event.comment,
            "reviewer": event.actor.get_full_name() if event.actor else "",
        },
    )
    return notify_in_key_order(rule=Rule.RETURNED, notices=[notice])


def on_submitted(activity_id: int) -> list[int]:
    """Tell the reviewers who may act on a submission; one notice per reviewer and day."""
    activity = (
        Activity.objects.filter(pk=activity_id, status=Status.SUBMITTED)
        .select_related("unit", "campaign", "review_unit")
        .first()
    )
    if activity is None:  # withdrawn or decided before the task ran: nothing waits
        return []
    reviewers = reviewers_who_may_act([activity])[activity.pk]
    if not reviewers:
        return []
    period = timezone.localdate().isoformat()
    first = {
        "activity_title": activity.title,
        "unit_name": activity.unit.name,
        "campaign_name": activity.campaign.name,
        "count": 1,
        "activity_ids": [activity.pk],
    }
    link = reverse("activities:queue")
    ids = notify_in_key_order(
        rule=Rule.SUBMITTED,
        notices=[Notice(user, QUEUE, period, link, first) for user in reviewers],
    )
    _count_in(activity, [user.pk for user in reviewers], period)
    return ids


def on_rerouted(activity_id: int) -> list[int]:
    """The submission's notices follow it to the reviewers now responsible."""
    activity = (
        Activity.objects.filter(pk=activity_id, status=Status.SUBMITTED)
        .select_related("unit", "campaign", "review_unit")
        .first()
    )
    if activity is None:
        return []
    reviewers = reviewers_who_may_act([activity])[activity.pk]
    _count_out(activity, [user.pk for user in reviewers])
    return on_submitted(activity_id)


def _count_out(activity: Activity, keep_ids: list[int]) -> None:
    """Take the activity out of the queue notices (since its wait began) of everyone but
    `keep_ids`."""
    since = timezone.localdate(activity.waiting_since or timezone.now()).isoformat()
    with transaction.atomic():
        rows = (
            Notification.objects.select_for_update()
            .filter(rule=Rule.SUBMITTED, subject=QUEUE, period__gte=since)
            .exclude(recipient_id__in=keep_ids)
        )
        for row in rows.order_by("pk"):
            context = row.context if isinstance(row.context, dict) else {}
            seen = list(context.get("activity_ids") or [])
            if activity.pk not in seen:
                continue
            was_first = seen[0] == activity.pk
            seen.remove(activity.pk)
            if not seen:
                row.delete()
                continue
            context = {**context, "activity_ids": seen, "count": len(seen)}
            first = Activity.objects.select_related("unit").filter(pk=seen[0]).first()
            if was_first and first is not None:  # the notice names its first submission
                context.update(activity_title=first.title, unit_name=first.unit.name)
            row.context = context
            row.save(update_fields=["context"])


def _count_in(activity: Activity, reviewer_ids: list[int], period: str) -> None:
    """Add the activity to each reviewer's notice of the day, under a row lock so that two
    submissions at once both count, and only once each."""
    with transaction.atomic():
        rows = Notification.objects.select_for_update().filter(
            rule=Rule.SUBMITTED, subject=QUEUE, period=period, recipient_id__in=reviewer_ids
        )
        for row in rows.order_by("pk"):
            context = row.context if isinstance(row.context, dict) else {}
            seen = list(context.get("activity_ids") or [])
            if activity.pk in seen:
                continue
            seen.append(activity.pk)
            row.context = {**context, "activity_ids": seen, "count": len(seen)}
            row.save(update_fields=["context"])
