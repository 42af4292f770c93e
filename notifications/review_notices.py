"""Notices of the review of commitment sets and fulfilment reports (evaluations.review), written
when a ReviewEvent has committed (evaluations.signals.review_event_committed → notifications.
receivers → tasks.notify_review_event).

- submitted or passed on: the active reviewers on the unit it now waits on (its review_unit) who
  may decide it (evaluations.review.may_review: never the unit's own staff, nor who passed it
  on) — COMMITMENTS_SUBMITTED / FULFILMENT_SUBMITTED;
- returned: the unit's active staff, with the reason — COMMITMENTS_RETURNED / FULFILMENT_RETURNED.

Each is keyed by the event (subject "commitment_set:<pk>" or "fulfilment_report:<pk>", period
the event id): the unique claim of a Notification makes a retried task write nothing twice.

Context keys: unit_name, campaign_name; promise (reports); reason and reviewer (returned)."""

from django.urls import NoReverseMatch, reverse

from activities.models import Action, Status
from evaluations import review
from evaluations.models import ReviewEvent
from notifications.models import Rule
from notifications.rules import notify_in_key_order, staff_by_unit
from notifications.services import Notice
from units import routing
from units.scope import Scope

SUBMITTED = (Action.SUBMIT, Action.PASS_ON)


def _link(event: ReviewEvent) -> str:
    if event.commitment_set_id is not None:
        subject = event.commitment_set
        return reverse("evaluations:commitments", args=[subject.unit_id, subject.campaign_id])
    try:
        return reverse("evaluations:report", args=[event.report_id])
    except NoReverseMatch:
        return ""


def _reviewers_to_tell(item) -> list:
    """The active reviewers of the unit a submission now waits on who may decide it, judged by
    the one rule (evaluations.review.may_review: not the unit's staff, not a deduction's author,
    not who passed it on): the few reviewers of one unit, in the notice's task."""
    reviewers = routing.reviewers_on([item.review_unit_id]).get(item.review_unit_id, [])
    return [user for user in reviewers if review.may_review(Scope.of(user), item)]


def _unit_staff(unit_id: int) -> list:
    """The unit's active staff, told of a decision on what they submitted."""
    return staff_by_unit([unit_id]).get(unit_id, [])


def on_review_event(event_id: int) -> list[int]:
    """Write the notices `event` calls for; the ids written now."""
    event = (
        ReviewEvent.objects.filter(pk=event_id)
        .select_related(
            "actor",
            "commitment_set__unit",
            "commitment_set__campaign",
            "report__commitment__unit",
            "report__commitment__campaign",
            "adjustment__unit",
            "adjustment__campaign",
        )
        .first()
    )
    if event is None:
        return []
    if event.adjustment_id is not None:
        return _on_adjustment_event(event)
    if event.action not in SUBMITTED and event.action != Action.RETURN:
        return []
    is_set = event.commitment_set_id is not None
    item = event.commitment_set if is_set else event.report
    unit = item.unit if is_set else item.commitment.unit
    campaign = item.campaign if is_set else item.commitment.campaign
    context = {"unit_name": unit.name, "campaign_name": campaign.name}
    if not is_set:
        context["promise"] = item.commitment.promise[:120]
    subject = f"commitment_set:{item.pk}" if is_set else f"fulfilment_report:{item.pk}"
    if event.action in SUBMITTED:
        if item.status != Status.SUBMITTED or item.review_unit_id is None:
            return []  # withdrawn or decided before the task ran
        recipients = _reviewers_to_tell(item)
        rule = Rule.COMMITMENTS_SUBMITTED if is_set else Rule.FULFILMENT_SUBMITTED
    else:
        recipients = _unit_staff(unit.pk)
        rule = Rule.COMMITMENTS_RETURNED if is_set else Rule.FULFILMENT_RETURNED
        context["reason"] = event.comment
        context["reviewer"] = event.actor.get_full_name() if event.actor else ""
    link = _link(event)
    notices = [Notice(user, subject, str(event.pk), link, context) for user in recipients]
    return notify_in_key_order(rule=rule, notices=notices)


def _on_adjustment_event(event: ReviewEvent) -> list[int]:
    """A bonus or deduction item's event, like a commitment set's: submitted or passed on → the
    reviewers it waits on (never the unit's staff nor the item's author); approved (final) or
    returned → the unit's staff. Keyed by the event: subject "adjustment:<pk>", period the event
    id."""
    item = event.adjustment
    assert item is not None
    context = {
        "unit_name": item.unit.name,
        "campaign_name": item.campaign.name,
        "points": f"{item.points:+}",
    }
    if event.action in SUBMITTED:
        if item.status != Status.SUBMITTED or item.review_unit_id is None:
            return []  # withdrawn or decided before the task ran
        recipients = _reviewers_to_tell(item)
        rule = Rule.ADJUSTMENT_SUBMITTED
    elif event.action == Action.APPROVE:
        recipients, rule = _unit_staff(item.unit_id), Rule.ADJUSTMENT_APPROVED
    elif event.action == Action.RETURN:
        recipients, rule = _unit_staff(item.unit_id), Rule.ADJUSTMENT_RETURNED
        context["reason"] = event.comment
        context["reviewer"] = event.actor.get_full_name() if event.actor else ""
    else:
        return []
    link = reverse("evaluations:adjustment", args=[item.pk])
    notices = [
        Notice(user, f"adjustment:{item.pk}", str(event.pk), link, context) for user in recipients
    ]
    return notify_in_key_order(rule=rule, notices=notices)
