"""The big screen (数据大屏): a full-screen page of the dashboard's figures, and the JSON it fetches
every minute — the same numbers, scoped the same way, never cached."""

import re

import pytest
from django.urls import reverse

from activities.models import Activity, Status
from tests.dashboards.test_dashboard import INLINE_SCRIPT, INLINE_STYLE, approve, log, season
from units.models import Line

pytestmark = pytest.mark.django_db

__all__ = ["season"]  # the fixture, shared with the dashboard's tests


def screen_url(unit, query: str = "") -> str:
    return reverse("dashboards:screen", args=[unit.pk]) + (f"?{query}" if query else "")


def data_url(unit, query: str = "") -> str:
    return reverse("dashboards:screen_data", args=[unit.pk]) + (f"?{query}" if query else "")


def test_the_screen_renders_the_headline_without_the_site_navigation(client, tree, leader, season):
    client.force_login(leader)

    response = client.get(screen_url(tree.committee_a))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="screen"' in html
    assert 'data-bs-theme="dark"' in html
    assert "navbar" not in html
    assert re.search(r'data-testid="figure-activities">\s*5\s*<', html)
    assert f'data-refresh-url="{data_url(tree.committee_a)}?campaign=' in html
    assert 'data-refresh-seconds="60"' in html
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)


def test_the_data_matches_the_dashboard(client, tree, leader, season):
    client.force_login(leader)
    board = client.get(reverse("dashboards:unit", args=[tree.committee_a.pk])).context["board"]

    response = client.get(data_url(tree.committee_a))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    headline = board.headline
    assert data["headline"] == {
        "activities": headline.activities,
        "participants": headline.participants,
        "percent": headline.percent,
        "pace": headline.pace,
        "pace_label": headline.pace_label,
        "reporting_timeliness": headline.reporting_timeliness,
        "review_timeliness": headline.review_timeliness,
        "overdue_reviews": headline.overdue_reviews,
    }
    assert data["headline"]["activities"] == 5
    assert [(u["name"], u["percent"], u["activities"]) for u in data["ranking"]] == [
        (row.unit.name, row.progress.percent, row.totals.activities) for row in board.ranking
    ]
    assert [line["percent"] for line in data["lines"]] == [
        row.progress.percent for row in board.lines
    ]
    assert data["trend"]["activities"] == [a for _m, a, _p in board.trend]


def test_the_data_follows_the_filters(client, tree, leader, campaign, season):
    client.force_login(leader)

    data = client.get(data_url(tree.committee_a, f"campaign={campaign.pk}&line=union")).json()

    assert data["filters"]["line"] == Line.UNION
    assert data["headline"]["activities"] == 1
    assert [line["line"] for line in data["lines"]] == [Line.UNION]


def test_an_approval_shows_on_the_next_refresh(client, tree, staff, reviewer, leader, task, season):
    client.force_login(leader)
    before = client.get(data_url(tree.committee_a)).json()["headline"]["activities"]

    approve(staff, reviewer, log(staff, tree.branch_a1, [task], party=5))

    after = client.get(data_url(tree.committee_a)).json()["headline"]
    assert after["activities"] == before + 1
    assert Activity.objects.filter(status=Status.APPROVED, unit=tree.branch_a1).count() == 5


def test_the_data_is_never_cached(client, tree, leader, season):
    client.force_login(leader)

    response = client.get(data_url(tree.committee_a))

    assert "no-store" in response["Cache-Control"]


def test_the_ranking_on_the_screen_is_the_top_ten(client, tree, city_admin, task, season):
    from tests.factories import UnitFactory

    for _ in range(11):
        UnitFactory(parent=tree.city)
    client.force_login(city_admin)

    data = client.get(data_url(tree.city)).json()

    assert len(data["ranking"]) == 10
    assert data["units"] == 13
    assert data["ranking"][0]["name"] == tree.committee_a.name


@pytest.mark.parametrize("name", ["committee_b", "city"])
def test_a_leader_gets_404_outside_their_committee(client, tree, leader, season, name):
    client.force_login(leader)
    unit = getattr(tree, name)

    assert client.get(screen_url(unit)).status_code == 404
    response = client.get(data_url(unit))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")  # the error page, not the figures
    assert b'"headline"' not in response.content


def test_anonymous_data_requests_are_sent_to_log_in(client, tree):
    response = client.get(data_url(tree.city))

    assert response.status_code == 302


def test_a_unit_without_campaign_gets_an_empty_screen(client, tree, city_admin):
    client.force_login(city_admin)

    assert client.get(screen_url(tree.city)).status_code == 200
    assert client.get(data_url(tree.city)).json()["headline"] is None
