"""What the evaluations app tells the apps above it (notifications): it never calls them.

- review_event_committed: a ReviewEvent (of a commitment set or a fulfilment report) was written
  and its transaction committed. `sender=ReviewEvent`, `event_id`, `action`.
- follow_up_event_committed: a FollowUpEvent was written and committed. `sender=FollowUpEvent`,
  `event_id`, `action`.

Sent once per event after the commit; a receiver that fails is logged and undoes nothing."""

from django.db import transaction
from django.dispatch import Signal

from evaluations.models import FollowUpEvent, ReviewEvent

review_event_committed = Signal()
follow_up_event_committed = Signal()


def review_event_committed_after_commit(event: ReviewEvent) -> None:
    event_id, action = event.pk, event.action
    transaction.on_commit(
        lambda: review_event_committed.send(sender=ReviewEvent, event_id=event_id, action=action),
        robust=True,
    )


def follow_up_event_committed_after_commit(event: FollowUpEvent) -> None:
    event_id, action = event.pk, event.action
    transaction.on_commit(
        lambda: follow_up_event_committed.send(
            sender=FollowUpEvent, event_id=event_id, action=action
        ),
        robust=True,
    )
