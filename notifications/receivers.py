"""Notices that follow from the workflow's events: activities.signals.event_committed is sent once
per event after its transaction commits, and the event's action says which transition notice
(notifications.transitions, run by the notify_transition task) it calls for. One event, one task:
the task's own claims make a retried task send nothing twice."""

from activities.models import Action
from notifications.tasks import notify_follow_up, notify_review_event, notify_transition

# The action an event records → the transition notice it calls for, and whether the notice is
# keyed by the event (a return is told once per return event; a submission once per reviewer and
# day, whatever its event).
NOTICES = {
    Action.SUBMIT: ("submitted", False),
    Action.PASS_ON: ("submitted", False),  # passed on: a new submission in the next level's queue
    Action.RETURN: ("returned", True),
    Action.REROUTE: ("rerouted", True),
}


def notify_on_event(sender, *, event_id: int, activity_id: int, action: str, **kwargs) -> None:
    if action not in NOTICES:
        return
    kind, by_event = NOTICES[action]
    args = (kind, activity_id, event_id) if by_event else (kind, activity_id)
    notify_transition.delay(*args)


def notify_on_follow_up_event(sender, *, event_id: int, action: str, **kwargs) -> None:
    """A follow-up's step (evaluations.signals.follow_up_event_committed): its notice, if it
    calls for one (notifications.follow_ups)."""
    from notifications.follow_ups import RULES as FOLLOW_UP_RULES

    if action in FOLLOW_UP_RULES:
        notify_follow_up.delay(event_id)


def notify_on_review_event(sender, *, event_id: int, action: str, **kwargs) -> None:
    """A commitment set's or fulfilment report's review event (evaluations.signals)."""
    if action in (Action.SUBMIT, Action.PASS_ON, Action.RETURN, Action.APPROVE):
        notify_review_event.delay(event_id)  # approvals notify only for adjustments


def notify_on_step(sender, *, kind: str, pk: int, **kwargs) -> None:
    """A committed step of the assessment or the honours (evaluations.signals.step_committed):
    its notices (notifications.issue14)."""
    from notifications.tasks import notify_step

    notify_step.delay(kind, pk)
