"""A newcomer's way between issue 14's pages: the campaign page leads to the draft scores, the
assessment results and the honours; the draft scores and the assessment results lead to each other,
so whoever lands on one finds the next step; a stranger still gets a 404 on both, anonymous the
login page. Also the wording and tabs a newcomer tripped over (grades, public notice, honours)."""

import pytest
from django.urls import reverse

from tests.conftest import _member
from tests.evaluations.honour_fixtures import union_staff  # noqa: F401 (fixture)
from tests.evaluations.snapshot_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.test_snapshots_views import as_user
from tests.factories import UnitFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def test_the_campaign_page_links_to_scores_results_and_honours(campaign, staff):
    page = as_user(staff).get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()

    assert f'href="{reverse("evaluations:scores", args=[campaign.pk])}"' in page
    assert f'href="{reverse("evaluations:snapshots", args=[campaign.pk])}"' in page
    assert 'data-testid="campaign-honours"' in page
    assert f'href="{reverse("evaluations:honours")}"' in page


def test_draft_scores_and_results_link_to_each_other(campaign, city_admin, scores):
    client = as_user(city_admin)
    ranking = client.get(reverse("evaluations:scores", args=[campaign.pk]))
    results = client.get(reverse("evaluations:snapshots", args=[campaign.pk]))

    assert ranking.status_code == results.status_code == 200
    ranking_html, results_html = ranking.content.decode(), results.content.decode()
    assert 'data-testid="ranking-snapshots-link"' in ranking_html
    assert f'href="{reverse("evaluations:snapshots", args=[campaign.pk])}"' in ranking_html
    assert 'data-testid="snapshots-scores-link"' in results_html
    assert f'href="{reverse("evaluations:scores", args=[campaign.pk])}"' in results_html
    assert 'class="breadcrumb-item active" aria-current="page">Assessment results<' in results_html


def test_a_stranger_and_anonymous_get_no_links(campaign, scores):
    stranger = _member(UnitFactory(code="ELSEWHERE"), Role.ADMIN, "stranger")
    for client, status in ((as_user(stranger), 404), (as_user(None), 302)):
        for name in ("evaluations:scores", "evaluations:snapshots"):
            response = client.get(reverse(name, args=[campaign.pk]))
            assert response.status_code == status
            assert "ranking-snapshots-link" not in response.content.decode()
            assert "snapshots-scores-link" not in response.content.decode()


def test_assessment_grades_read_as_the_issue_names_them_in_chinese():
    from django.utils import translation

    from evaluations.models import AssessmentGrade
    from evaluations.models.comments import Grade as CommentGrade

    with translation.override("zh-hans"):
        assert [str(g.label) for g in AssessmentGrade] == ["优秀", "良好", "一般", "较差"]
        assert str(CommentGrade.POOR.label) == "差"  # the comments' own scale is untouched
    with translation.override("en"):
        assert [str(g.label) for g in AssessmentGrade] == ["Excellent", "Good", "Fair", "Poor"]


@pytest.mark.parametrize("name", ["evaluations:honours", "evaluations:honour_mine"])
def test_the_honours_tabs_offer_to_recommend_only_to_reviewers(name, union_staff, reviewer):  # noqa: F811
    """A unit's staff met a 403 behind the "To recommend" tab: it is a reviewer's tab only."""
    from tests.evaluations.test_honours_views import as_user as honour_user

    queue = f'href="{reverse("evaluations:honour_queue")}"'
    staff_page = honour_user(union_staff).get(reverse(name))
    reviewer_page = honour_user(reviewer).get(reverse(name))

    assert staff_page.status_code == reviewer_page.status_code == 200
    assert 'data-testid="honour-tabs"' in staff_page.content.decode()
    assert queue not in staff_page.content.decode()
    assert queue in reviewer_page.content.decode()


def test_the_public_notice_says_how_a_unit_objects(campaign, city_admin, scores):
    from django.utils import translation

    from evaluations import snapshot_services

    snapshot = snapshot_services.snapshot_publish(
        city_admin, snapshot_services.snapshot_take(city_admin, campaign), window_days=5
    )
    url = reverse("public:notice", args=[snapshot.public_id])
    for language, words in (("en", "their staff log in"), ("zh-hans", "由本单位填报员登录后")):
        with translation.override(language):
            body = as_user(None, language).get(url).content.decode()
        assert words in body
