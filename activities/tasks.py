"""Celery tasks of activities: thin, an id in and one service call."""

from celery import shared_task


@shared_task
def process_evidence(evidence_id: int) -> bool:
    """Hash, date and thumbnail an uploaded evidence file and record its matches
    (activities.integrity); enqueued after the upload commits."""
    from activities.integrity import evidence_process

    return evidence_process(evidence_id=evidence_id) is not None
