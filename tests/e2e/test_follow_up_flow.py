"""Leader comments in a real Chromium, in Chinese and English, on a phone and a desktop (issue 13
§2): a leader comments on a unit from its page with a grade and a required follow-up; the unit's
staff find it on their workbench, acknowledge it and report; the leader sends it back once with a
reason, the staff report again, and the leader closes it — on time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations.models import FollowUp, FollowUpStatus
from tests.e2e.conftest import LANGUAGES, field, sign_in_as
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def setting(db):
    city = UnitFactory(code="CITY", name="阜康市委", kind=UnitKind.PARTY_COMMITTEE)
    branch = UnitFactory(
        parent=city, code="B1", name="城关镇第一党支部", kind=UnitKind.PARTY_BRANCH
    )
    today = timezone.localdate()
    CampaignFactory(
        unit=city,
        name="党群共建创先争优",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=60),
    )
    leader = UserFactory(username="leader_city", name="市委书记")
    MembershipFactory(user=leader, unit=city, role=Role.LEADER)
    staff = UserFactory(username="staff_b1", name="支部填报员")
    MembershipFactory(user=staff, unit=branch, role=Role.STAFF)
    return branch, leader, staff


def test_a_comment_with_a_follow_up_is_reported_sent_back_and_closed(
    page: Page, live_server, setting, t, snapshot
):
    branch, leader, staff = setting
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()

    # The leader comments from the unit's page.
    sign_in_as(page, live_server, t, leader.username)
    page.goto(live_server.url + reverse("units:detail", args=[branch.pk]))
    page.get_by_test_id("unit-comment-link").click()
    field(page, t("Comment")).fill("<b>台账</b>不完整，请整改")
    page.get_by_test_id("comment-grade-input").select_option(label=t("Fair"))
    page.get_by_test_id("comment-require").check()
    page.get_by_test_id("comment-due").fill(due)
    snapshot("comment-form")
    page.get_by_test_id("comment-submit").click()
    expect(page.get_by_test_id("comment-text").first).to_have_text("<b>台账</b>不完整，请整改")
    expect(page.get_by_test_id("comment-grade").first).to_contain_text(t("Fair"))
    expect(page.get_by_test_id("follow-up-status").first).to_contain_text(t("To acknowledge"))
    snapshot("unit-comments")

    # The staff find it on their workbench, acknowledge and report.
    sign_in_as(page, live_server, t, staff.username)
    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("follow-ups-list").get_by_role("link").first.click()
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("follow-up-status")).to_contain_text(t("Acknowledged"))
    page.get_by_test_id("report-text").fill("已补齐签到表")
    page.get_by_test_id("report").click()
    expect(page.get_by_test_id("follow-up-status")).to_contain_text(t("Reported"))
    expect(page.get_by_test_id("follow-up-report")).to_have_text("已补齐签到表")

    # The leader sends it back once, from their workbench.
    sign_in_as(page, live_server, t, leader.username)
    page.goto(live_server.url + reverse("home"))
    page.get_by_test_id("awaiting-close-list").get_by_role("link").first.click()
    page.get_by_test_id("send-back").click()  # no reason: refused, nothing lost
    expect(page.locator(".invalid-feedback")).to_contain_text(
        t("Say why the follow-up is sent back.")
    )
    page.get_by_test_id("send-back-reason-input").fill("请附照片")
    page.get_by_test_id("send-back").click()
    expect(page.get_by_test_id("follow-up-status")).to_contain_text(t("Sent back"))

    # The staff report again; the leader closes it.
    sign_in_as(page, live_server, t, staff.username)
    follow_up = FollowUp.objects.get(comment__unit=branch)
    page.goto(live_server.url + reverse("evaluations:follow_up", args=[follow_up.pk]))
    expect(page.get_by_test_id("send-back-reason")).to_have_text("请附照片")
    page.get_by_test_id("report-text").fill("已补齐签到表和照片")
    page.get_by_test_id("report").click()
    sign_in_as(page, live_server, t, leader.username)
    page.goto(live_server.url + reverse("evaluations:leader_comments") + "?show=reported")
    page.get_by_test_id("open-follow-ups").get_by_role("link").first.click()
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("follow-up-status")).to_contain_text(t("on time"))
    expect(page.get_by_test_id("follow-up-event")).to_have_count(6)
    snapshot("closed")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closed_on_time
    page.goto(live_server.url + reverse("evaluations:leader_comments"))
    snapshot("leader-comments")
