"""The one writer of the kept draft scores (evaluations.models.DraftScore): the campaign's rows
replaced by what evaluations.scoring.compute says now, in one transaction.

Two recomputes of one campaign may overlap (the periodic run and one after an approval): the
writes take turns per campaign (common.locks: a row lock on the campaign deadlocked with a unit
move, which updates every campaign while holding the units), and a recompute that started
before the kept rows were computed writes nothing (they are newer than what it read).

A page or the API computes a campaign's scores itself only when none were ever kept
(`draft_scores_ensure`), taking the same turn: readers arriving together (the first morning of
a campaign) wait for the first one's rows instead of each computing every unit. A computation
that found no unit taking part keeps no row, so each one also leaves a mark in the cache
(`computed_key`): the next reader does not compute again."""

from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.models import Campaign
from common import locks
from evaluations import scoring
from evaluations.models import DraftScore

BATCH = 1000
COMPUTED_SECONDS = 24 * 3600  # the hourly recompute renews the mark long before it goes


def computed_key(campaign: Campaign) -> str:
    """The cache's mark that the campaign's draft scores were computed (a campaign's key and its
    creation, so a key handed out again — a test database's — is another campaign)."""
    return f"draft-scores:computed:{campaign.pk}:{campaign.created_at.timestamp()}"


def draft_scores_recompute(*, campaign: Campaign, now: datetime | None = None) -> int:
    """Compute every taking-part unit's draft score (scoring.compute, once) and replace the
    campaign's kept rows with them. Returns how many rows were written (0 when a later
    recompute has written already)."""
    started = now or timezone.now()
    scores = scoring.compute(campaign)
    rows = [
        DraftScore(
            campaign_id=campaign.pk,
            unit_id=score.unit_id,
            total=score.total,
            scale=score.scale,
            rules=[rule.as_json() for rule in score.rules],
            peer_grouping=scores.scheme.peer_grouping,
            peer_group=score.peer_group[:100],
            rank=score.rank,
            peers=score.peers,
            grade=score.grade,
            as_of=scores.as_of,
            computed_at=started,
        )
        for score in scores.units
    ]
    with transaction.atomic():
        locks.take_turns(locks.DRAFT_SCORES, campaign.pk)
        kept = DraftScore.objects.filter(campaign_id=campaign.pk)
        newest = kept.aggregate(at=Max("computed_at"))["at"]
        if newest is not None and newest > started:
            return 0
        kept.delete()
        DraftScore.objects.bulk_create(rows, batch_size=BATCH)
    cache.set(computed_key(campaign), True, timeout=COMPUTED_SECONDS)
    return len(rows)


def draft_scores_ensure(*, campaign: Campaign) -> None:
    """Before a page or the API reads the kept draft scores: a campaign whose scores were never
    kept (none recomputed since it began) has them computed now, once (see the module's note)."""
    kept = DraftScore.objects.filter(campaign=campaign)
    if kept.exists() or cache.get(computed_key(campaign)):
        return
    with transaction.atomic():
        locks.take_turns(locks.DRAFT_SCORES, campaign.pk)
        if kept.exists():  # another reader computed them while this one waited for its turn
            return
        draft_scores_recompute(campaign=campaign)
