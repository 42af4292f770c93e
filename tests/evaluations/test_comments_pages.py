"""The pages of leader comments: text shown as text, the unit page's and the workbench's entries,
and query counts that do not grow with the rows."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations import comment_selectors as selectors
from evaluations import comment_services as services
from evaluations.models import FollowUp, FollowUpStatus
from tests.evaluations.comment_fixtures import days
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

HTML = '<script>alert("x")</script><b>粗</b>'


def as_user(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def campaign(running):
    """Follow-ups are work in a running campaign: a finished campaign's are history."""
    return running


def _many(tree, leader, staff, campaign, n: int) -> None:
    for i in range(n):
        comment = services.comment_write(
            leader, tree.branch_a1, campaign, f"意见 {i}", grade=1 + i % 4, follow_up_due=days(i)
        )
        if i % 2:
            services.follow_up_report(staff, comment.follow_up, "done")


def test_html_in_comments_reports_and_reasons_is_shown_as_text(tree, leader, staff, campaign):
    comment = services.comment_write(leader, tree.branch_a1, campaign, HTML, follow_up_due=days(1))
    services.follow_up_report(staff, comment.follow_up, HTML)
    services.follow_up_send_back(leader, comment.follow_up, HTML)
    pages = [
        reverse("evaluations:unit_comments", args=[tree.branch_a1.pk]),
        reverse("evaluations:follow_up", args=[comment.follow_up.pk]),
        reverse("units:detail", args=[tree.branch_a1.pk]),
    ]
    for url in pages:
        body = as_user(staff).get(url).content.decode()
        assert "<script>alert" not in body and "<b>粗</b>" not in body, url
        assert "&lt;script&gt;" in body, url
    body = as_user(leader).get(reverse("evaluations:leader_comments")).content.decode()
    assert "<script>alert" not in body


def test_the_unit_page_shows_the_latest_comments_and_leaders_a_comment_link(
    tree, leader, staff, campaign
):
    services.comment_write(leader, tree.branch_a1, campaign, "最新意见", grade=4)
    url = reverse("units:detail", args=[tree.branch_a1.pk])
    for_leader = as_user(leader).get(url).content.decode()
    assert "最新意见" in for_leader and 'data-testid="unit-comment-link"' in for_leader
    for_staff = as_user(staff).get(url).content.decode()
    assert "最新意见" in for_staff and 'data-testid="unit-comment-link"' not in for_staff


def test_the_dashboard_offers_leaders_a_comment(tree, leader, staff, campaign):
    url = reverse("dashboards:unit", args=[tree.branch_a1.pk])
    assert 'data-testid="dashboard-comment"' in as_user(leader).get(url).content.decode()
    assert 'data-testid="dashboard-comment"' not in as_user(staff).get(url).content.decode()


def test_the_activity_page_offers_leaders_a_comment(tree, leader, staff, campaign):
    from activities.models import Status
    from tests.factories import ActivityFactory

    activity = ActivityFactory(
        campaign=campaign, unit=tree.branch_a1, created_by=staff, status=Status.APPROVED
    )
    url = reverse("activities:detail", args=[activity.pk])
    assert 'data-testid="activity-comment"' in as_user(leader).get(url).content.decode()
    assert 'data-testid="activity-comment"' not in as_user(staff).get(url).content.decode()
    form = as_user(leader).get(
        reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])
        + f"?campaign={campaign.pk}&activity={activity.pk}"
    )
    assert f'<option value="{activity.pk}" selected>' in form.content.decode()


def test_the_workbench_shows_follow_ups_to_staff_and_leaders(tree, leader, staff, campaign):
    comment = services.comment_write(
        leader, tree.branch_a1, campaign, "请整改", follow_up_due=days(2)
    )
    staff_page = as_user(staff).get(reverse("home")).content.decode()
    assert 'data-testid="follow-ups-list"' in staff_page and "请整改" in staff_page
    assert 'data-testid="new-comments-list"' in staff_page
    services.follow_up_report(staff, comment.follow_up, "done")
    leader_page = as_user(leader).get(reverse("home")).content.decode()
    assert 'data-testid="awaiting-close-list"' in leader_page and "请整改" in leader_page


def _counts(pages) -> list[int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = []
    for user, url in pages:
        client = as_user(user)
        client.get(url)  # warm up the session and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        found.append(len(queries))
    return found


def test_query_counts_do_not_grow(tree, leader, staff, campaign):
    pages = [
        (leader, reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])),
        (staff, reverse("evaluations:unit_comments", args=[tree.branch_a1.pk])),
        (leader, reverse("evaluations:leader_comments")),
        (leader, reverse("evaluations:leader_comments") + "?show=reported"),
        (leader, reverse("units:detail", args=[tree.branch_a1.pk])),
        (staff, reverse("home")),
        (leader, reverse("home")),
    ]
    _many(tree, leader, staff, campaign, 2)
    few = _counts(pages)
    _many(tree, leader, staff, campaign, 12)
    assert _counts(pages) == few


def test_the_workbench_entries_cost_a_fixed_number_of_queries(
    tree, leader, staff, campaign, django_assert_num_queries
):
    from evaluations import comment_selectors
    from units.scope import Scope

    _many(tree, leader, staff, campaign, 6)
    as_staff, as_leader = Scope(staff), Scope(leader)
    assert as_staff.memberships and as_leader.memberships  # read once per request, before
    with django_assert_num_queries(3):
        entry = comment_selectors.staff_workbench(as_staff)
    assert entry.to_answer_count == 3 and len(entry.new_comments) == 5
    with django_assert_num_queries(2):
        entry = comment_selectors.leader_workbench(as_leader)
    assert entry.counts.open == 6 and len(entry.awaiting) == 3


def test_the_leaders_filters(tree, leader, staff, campaign):
    _many(tree, leader, staff, campaign, 4)  # due today+0..3, 1 and 3 reported
    from evaluations import comment_selectors

    assert comment_selectors.open_in_subtree(leader).count() == 4
    assert comment_selectors.open_in_subtree(leader, reported=True).count() == 2
    assert comment_selectors.open_in_subtree(leader, overdue=True, today=days(2)).count() == 2
    assert comment_selectors.subtree_counts(leader, days(2)).overdue == 2
    assert comment_selectors.awaiting_close(staff).count() == 0


def test_the_leaders_page_filters_reported_and_overdue(tree, leader, staff, campaign):
    _many(tree, leader, staff, campaign, 4)
    url = reverse("evaluations:leader_comments")
    rows = 'data-testid="follow-up-row"'
    assert as_user(leader).get(url).content.decode().count(rows) == 4
    assert as_user(leader).get(url + "?show=reported").content.decode().count(rows) == 2
    assert as_user(leader).get(url + "?show=overdue").content.decode().count(rows) == 0
    assert as_user(staff).get(url).content.decode().count(rows) == 0


def test_a_finished_campaigns_follow_ups_are_history_not_work(tree, leader, staff, campaign):
    finished = CampaignFactory(unit=tree.city)  # 2010: long over
    for season in (campaign, finished):
        services.comment_write(leader, tree.branch_a1, season, "请整改", follow_up_due=days(1))
    assert selectors.subtree_counts(leader).open == 1
    assert [f.campaign for f in selectors.open_in_subtree(leader)] == [campaign]
    assert [f.campaign for f in selectors.to_answer({tree.branch_a1.pk})] == [campaign]
    # Both reported (the finished one long ago, never closed): only the running one waits.
    FollowUp.objects.update(status=FollowUpStatus.REPORTED, reported_at=timezone.now())
    assert [f.campaign for f in selectors.awaiting_close(leader)] == [campaign]
    entry = selectors.leader_workbench(leader)
    assert entry.counts.reported == len(entry.awaiting) == 1
