"""The standing figures on the unit dashboard and the leader's workbench panel (issue 13 §4):
the page shows the selector's figures for the unit and a row per child, costs the same number
of queries for one child or many, and is scoped as before."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.standing_selectors import standing
from tests.evaluations.standing_data import random_records
from tests.factories import CampaignFactory, UnitFactory
from units.models import UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(tree):
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=60),
    )


def _url(unit, campaign) -> str:
    return f"{reverse('dashboards:unit', args=[unit.pk])}?campaign={campaign.pk}"


def test_the_dashboard_shows_the_subtrees_figures_and_a_row_per_child(
    client, tree, leader, running
):
    random_records(tree, running, random.Random(5), timezone.localdate())
    client.force_login(leader)
    response = client.get(_url(tree.committee_a, running))
    board = response.context["standing"]
    expected = standing(tree.committee_a, running, [tree.branch_a1, tree.union_a2])
    assert board == expected
    html = response.content.decode()
    assert 'data-testid="standing"' in html
    assert html.count('data-testid="standing-row"') == 2
    kept = expected.whole.commitments.rate
    assert f'data-testid="figure-commitments-kept">{"—" if kept is None else f"{kept}%"}<' in html
    # The table scrolls inside its card on a phone instead of widening the page.
    table = html.index('data-testid="standing-table"')
    assert html.rfind('class="table-responsive"', 0, table) > html.index('data-testid="standing"')


def test_a_unit_without_children_shows_its_figures_without_a_table(client, tree, staff, running):
    client.force_login(staff)
    html = client.get(_url(tree.branch_a1, running)).content.decode()
    assert 'data-testid="standing"' in html
    assert 'data-testid="standing-table"' not in html


@pytest.mark.parametrize("name", ["committee_b", "city"])
def test_the_scope_is_unchanged(client, tree, leader, running, name):
    client.force_login(leader)
    assert client.get(_url(getattr(tree, name), running)).status_code == 404


def test_the_query_count_is_the_same_for_one_child_or_many(
    client, tree, leader, running, django_assert_num_queries, django_assert_max_num_queries
):
    today = timezone.localdate()
    random_records(tree, running, random.Random(1), today)
    client.force_login(leader)
    client.get(_url(tree.committee_a, running))  # process-wide caches warm up
    with django_assert_max_num_queries(28) as few:
        client.get(_url(tree.committee_a, running))
    queries = len(few)  # each request empties the connection's log
    more = [UnitFactory(parent=tree.committee_a, kind=UnitKind.PARTY_BRANCH) for _ in range(9)]
    random_records(tree, running, random.Random(2), today, units=more)
    client.get(_url(tree.committee_a, running))

    with django_assert_num_queries(queries):
        response = client.get(_url(tree.committee_a, running))

    assert len(response.context["standing"].rows) == 11


def test_the_leaders_workbench_panel_shows_the_three_figures(client, tree, leader, running):
    random_records(tree, running, random.Random(9), timezone.localdate())
    client.force_login(leader)
    response = client.get(reverse("home"))
    panel = response.context["bench"].leader
    assert panel.standing == standing(tree.committee_a, running)
    html = response.content.decode()
    assert 'data-testid="wb-standing"' in html
    rate = panel.standing.whole.satisfaction.satisfaction_rate
    assert f'data-testid="figure-satisfaction">{"—" if rate is None else f"{rate}%"}<' in html
