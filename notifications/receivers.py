"""Notices that follow from the workflow's events: activities.signals.event_committed is sent once
per event after its transaction commits, and the event's action says which transition notice
(notifications.transitions, run by the notify_transition task) it calls for. One event, one task:
the task's own claims make a retried task send nothing twice."""

from activities.models import Action
from notifications.tasks import notify_review_event, notify_transition

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


def notify_on_review_event(sender, *, event_id: int, action: str, **kwargs) -> None:
    """A commitment set's or fulfilment report's review event (evaluations.signals)."""
    if action in (Action.SUBMIT, Action.PASS_ON, Action.RETURN):
        notify_review_event.delay(event_id)
