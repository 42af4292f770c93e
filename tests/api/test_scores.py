"""Draft scores through the API: the ranking holds the units in the user's scope (each ranked
in its whole peer group), one unit's explanation gives every rule's formula and its records,
an outsider gets nothing of others, and anonymous callers a 401."""

import pytest
from django.urls import reverse

from evaluations import scoring
from tests.evaluations.scores_fixtures import build

pytestmark = pytest.mark.django_db


def _ranking(campaign) -> str:
    return f"/api/v1/campaigns/{campaign.pk}/scores/"


def test_the_ranking_holds_the_units_in_scope(api, tree, campaign, staff, city_admin, outsider):
    build(tree, campaign)
    mine = api(staff).get(_ranking(campaign))
    assert mine.status_code == 200, mine.content
    rows = mine.json()["results"]
    assert [row["unit"] for row in rows] == [tree.branch_a1.pk]
    expected = scoring.compute(campaign).of(tree.branch_a1.pk)
    assert rows[0]["total"] == f"{expected.total:.2f}" and rows[0]["grade"] == expected.grade
    assert rows[0]["peers"] >= 1 and rows[0]["rank"] >= 1
    assert {rule["kind"] for rule in rows[0]["rules"]} >= {"targets", "adjustments"}
    assert api(city_admin).get(_ranking(campaign)).json()["count"] == 4
    assert api(outsider).get(_ranking(campaign)).json()["count"] == 0
    assert api().get(_ranking(campaign)).status_code == 401
    assert api(staff).get("/api/v1/campaigns/99999/scores/").status_code == 404


def test_a_units_explanation_gives_formula_numbers_and_records(
    api, tree, campaign, staff, outsider, city_admin
):
    built = build(tree, campaign)
    url = f"{_ranking(campaign)}{tree.branch_a1.pk}/"
    answer = api(staff, "zh-hans").get(url)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    expected = scoring.compute(campaign).of(tree.branch_a1.pk)
    assert data["score"]["total"] == f"{expected.total:.2f}"
    rules = {rule["kind"]: rule for rule in data["rules"]}
    kept = next(rule for rule in expected.rules if rule.kind == "commitments")
    assert rules["commitments"]["points"] == f"{kept.points:.2f}"
    assert rules["commitments"]["numbers"] and rules["commitments"]["formula"]
    links = [link["url"] for group in rules["adjustments"]["records"] for link in group["links"]]
    assert reverse("evaluations:adjustment", args=[built.adjustments[0].pk]) in links
    assert api(outsider).get(url).status_code == 404
    assert api().get(url).status_code == 401
    elsewhere = f"{_ranking(campaign)}{tree.branch_b1.pk}/"
    assert api(staff).get(elsewhere).status_code == 404
    absent = api(city_admin, "zh-hans").get(f"{_ranking(campaign)}{tree.committee_b.pk}/")
    assert absent.status_code == 404 and "不参加" in absent.json()["message"]
