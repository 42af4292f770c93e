"""Readers arriving together at a campaign whose draft scores were never kept (its first
morning): the first computes every unit's score, the others wait for its rows (their turn,
common.locks) instead of each computing them all again (draft_score_services.draft_scores_ensure).

Needs PostgreSQL (SQLite lets one writer in at a time); `.ci/run` sets CHUANGXIAN_REQUIRE_POSTGRES
so that there the test fails instead of skipping."""

import threading
import time

import pytest
from django.db import connection, connections

from evaluations import draft_score_services, scoring
from evaluations.models import DraftScore
from tests.evaluations.scores_fixtures import build

pytestmark = pytest.mark.usefixtures("needs_postgresql")


def _someone_waits_for_a_turn() -> bool:
    """Is a transaction waiting for an advisory lock (common.locks)? pg_locks is read live, even
    inside a transaction (pg_stat_activity would be its snapshot at its first read)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.django_db(transaction=True)
def test_readers_arriving_together_compute_the_scores_once(tree, campaign, monkeypatch):
    build(tree, campaign)
    DraftScore.objects.filter(campaign=campaign).delete()  # whatever its commits kept: none
    computed: list[int] = []
    real = scoring.compute

    def compute(found, **kwargs):
        computed.append(found.pk)
        if len(computed) == 1:
            # The first reader computes until the second has come as far as it will: computing
            # too, or waiting for its turn (an advisory lock).
            deadline = time.monotonic() + 10
            while len(computed) == 1 and not _someone_waits_for_a_turn():
                assert time.monotonic() < deadline, "the second reader never came"
                time.sleep(0.01)
        return real(found, **kwargs)

    monkeypatch.setattr(scoring, "compute", compute)
    errors: list[Exception] = []

    def read() -> None:
        try:
            draft_score_services.draft_scores_ensure(campaign=campaign)
        except Exception as error:  # the test reports whatever went wrong
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=read)
    first.start()
    deadline = time.monotonic() + 10
    while not computed and time.monotonic() < deadline:
        time.sleep(0.01)
    second = threading.Thread(target=read)
    second.start()
    for thread in (first, second):
        thread.join(timeout=60)

    assert errors == []
    assert computed == [campaign.pk]  # once, by the first reader
    assert DraftScore.objects.filter(campaign=campaign).count() == 4
