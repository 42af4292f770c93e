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


# --- Issue 14: assessment notices and honours ---------------------------------------------------
# step_committed: one step of the assessment or the honours was written and committed.
# `sender=Snapshot` (any model), `kind` (one of STEPS), `pk` (the row the kind names). Receivers
# (notifications.receivers.notify_on_step) decide who is told; this module names no one.
STEPS = (
    "snapshot_published",  # pk: Snapshot
    "score_objection_filed",  # pk: ScoreObjection
    "score_objection_answered",  # pk: ScoreObjection
    "honour_step",  # pk: Recommendation (submit, recommend, shortlist, decline, withdraw)
    "shortlist_published",  # pk: HonourRound
    "honour_objection_sent",  # pk: HonourObjection
    "round_commended",  # pk: HonourRound
)
step_committed = Signal()


def step_committed_after_commit(kind: str, pk: int) -> None:
    """Send step_committed(kind, pk) once the current transaction commits."""
    if kind not in STEPS:
        raise ValueError(f"Unknown step {kind!r}")
    transaction.on_commit(
        lambda: step_committed.send(sender=Signal, kind=kind, pk=pk),
        robust=True,
    )
