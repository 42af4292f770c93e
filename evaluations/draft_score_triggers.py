"""When the kept draft scores (evaluations.models.DraftScore) are recomputed: after the committed
events that move scores, debounced per campaign, and periodically for every running campaign
(evaluations.tasks.recompute_running_draft_scores).

**Debounce**: the first change of a campaign adds a cache key (Redis in production: every web
process and worker share it) that lives DRAFT_SCORES_DEBOUNCE_SECONDS, and enqueues one
recompute to run a second after it expires; every further change of that window finds the key
and enqueues nothing. The recompute starts after the window, so it reads every change made in
it; a change after the window starts another. A burst of approvals thus costs one recompute.

**What moves scores**: an activity's review decision or reopening (activities.signals), the
approval of a commitment set, fulfilment report or bonus and deduction item, a follow-up's step
(evaluations.signals), a leader's grade (comment_services), and a saved scheme
(scoring_services: at once, without the window — an admin's save, rare, whose result they want to
see). The appraisal ratings, many and each small, are picked up by the periodic run."""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from activities import rollups
from activities.models import Action, Activity
from campaigns.models import Campaign
from evaluations.models import FollowUp, ReviewEvent

# The activity events that change a score: the review decisions the roll-ups count (return
# rate, approvals) and reopening.
ACTIVITY_ACTIONS = frozenset({*rollups.REVIEW_ACTIONS, Action.REOPEN})
# The events of a commitment set's, a fulfilment report's or an adjustment's review that do.
REVIEW_EVENT_ACTIONS = frozenset({Action.APPROVE, Action.REOPEN})


def debounce_key(campaign_id: int) -> str:
    return f"draft-scores:due:{campaign_id}"


def draft_scores_changed(campaign_id: int) -> bool:
    """Enqueue the campaign's recompute unless one is due already (see the module's note).
    True when this call enqueued it."""
    from evaluations.tasks import recompute_draft_scores

    window = settings.DRAFT_SCORES_DEBOUNCE_SECONDS
    if not cache.add(debounce_key(campaign_id), 1, timeout=window):
        return False
    recompute_draft_scores.apply_async((campaign_id,), countdown=window + 1)
    return True


def draft_scores_changed_after_commit(campaign_id: int) -> None:
    """draft_scores_changed once the current transaction commits (a failure is logged)."""
    transaction.on_commit(lambda: draft_scores_changed(campaign_id), robust=True)


def scheme_saved_after_commit(campaign_id: int) -> None:
    """The scheme changed: recompute at once after the commit, whatever window is open."""
    from evaluations.tasks import recompute_draft_scores

    transaction.on_commit(lambda: recompute_draft_scores.delay(campaign_id), robust=True)


def running_campaign_ids() -> list[int]:
    today = timezone.localdate()
    return list(
        Campaign.objects.filter(Campaign.running_q(today))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Receivers (connected in evaluations.apps) --------------------------------------------------


def on_activity_event(sender, *, activity_id: int, action: str, **kwargs) -> None:
    if action not in ACTIVITY_ACTIONS:
        return
    campaign_id = Activity.objects.filter(pk=activity_id).values_list("campaign_id", flat=True)
    for found in campaign_id[:1]:
        draft_scores_changed(found)


def on_review_event(sender, *, event_id: int, action: str, **kwargs) -> None:
    if action not in REVIEW_EVENT_ACTIONS:
        return
    found = (
        ReviewEvent.objects.filter(pk=event_id)
        .values_list(
            "commitment_set__campaign_id",
            "report__commitment__campaign_id",
            "adjustment__campaign_id",
        )
        .first()
    )
    for campaign_id in found or ():
        if campaign_id is not None:
            draft_scores_changed(campaign_id)
            return


def on_follow_up_event(sender, *, event_id: int, **kwargs) -> None:
    campaign_id = (
        FollowUp.objects.filter(events__pk=event_id).values_list("campaign_id", flat=True).first()
    )
    if campaign_id is not None:
        draft_scores_changed(campaign_id)
