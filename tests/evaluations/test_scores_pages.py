"""The draft score pages: the ranking shows the units in the user's scope, one unit's page
explains every rule with links to its records, outsiders get a 404, anonymous users the login
page, and both pages read a constant number of queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import draft_score_services, scoring
from tests.evaluations.scores_fixtures import ON_TIME, TODAY, _approved, build
from tests.factories import TargetFactory, TargetTaskFactory, UnitFactory
from units.models import UnitKind

pytestmark = pytest.mark.django_db


def test_the_ranking_shows_the_units_in_scope(client, tree, campaign, staff, city_admin):
    build(tree, campaign)
    url = reverse("evaluations:scores", args=[campaign.pk])
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.count(b'data-testid="score-row"') == 1  # branch_a1 only
    assert tree.branch_a1.name.encode() in page.content
    assert b'data-testid="scheme-link"' not in page.content
    client.force_login(city_admin)
    page = client.get(url)
    assert page.content.count(b'data-testid="score-row"') == 4
    assert b'data-testid="scheme-link"' in page.content


def test_the_ranking_of_an_outsider_holds_nothing_of_others(client, tree, campaign, outsider):
    build(tree, campaign)
    client.force_login(outsider)
    page = client.get(reverse("evaluations:scores", args=[campaign.pk]))
    assert page.status_code == 200
    assert b'data-testid="score-row"' not in page.content
    assert tree.branch_a1.name.encode() not in page.content


def test_a_unit_page_explains_every_rule(client, tree, campaign, staff):
    built = build(tree, campaign)
    client.force_login(staff)
    page = client.get(reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk]))
    assert page.status_code == 200
    for kind in ("targets", "timeliness", "review_quality", "commitments", "follow_ups"):
        assert f'data-testid="rule-{kind}"'.encode() in page.content
    assert reverse("activities:detail", args=[built.returned.pk]).encode() in page.content
    assert (
        reverse("evaluations:adjustment", args=[built.adjustments[0].pk]).encode() in page.content
    )
    assert b'data-testid="total"' in page.content


def test_a_scaled_rule_shows_the_most_it_can_give(client, tree, campaign, city_admin):
    build(tree, campaign)
    client.force_login(city_admin)
    page = client.get(reverse("evaluations:unit_scores", args=[campaign.pk, tree.union_a2.pk]))
    score = scoring.explain(campaign, tree.union_a2)
    # Full points for follow-ups (nothing to measure), scaled up as four rules are left out.
    rule = next(r for r in score.rules if r.kind == "follow_ups")
    assert score.scale > 1 and rule.points > rule.weight
    most = scoring.most_points(rule, score.scale)
    assert rule.points <= most == (rule.weight * score.scale).quantize(Decimal("0.01"))
    shown = page.content.decode()
    assert f"{rule.points} of {most} points (its weight {rule.weight} × " in shown
    assert 'data-testid="scaled"' in shown


def test_unit_pages_are_scoped(client, tree, campaign, outsider, staff):
    build(tree, campaign)
    url = reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(staff)
    # The committee above is not staff's to see.
    above = reverse("evaluations:unit_scores", args=[campaign.pk, tree.committee_a.pk])
    assert client.get(above).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_read_a_constant_number_of_queries(client, tree, campaign, city_admin):
    build(tree, campaign)
    client.force_login(city_admin)
    ranking = reverse("evaluations:scores", args=[campaign.pk])
    unit = reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk])
    _queries(client, ranking)  # the first request of a session reads more (the session, the user)
    ranking_few = _queries(client, ranking)
    draft_score_services.draft_scores_recompute(campaign=campaign)  # the records read afresh
    unit_few = _queries(client, unit)
    task = TargetTaskFactory(campaign=campaign)
    for n in range(12):
        branch = UnitFactory(parent=tree.committee_b, kind=UnitKind.PARTY_BRANCH, code=f"Y{n}")
        TargetFactory(unit=branch, task=task)
    draft_score_services.draft_scores_recompute(campaign=campaign)
    assert _queries(client, ranking) == ranking_few
    assert _queries(client, unit) == unit_few


def test_the_campaign_page_links_to_the_scores(client, tree, campaign, staff):
    client.force_login(staff)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk]))
    assert reverse("evaluations:scores", args=[campaign.pk]).encode() in page.content


def test_more_records_than_the_page_links_are_not_counted(
    client, tree, campaign, staff, monkeypatch
):
    built = build(tree, campaign)
    monkeypatch.setattr(scoring, "EXPLAIN_LIMIT", 2)
    score = scoring.explain(campaign, tree.branch_a1, today=TODAY)
    targets = next(r for r in score.rules if r.kind == "targets")
    assert len(built.activities) > 2
    assert len(targets.records["activity"]) == 2 and targets.counts["activity"] is None
    assert targets.counts["target"] == 2  # no more than the limit: counted
    client.force_login(staff)
    page = client.get(
        reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk]),
        headers={"accept-language": "zh-hans"},
    ).content.decode()
    assert "超过 2 条" in page and "数量见上方该规则的数字" in page


def test_an_explanation_is_read_once_per_computation(client, tree, campaign, staff):
    built = build(tree, campaign)
    client.force_login(staff)
    url = reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as again:
        page = client.get(url).content.decode()
    assert len(again) <= len(first) - 10  # the records are not read again
    task = built.activities[0].tasks.first()
    added = _approved(tree.branch_a1, campaign, [task], ON_TIME, staff)
    assert reverse("activities:detail", args=[added.pk]) not in page
    draft_score_services.draft_scores_recompute(campaign=campaign)  # as after any approval
    page = client.get(url).content.decode()
    assert reverse("activities:detail", args=[added.pk]) in page
