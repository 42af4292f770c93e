"""Celery tasks: thin — ids or a name in, one service call, the resulting ids handed to `deliver`
in batches so that several workers share the sending. Each service claims its work, so a task
run twice, by two beat processes or retried after a crash, sends nothing twice."""

from celery import shared_task
from django.utils import timezone

# Every task that writes retries when the database is locked or gone (common.tasks.WRITES). Each
# task's work is claimed or written under a unique key, so a retry after a partial run sends
# nothing twice; what is still pending after the last retry is picked up by `deliver_due`.
from common.tasks import WRITES


def _deliver_in_batches(ids: list[int]) -> int:
    from notifications.services import batches

    for batch in batches(ids):
        deliver.delay(batch)
    return len(ids)


@shared_task(**WRITES)
def deliver(ids: list[int]) -> int:
    """E-mail these notifications if they still wait."""
    from notifications.services import deliver as deliver_notifications

    return deliver_notifications(ids)


@shared_task(**WRITES)
def deliver_due() -> int:
    """Pick up what waits: failed sends to retry and claims left by crashed workers."""
    from notifications.services import due_ids

    return _deliver_in_batches(due_ids())


@shared_task(**WRITES)
def run_rule(name: str) -> int:
    """Run one reminder rule (notifications.rules.RULES) now and e-mail what it wrote."""
    from notifications.rules import RULES

    if name not in RULES:
        raise ValueError(f"Unknown notification rule {name!r}; known: {sorted(RULES)}")
    return _deliver_in_batches(RULES[name](timezone.now()))


@shared_task(**WRITES)
def notify_transition(kind: str, activity_id: int, event_id: int | None = None) -> int:
    """Notify the people a workflow transition concerns; enqueue with transaction.on_commit."""
    from notifications import transitions

    if kind == "submitted":
        ids = transitions.on_submitted(activity_id)
    elif kind == "rerouted":
        ids = transitions.on_rerouted(activity_id)
    elif kind == "returned":
        if event_id is None:
            raise ValueError("A returned notification needs the return event's id")
        ids = transitions.on_returned(activity_id, event_id)
    else:
        raise ValueError(f"Unknown transition {kind!r}")
    return _deliver_in_batches(ids)


@shared_task(**WRITES)
def notify_follow_up(event_id: int) -> int:
    """The notice of a follow-up's step (notifications.follow_ups); enqueued after its commit."""
    from notifications.follow_ups import on_follow_up_event

    return _deliver_in_batches(on_follow_up_event(event_id))


@shared_task(**WRITES)
def notify_review_event(event_id: int) -> int:
    """Notify the people a commitment set's or fulfilment report's review event concerns."""
    from notifications.review_notices import on_review_event

    return _deliver_in_batches(on_review_event(event_id))


@shared_task(**WRITES)
def notify_step(kind: str, pk: int) -> int:
    """The notices of an assessment or honours step (notifications.issue14); after its commit."""
    from notifications.issue14 import on_step

    return _deliver_in_batches(on_step(kind, pk))


@shared_task(**WRITES)
def send_digests() -> int:
    """Send today's daily digests, each once."""
    from notifications.digests import digests_send

    return digests_send(now=timezone.now())
