"""The kept draft scores (evaluations.models.DraftScore): the service keeps what the engine
computes, a record change is kept by the next recompute (and an older recompute never overwrites
a newer one), a burst of changes enqueues one recompute (the cache key, on Redis when REDIS_URL is
set), the periodic run covers the running campaigns, and the pages read the kept rows."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from activities.models import Action, ActivityEvent
from activities.signals import event_committed
from evaluations import (
    adjustment_services,
    draft_score_services,
    draft_score_triggers,
    scoring,
    tasks,
)
from evaluations.models import DraftScore, LeaderComment
from tests.evaluations.scores_fixtures import build
from tests.factories import CampaignFactory, TargetFactory, TargetTaskFactory, UserFactory

pytestmark = pytest.mark.django_db


def _kept(campaign) -> dict[int, DraftScore]:
    return {row.unit_id: row for row in DraftScore.objects.filter(campaign=campaign)}


def test_the_service_keeps_what_compute_says(tree, campaign):
    build(tree, campaign)
    assert draft_score_services.draft_scores_recompute(campaign=campaign) == 4
    kept = _kept(campaign)
    computed = scoring.compute(campaign)
    assert set(kept) == {score.unit_id for score in computed.units}
    for score in computed.units:
        row = kept[score.unit_id]
        assert (row.total, row.scale, row.rank, row.peers, row.grade, row.peer_group) == (
            score.total,
            score.scale,
            score.rank,
            score.peers,
            score.grade,
            score.peer_group,
        )
        assert row.rules == [rule.as_json() for rule in score.rules]
        assert tuple(scoring.RulePoints.from_json(r) for r in row.rules) == score.rules
        assert row.as_of == computed.as_of
    assert kept[tree.branch_a1.pk].total == scoring.compute(campaign).of(tree.branch_a1.pk).total


def test_a_campaign_where_no_unit_takes_part_is_computed_once(campaign, monkeypatch):
    """No unit takes part, so no row is kept: the pages still compute it once, not each view."""
    computed = []
    compute = scoring.compute
    monkeypatch.setattr(scoring, "compute", lambda c: computed.append(c.pk) or compute(c))
    for _ in range(3):
        draft_score_services.draft_scores_ensure(campaign=campaign)
    assert computed == [campaign.pk] and not _kept(campaign)


def test_a_record_change_is_kept_by_the_next_recompute_only(tree, campaign):
    build(tree, campaign)
    started = timezone.now()
    draft_score_services.draft_scores_recompute(campaign=campaign)
    before = _kept(campaign)[tree.branch_a1.pk]
    LeaderComment.objects.create(
        unit=tree.branch_a1, campaign=campaign, author=UserFactory(), text="差", grade=1
    )
    assert _kept(campaign)[tree.branch_a1.pk].total == before.total  # kept until recomputed
    # A recompute that started before the kept rows were computed writes nothing.
    earlier = started - datetime.timedelta(seconds=1)
    assert draft_score_services.draft_scores_recompute(campaign=campaign, now=earlier) == 0
    assert _kept(campaign)[tree.branch_a1.pk].computed_at == before.computed_at
    draft_score_services.draft_scores_recompute(campaign=campaign)
    after = _kept(campaign)[tree.branch_a1.pk]
    assert after.total < before.total
    assert after.total == scoring.compute(campaign).of(tree.branch_a1.pk).total
    assert DraftScore.objects.filter(campaign=campaign).count() == 4  # replaced, not added


def test_a_burst_of_decisions_runs_one_recompute(tree, campaign, monkeypatch):
    built = build(tree, campaign)
    runs: list[int] = []
    monkeypatch.setattr(
        draft_score_services,
        "draft_scores_recompute",
        lambda *, campaign: runs.append(campaign.pk) or 0,
    )
    cache.delete(draft_score_triggers.debounce_key(campaign.pk))
    for activity in built.activities[:2]:
        event = ActivityEvent.objects.filter(activity=activity).first()
        event_committed.send(
            sender=ActivityEvent,
            event_id=event.pk,
            activity_id=activity.pk,
            action=Action.APPROVE,
        )
    # A submission moves no score: it enqueues nothing either.
    event_committed.send(
        sender=ActivityEvent, event_id=0, activity_id=built.activities[2].pk, action=Action.SUBMIT
    )
    assert runs == [campaign.pk]  # Celery runs eagerly here: the first change ran it
    assert cache.get(draft_score_triggers.debounce_key(campaign.pk)) is not None
    cache.delete(draft_score_triggers.debounce_key(campaign.pk))  # the window is over
    assert draft_score_triggers.draft_scores_changed(campaign.pk) is True
    assert runs == [campaign.pk, campaign.pk]


def test_an_approved_bonus_is_kept_after_its_commit(
    tree, running, staff, reviewer, django_capture_on_commit_callbacks
):
    TargetFactory(unit=tree.branch_a1, task=TargetTaskFactory(campaign=running))
    bonus = adjustment_services.adjustment_create(
        actor=staff, unit=tree.branch_a1, campaign=running, points=Decimal(3), reason="市级表彰"
    )
    adjustment_services.adjustment_submit(actor=staff, item=bonus)
    cache.delete(draft_score_triggers.debounce_key(running.pk))
    with django_capture_on_commit_callbacks(execute=True):
        adjustment_services.adjustment_approve(actor=reviewer, item=bonus, level=1)
    row = DraftScore.objects.get(campaign=running, unit=tree.branch_a1)
    [points] = [rule["points"] for rule in row.rules if rule["kind"] == "adjustments"]
    assert points == "3.00"
    cache.delete(draft_score_triggers.debounce_key(running.pk))


def test_the_window_delays_the_recompute_past_every_change(campaign, monkeypatch, settings):
    settings.DRAFT_SCORES_DEBOUNCE_SECONDS = 30
    enqueued = []
    monkeypatch.setattr(
        tasks.recompute_draft_scores,
        "apply_async",
        lambda args, countdown: enqueued.append((args, countdown)),
    )
    cache.delete(draft_score_triggers.debounce_key(campaign.pk))
    assert draft_score_triggers.draft_scores_changed(campaign.pk) is True
    assert draft_score_triggers.draft_scores_changed(campaign.pk) is False
    assert enqueued == [((campaign.pk,), 31)]
    cache.delete(draft_score_triggers.debounce_key(campaign.pk))


def test_the_periodic_run_recomputes_the_running_campaigns(tree, campaign, monkeypatch):
    today = timezone.localdate()
    running = CampaignFactory(
        unit=tree.city,
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=5),
    )
    changed: list[int] = []
    monkeypatch.setattr(draft_score_triggers, "draft_scores_changed", changed.append)
    assert tasks.recompute_running_draft_scores() == 1
    assert changed == [running.pk]  # the finished 2010 campaign is left alone
    # The beat row is installed by evaluations/0008_draft_scores; a transactional test's flush
    # may have emptied the table since, so its installer runs here again, as migrate runs it.
    migration = importlib.import_module("evaluations.migrations.0008_draft_scores")
    migration.install_beat(django_apps, None)
    beat = PeriodicTask.objects.filter(task="evaluations.tasks.recompute_running_draft_scores")
    assert beat.filter(enabled=True, interval__every=60).exists()


def test_the_pages_read_the_kept_rows(client, tree, campaign, city_admin):
    build(tree, campaign)
    client.force_login(city_admin)
    ranking = reverse("evaluations:scores", args=[campaign.pk])
    unit = reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk])
    assert not DraftScore.objects.filter(campaign=campaign).exists()
    page = client.get(ranking)  # none kept yet: computed once, then read
    kept = _kept(campaign)[tree.branch_a1.pk]
    assert b'data-testid="computed-at"' in page.content
    assert f">{kept.total}<".encode() in page.content
    DraftScore.objects.filter(pk=kept.pk).update(total="12.34")  # what the page shows is kept
    assert b">12.34<" in client.get(ranking).content
    page = client.get(unit)
    assert b">12.34<" in page.content
    assert b'data-testid="computed-at"' in page.content
    returned = ActivityEvent.objects.filter(action=Action.RETURN, activity__campaign=campaign)
    activity_id = returned.values_list("activity_id", flat=True).first()
    # The records behind the numbers are read for this unit, now.
    assert reverse("activities:detail", args=[activity_id]).encode() in page.content


def test_the_admin_shows_the_kept_scores_only(root, tree, campaign):
    build(tree, campaign)
    draft_score_services.draft_scores_recompute(campaign=campaign)
    page = root.get(reverse("admin:evaluations_draftscore_changelist"))
    assert page.status_code == 200
    assert tree.branch_a1.name.encode() in page.content
    assert root.get(reverse("admin:evaluations_draftscore_add")).status_code == 403


@pytest.mark.parametrize(
    "task", [tasks.recompute_draft_scores, tasks.recompute_running_draft_scores]
)
def test_the_recompute_tasks_retry_on_database_errors(task):
    from common.tasks import WRITES

    assert set(task.autoretry_for) == set(WRITES["autoretry_for"])
    assert task.max_retries == WRITES["max_retries"] and task.retry_backoff
