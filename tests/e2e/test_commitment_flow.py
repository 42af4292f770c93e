"""Public commitments in a real Chromium (issue 13 §1): a branch's staff draft the set and submit
it; the reviewer returns it with a reason; the staff see the reason, fix an item and resubmit;
the reviewer approves it; anyone, without logging in, reads it on the unit's public board."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from evaluations.models import PublicBoard
from tests.e2e.conftest import SCREENSHOTS, VIEWPORTS, log_in
from tests.factories import PASSWORD, CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(db):
    city = UnitFactory(code="CITY", name="阜康市委", kind=UnitKind.PARTY_COMMITTEE)
    branch = UnitFactory(
        parent=city, code="B1", name="城关镇第一党支部", kind=UnitKind.PARTY_BRANCH
    )
    today = timezone.localdate()
    campaign = CampaignFactory(
        unit=city,
        name="党群共建创先争优",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=120),
    )
    staff = UserFactory(username="staff_b1")
    MembershipFactory(user=staff, unit=branch, role=Role.STAFF)
    reviewer = UserFactory(username="reviewer_city")
    MembershipFactory(user=reviewer, unit=city, role=Role.REVIEWER)
    return branch, campaign, staff, reviewer


def test_a_set_is_drafted_returned_fixed_approved_and_shown_on_the_board(
    page: Page, browser: Browser, live_server, setting, viewport_name, snapshot
):
    branch, campaign, staff, reviewer = setting
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    commitments = live_server.url + reverse(
        "evaluations:commitments", args=[branch.pk, campaign.pk]
    )

    log_in(page, live_server.url, staff.username, PASSWORD)
    page.goto(live_server.url + reverse("units:detail", args=[branch.pk]))
    page.get_by_test_id("unit-commitments-link").click()
    expect(page.get_by_test_id("no-set")).to_be_visible()
    for promise, measure in [("每月开展一次主题党日", "12 次"), ("走访困难群众", "30 户")]:
        page.get_by_test_id("add-commitment").click()
        page.get_by_label("承诺内容").fill(promise)
        page.get_by_label("衡量标准").fill(measure)
        page.get_by_label("截止日期").fill(due)
        page.get_by_test_id("save-commitment").click()
        expect(page.get_by_text("承诺已添加。")).to_be_visible()
    expect(page.get_by_test_id("commitment-row")).to_have_count(2)
    page.get_by_test_id("submit-set").click()
    expect(page.get_by_test_id("set-status")).to_contain_text("已提交")

    desk = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[viewport_name])
    review = desk.new_page()
    log_in(review, live_server.url, reviewer.username, PASSWORD)
    review.goto(live_server.url + reverse("evaluations:commitment_queue"))
    expect(review.get_by_test_id("queue-row")).to_have_count(1)
    review.get_by_test_id("queue-row").get_by_role("link").click()
    review.get_by_label("退回原因").fill("第二项请写明走访频次")
    review.get_by_test_id("return-set").click()
    expect(review.get_by_test_id("set-status")).to_contain_text("已退回")

    page.goto(commitments)
    expect(page.get_by_test_id("return-reason")).to_contain_text("第二项请写明走访频次")
    page.get_by_test_id("commitment-row").nth(1).get_by_role("link", name="编辑").click()
    page.get_by_label("衡量标准").fill("30 户，每季度一次")
    page.get_by_test_id("save-commitment").click()
    expect(page.get_by_text("30 户，每季度一次")).to_be_visible()
    page.get_by_test_id("submit-set").click()
    expect(page.get_by_test_id("set-status")).to_contain_text("已提交")

    review.goto(commitments)
    review.get_by_test_id("approve-set").click()
    expect(review.get_by_test_id("published")).to_be_visible()
    expect(review.get_by_test_id("set-history").locator("li")).to_have_count(4)
    desk.close()

    page.goto(commitments)
    page.get_by_test_id("board-print-link").click()
    expect(page.get_by_test_id("board-unit")).to_have_text("城关镇第一党支部")
    assert page.get_by_test_id("board-qr").evaluate("img => img.complete && img.naturalWidth") > 0
    snapshot("print")
    address = page.get_by_test_id("board-url").inner_text().strip()
    public_id = PublicBoard.objects.get(unit=branch).public_id
    assert address.endswith(f"/public/units/{public_id}/commitments/")

    phone = browser.new_context(
        locale="zh-CN", viewport=VIEWPORTS["mobile"], is_mobile=True, java_script_enabled=False
    )
    public = phone.new_page()
    public.goto(live_server.url + address[address.index("/public/") :])
    expect(public.get_by_test_id("board-unit")).to_have_text("城关镇第一党支部")
    expect(public.get_by_test_id("board-item")).to_have_count(2)
    expect(public.get_by_text("30 户，每季度一次")).to_be_visible()
    expect(public.get_by_test_id("standing").first).to_have_text("进度正常")
    SCREENSHOTS.mkdir(exist_ok=True)
    public.screenshot(
        path=str(SCREENSHOTS / f"commitment-board-{viewport_name}.png"), full_page=True
    )
    phone.close()
