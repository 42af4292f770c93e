"""The sums of targets and the active tasks behind the dashboards are kept in each process under
the campaign's targets_version: a changed, deleted or moved target and a changed or added task show
at once, and re-sorting units (which changes their paths) leaves each child with its own sums."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns import services as campaign_services
from campaigns.models import Campaign, Target
from tests.dashboards.test_dashboard import board_of
from tests.factories import UserFactory
from units import services as unit_services

pytestmark = pytest.mark.django_db

DUE = datetime.date(2010, 12, 31)


def targets_by_unit(board) -> dict:
    """{unit: its subtree's target for the one task, or None}, from the ranking and the
    headline."""
    items = {row.unit: row.progress.period.items[0] for row in board.ranking}
    found = {unit: item.target.value if item.target else None for unit, item in items.items()}
    found[board.unit] = board.tasks[0].target
    return found


def test_a_second_view_reads_no_targets(client, tree, leader, targets):
    client.force_login(leader)
    board_of(client, tree.committee_a)

    with CaptureQueriesContext(connection) as queries:
        board = board_of(client, tree.committee_a)

    assert not [q for q in queries.captured_queries if 'campaigns_target"' in q["sql"]]
    assert targets_by_unit(board)[tree.committee_a] == Decimal(12)


def test_a_second_view_reads_no_tasks(client, tree, leader, targets):
    client.force_login(leader)
    board_of(client, tree.committee_a)

    with CaptureQueriesContext(connection) as queries:
        board_of(client, tree.committee_a)

    assert not [q for q in queries.captured_queries if 'campaigns_targettask"' in q["sql"]]


def test_a_changed_or_added_task_shows_at_once(client, tree, leader, task, targets):
    client.force_login(leader)
    assert [row.task.title for row in board_of(client, tree.committee_a).tasks] == [task.title]

    campaign_services.task_update(task=task, fields={"title": "改过的任务"})
    assert [row.task.title for row in board_of(client, tree.committee_a).tasks] == ["改过的任务"]

    campaign_services.task_update(task=task, fields={"is_active": False})
    assert board_of(client, tree.committee_a).tasks == []


def test_a_changed_target_shows_at_once(client, tree, leader, task, targets):
    client.force_login(leader)
    assert targets_by_unit(board_of(client, tree.committee_a))[tree.branch_a1] == Decimal(4)

    campaign_services.target_set(unit=tree.branch_a1, task=task, value=Decimal(10), due_on=DUE)

    sums = targets_by_unit(board_of(client, tree.committee_a))
    assert sums[tree.branch_a1] == Decimal(10)
    assert sums[tree.committee_a] == Decimal(4 + 10 + 4)


def test_a_deleted_target_shows_at_once(client, tree, leader, targets):
    client.force_login(leader)
    board_of(client, tree.committee_a)

    campaign_services.target_delete(target=Target.objects.get(unit=tree.union_a2))

    sums = targets_by_unit(board_of(client, tree.committee_a))
    assert sums[tree.union_a2] is None
    assert sums[tree.committee_a] == Decimal(8)


def test_a_moved_unit_takes_its_targets_along(client, tree, city_admin, targets):
    client.force_login(city_admin)
    assert targets_by_unit(board_of(client, tree.city))[tree.committee_a] == Decimal(12)

    unit_services.unit_move(unit=tree.branch_b1, new_parent=tree.committee_a)

    sums = targets_by_unit(board_of(client, tree.city))
    assert sums[tree.committee_a] == Decimal(16)
    assert sums[tree.committee_b] == Decimal(4)
    assert sums[tree.city] == Decimal(24)


def test_re_sorting_children_keeps_each_childs_sums(client, tree, leader, task, targets):
    campaign_services.target_set(unit=tree.branch_a1, task=task, value=Decimal(10), due_on=DUE)
    client.force_login(leader)
    before = board_of(client, tree.committee_a)
    assert [row.unit for row in before.ranking][-1] == tree.union_a2

    # union_a2 now sorts first: treebeard gives both children new paths.
    unit_services.unit_update(unit=tree.union_a2, fields={"sort_order": 0, "code": "A0"})
    tree.branch_a1.refresh_from_db()

    sums = targets_by_unit(board_of(client, tree.committee_a))
    assert sums[tree.branch_a1] == Decimal(10)
    assert sums[tree.union_a2] == Decimal(4)


def test_saving_the_campaign_renews_its_version(campaign):
    """A full save writes back the version it read; the save renews it again."""
    before = Campaign.objects.get(pk=campaign.pk).targets_version
    campaign.save()
    assert Campaign.objects.get(pk=campaign.pk).targets_version != before


def test_the_admin_keeps_a_targets_unit_and_task_and_a_tasks_campaign(client, task, targets):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    admin_client, target = client, targets["A1"]
    page = admin_client.get(reverse("admin:campaigns_target_change", args=[target.pk]))
    assert page.status_code == 200
    assert 'name="task"' not in page.content.decode()
    assert 'name="unit"' not in page.content.decode()
    page = admin_client.get(reverse("admin:campaigns_targettask_change", args=[task.pk]))
    assert page.status_code == 200
    assert 'name="campaign"' not in page.content.decode()
    assert 'name="title"' in page.content.decode()
