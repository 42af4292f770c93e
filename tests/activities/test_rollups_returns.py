"""UnitRollup.returns (migration activities/0012): the migration fills it from the events as a
full rebuild counts them, and a return through the service counts it at once."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from activities import services
from activities.models import UnitRollup
from tests.activities.test_rollups import _rows
from tests.evaluations.scores_fixtures import build

pytestmark = pytest.mark.django_db

migration = importlib.import_module("activities.migrations.0012_unitrollup_returns")


def test_the_migration_fills_returns_as_the_rebuild_counts_them(tree, campaign):
    build(tree, campaign)  # one return of branch_a1's, rolled up by rollups_rebuild
    rebuilt = _rows()
    assert UnitRollup.objects.filter(unit=tree.city, returns=1).exists()
    UnitRollup.objects.update(returns=0)
    # The function reads only the editor's connection (a schema editor cannot be opened inside
    # the test's transaction on SQLite).
    migration.fill_returns(django_apps, SimpleNamespace(connection=connection))
    assert _rows() == rebuilt


def test_a_return_counts_for_the_units_above(tree, staff, reviewer, draft):
    services.activity_submit(actor=staff, activity=draft)
    services.activity_return(actor=reviewer, activity=draft, level=1, reason="缺少照片")
    returned = dict(
        UnitRollup.objects.filter(line="", reviews__gt=0).values_list("unit_id", "returns")
    )
    assert returned == {tree.city.pk: 1, tree.committee_a.pk: 1, tree.branch_a1.pk: 1}
