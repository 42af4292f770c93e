"""Changes in several units at once keep the standing roll-ups equal to the records: each
recomputes the rows of the units above it, which they share, one after the other.

Needs PostgreSQL (SQLite lets one writer in at a time); `.ci/run` sets CHUANGXIAN_REQUIRE_POSTGRES
so that there the test fails instead of skipping."""

import datetime
import threading

import pytest
from django.db import connections, transaction

from activities.models import Status
from evaluations.models import CommitmentSet, StandingRollup
from evaluations.standing_rollups import standing_rebuild
from tests.evaluations.fulfilment_setup import CommitmentFactory, CommitmentSetFactory

pytestmark = pytest.mark.usefixtures("needs_postgresql")


def _rows() -> set[tuple]:
    return set(
        StandingRollup.objects.values_list(
            "unit_id", "campaign_id", "kind", "due_on", "items", "done", "done_on_time"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_sets_approved_at_once_in_sibling_units_all_count(tree, campaign):
    units = [tree.branch_a1, tree.union_a2, tree.branch_b1, tree.committee_a, tree.committee_b]
    sets = []
    for number, unit in enumerate(units):
        made = CommitmentSetFactory(unit=unit, campaign=campaign, status=Status.SUBMITTED)
        for day in range(number + 1):
            CommitmentFactory(set=made, due_on=datetime.date(2010, 6, 1 + day))
        sets.append(made)
    barrier = threading.Barrier(len(sets))
    errors: list[Exception] = []

    def approve(pk: int) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                found = CommitmentSet.objects.select_for_update().get(pk=pk)
                found.status = Status.APPROVED
                found.save()
        except Exception as error:  # the test reports whatever went wrong
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(made.pk,)) for made in sets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    city = StandingRollup.objects.filter(unit=tree.city, campaign=campaign, kind="commitment")
    assert sum(row.items for row in city) == 1 + 2 + 3 + 4 + 5
    kept = _rows()
    standing_rebuild()
    assert _rows() == kept
