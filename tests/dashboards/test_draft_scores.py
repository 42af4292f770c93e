"""The workbench and a unit's dashboard show the unit's kept draft score, grade and rank among
its peers in the running campaign, linking to its explanation; only for units the user holds a
role on (workbench) or may see (dashboard); in a constant number of queries; in Chinese and
English."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from evaluations import draft_score_services
from evaluations.models import DraftScore
from tests.evaluations.scores_fixtures import build
from tests.factories import MembershipFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(tree, campaign):
    """The scores fixture's campaign, running now, its draft scores kept."""
    today = timezone.localdate()
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=30)
    )
    campaign.refresh_from_db()
    build(tree, campaign)
    draft_score_services.draft_scores_recompute(campaign=campaign)
    return {row.unit_id: row for row in DraftScore.objects.filter(campaign=campaign)}


def _get(client, url, language="zh-hans"):
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    return page, len(queries)


def test_the_workbench_shows_the_units_score_and_rank(client, tree, campaign, staff, kept):
    row = kept[tree.branch_a1.pk]
    client.force_login(staff)
    page, _n = _get(client, reverse("home"))
    text = page.content.decode()
    assert text.count('data-testid="wb-draft-score-row"') == 1
    assert f">{row.total}<" in text
    assert f"第 {row.rank} 名（共 {row.peers} 个）" in text
    assert reverse("evaluations:unit_scores", args=[campaign.pk, tree.branch_a1.pk]) in text
    page, _n = _get(client, reverse("home"), "en")
    assert f"rank {row.rank} of {row.peers} among peers (Party branch" in page.content.decode()


def test_an_outsider_sees_no_score_of_another_unit(client, tree, campaign, outsider, kept):
    client.force_login(outsider)
    page, _n = _get(client, reverse("home"))
    assert b'data-testid="wb-draft-score-row"' not in page.content  # committee_b's units: none
    url = reverse("dashboards:unit", args=[tree.branch_a1.pk])
    assert client.get(url).status_code == 404


def test_the_workbench_reads_the_scores_in_constant_queries(client, tree, campaign, staff, kept):
    client.force_login(staff)
    _get(client, reverse("home"))  # the session's first request reads more
    _page, one = _get(client, reverse("home"))
    MembershipFactory(user=staff, unit=tree.union_a2, role=Role.STAFF)
    page, two = _get(client, reverse("home"))
    assert page.content.count(b'data-testid="wb-draft-score-row"') == 2
    assert two == one


def test_the_dashboard_shows_the_units_score(client, tree, campaign, leader, kept):
    client.force_login(leader)
    url = reverse("dashboards:unit", args=[tree.branch_a1.pk])
    page, _n = _get(client, url)
    row = kept[tree.branch_a1.pk]
    assert b'data-testid="dashboard-draft-score"' in page.content
    assert f">{row.total}<".encode() in page.content
    page, _n = _get(client, reverse("dashboards:unit", args=[tree.committee_a.pk]))
    assert f">{kept[tree.committee_a.pk].total}<".encode() in page.content  # its own score


def test_a_finished_campaigns_score_is_not_shown(client, tree, campaign, staff, leader, kept):
    Campaign.objects.filter(pk=campaign.pk).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    client.force_login(staff)
    page, _n = _get(client, reverse("home"))
    assert b'data-testid="wb-draft-score-row"' not in page.content
    client.force_login(leader)
    page, _n = _get(client, reverse("dashboards:unit", args=[tree.branch_a1.pk]))
    assert b'data-testid="dashboard-draft-score"' not in page.content
