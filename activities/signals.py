"""What the activities app tells the apps above it. It never calls them: notices, for one, follow
from the events a transition writes (notifications.receivers), so the workflow knows nothing of who
hears of it.

- event_committed: an ActivityEvent was written and its transaction has committed. Sent once per
  event, with `sender=ActivityEvent`, `event_id`, `activity_id` and `action` (an
  activities.models.Action). A receiver that fails is logged and does not undo the transition.
"""

from django.db import transaction
from django.dispatch import Signal

from activities.models import ActivityEvent

event_committed = Signal()


def event_committed_after_commit(event: ActivityEvent) -> None:
    """Send `event_committed` for `event` once the transaction writing it commits (at once outside
    one). Robust: a broker that is down must not turn a committed transition into an error page."""
    event_id, activity_id, action = event.pk, event.activity_id, event.action

    def send() -> None:
        event_committed.send(
            sender=ActivityEvent, event_id=event_id, activity_id=activity_id, action=action
        )

    transaction.on_commit(send, robust=True)
