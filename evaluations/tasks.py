"""Celery tasks of evaluations: thin, an id in and one service call."""

from celery import shared_task

from common.tasks import WRITES


@shared_task(**WRITES)
def recompute_draft_scores(campaign_id: int) -> int:
    """Replace the campaign's kept draft scores (evaluations.draft_score_services); enqueued,
    debounced, by evaluations.draft_score_triggers."""
    from campaigns.models import Campaign
    from evaluations.draft_score_services import draft_scores_recompute

    campaign = Campaign.objects.select_related("unit").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    return draft_scores_recompute(campaign=campaign)


@shared_task(**WRITES)
def recompute_running_draft_scores() -> int:
    """The periodic run (a beat row, evaluations/migrations): every running campaign's draft
    scores, each through the same debounce as a change, so a recompute already due runs once."""
    from evaluations.draft_score_triggers import draft_scores_changed, running_campaign_ids

    ids = running_campaign_ids()
    for campaign_id in ids:
        draft_scores_changed(campaign_id)
    return len(ids)
