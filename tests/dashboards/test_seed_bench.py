"""seed_bench (the benchmark's data set) at a small size: the tree, the campaign, targets, users and
activities it promises, roll-ups that agree with the records, and a second run that changes
nothing. COPY is PostgreSQL-only; at this size the command uses bulk_create, so this runs on
SQLite too."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F, Sum
from django.test import override_settings

from accounts.models import User
from activities.models import Activity, ActivityEvent, Status, UnitRollup
from activities.progress import period_of, subtree_task_figures
from bench import seed_bench
from campaigns.models import Campaign, Target
from tests.figures import approved_in_subtree, task_figures
from units.models import Membership, Role, Unit

pytestmark = pytest.mark.django_db

UNITS, ACTIVITIES = 60, 600


def _seed(**options) -> str:
    out = io.StringIO()
    call_command(seed_bench.Command(), units=UNITS, activities=ACTIVITIES, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module and commit it; each test runs in its own rolled-back
    transaction on top, and the module empties the database afterwards."""
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        django_db_blocker.unblock(),
    ):
        _seed()
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(_seeded_once, db):
    root = Unit.objects.get(code=seed_bench.ROOT_CODE)
    return root, Campaign.objects.get(unit=root, name=seed_bench.CAMPAIGN_NAME)


def test_it_builds_a_five_level_tree_of_the_requested_size(seeded):
    root, _campaign = seeded
    units = Unit.objects.filter(path__startswith=root.path)
    assert units.count() == UNITS
    assert sorted(set(units.values_list("depth", flat=True))) == [1, 2, 3, 4, 5]
    assert set(units.values_list("line", flat=True)) == {"party", "union", "league", "women"}
    assert all(code.startswith("BENCH-") for code in units.values_list("code", flat=True))
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_it_gives_every_unit_the_targets_of_its_line(seeded):
    root, campaign = seeded
    assert campaign.review_levels == 2
    assert campaign.tasks.count() == 16
    targets = Target.objects.filter(unit__path__startswith=root.path)
    assert targets.count() == UNITS * 4
    assert not targets.exclude(task__line=F("unit__line")).exists()


def test_it_writes_activities_in_every_state_with_their_events(seeded):
    _root, campaign = seeded
    activities = Activity.objects.filter(campaign=campaign)
    assert activities.count() == ACTIVITIES
    assert set(activities.values_list("status", flat=True)) == set(Status.values)
    assert not activities.filter(tasks=None).exists()
    approved = activities.filter(status=Status.APPROVED)
    assert not approved.filter(approved_at=None).exists()
    assert ActivityEvent.objects.filter(activity__in=approved, action="approve").count() == (
        approved.count()
    )
    waiting = activities.filter(status=Status.SUBMITTED)
    assert not waiting.filter(review_unit=None).exists()
    assert not waiting.filter(waiting_since=None).exists()
    # Who passed a level-2 submission on is its pass-on's reviewer, as the services keep it.
    passed_on = {
        event.activity_id: event.actor_id
        for event in ActivityEvent.objects.filter(activity__in=waiting, action="pass_on")
    }
    assert passed_on
    assert dict(waiting.filter(review_level=2).values_list("pk", "passed_on_by_id")) == passed_on
    assert not waiting.filter(review_level=1).exclude(passed_on_by=None).exists()


def test_it_signs_up_the_bench_users_on_their_units(seeded):
    root, _campaign = seeded
    expected = {
        seed_bench.ROOT_LEADER: (Role.LEADER, 1),
        seed_bench.MID_LEADER: (Role.LEADER, 3),
        seed_bench.LEAF_STAFF: (Role.STAFF, 5),
        seed_bench.TOP_REVIEWER: (Role.REVIEWER, 1),
    }
    for username, (role, depth) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(seed_bench.BENCH_PASSWORD)
        membership = Membership.objects.get(user=user, role=role)
        assert membership.unit.depth == depth
        assert membership.unit.path.startswith(root.path)


def test_its_rollups_agree_with_a_direct_count_for_the_root(seeded):
    root, campaign = seeded
    task_ids = list(campaign.tasks.values_list("pk", flat=True))
    direct = task_figures(root, task_ids)
    rolled = subtree_task_figures([root.pk], period_of(campaign), task_ids)
    assert {task: figures for (_unit, task), figures in rolled.items()} == direct
    total = UnitRollup.objects.filter(unit=root, campaign=campaign, line="").aggregate(
        n=Sum("activities")
    )["n"]
    assert total == approved_in_subtree(root).count() > 0


def test_a_second_run_with_the_same_counts_changes_nothing(seeded):
    root, _campaign = seeded
    ids = set(Activity.objects.values_list("pk", flat=True))
    assert "already present" in _seed()
    assert set(Activity.objects.values_list("pk", flat=True)) == ids
    assert Unit.objects.get(code=seed_bench.ROOT_CODE).pk == root.pk


def test_force_rebuilds_the_set(seeded):
    root, _campaign = seeded
    _seed(force=True)
    assert not Unit.objects.filter(pk=root.pk).exists()
    new_root = Unit.objects.get(code=seed_bench.ROOT_CODE)
    assert Unit.objects.filter(path__startswith=new_root.path).count() == UNITS
    assert Activity.objects.count() == ACTIVITIES


def test_it_refuses_a_large_set_on_sqlite(seeded):
    if connection.vendor != "sqlite":
        pytest.skip("the refusal is SQLite's")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command(seed_bench.Command(), units=UNITS, activities=200_000, stdout=io.StringIO())
    assert Unit.objects.filter(code=seed_bench.ROOT_CODE).count() == 1


def test_every_bench_page_has_its_bar_and_answers(seeded, client, settings, monkeypatch):
    """bench/run.py's page table (the API's activity list and progress among them): each page
    but the export has a p95 bar, and answers 200 to its user."""
    from pathlib import Path

    monkeypatch.syspath_prepend(str(Path(seed_bench.__file__).parent))  # run.py's own imports
    from bench import run

    settings.API_USER_RATE = "100000/hour"
    pages = run.bench_pages(export_rows=100)
    names = {page["page"] for page in pages}
    assert {"api_activity_list", "api_progress_root"} <= names
    assert names - {"activities_export"} == set(run.P95_BARS)
    for page in pages:
        if page.get("export"):
            continue
        client.force_login(page["user"])
        assert client.get(page["path"]).status_code == 200, page["page"]
