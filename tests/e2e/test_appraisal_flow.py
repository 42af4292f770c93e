"""Mass appraisal in a real Chromium (issue 13 §3): a leader prints the unit's poster; a member of
the public opens its link on a phone, without logging in, rates the unit with a remark, and is
told on a second visit that this phone has rated already; the leader sees the rating counted and
the remark as text."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import SCREENSHOTS, VIEWPORTS, log_in
from tests.factories import PASSWORD, CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "vendor/axe-core/axe.min.js"


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
    leader = UserFactory(username="leader_city")
    MembershipFactory(user=leader, unit=city, role=Role.LEADER)
    return branch, leader


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(url=f"/static/{AXE}")
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"""
    )
    return list(found)


def test_the_public_rates_a_unit_from_its_poster_on_a_phone(
    page: Page, browser: Browser, live_server, setting, snapshot
):
    branch, leader = setting
    log_in(page, live_server.url, leader.username, PASSWORD)
    page.goto(live_server.url + reverse("evaluations:appraisal", args=[branch.pk]))
    page.get_by_test_id("poster-link").click()
    expect(page.get_by_test_id("poster-unit")).to_have_text("城关镇第一党支部")
    page.wait_for_load_state("load")
    assert page.locator("img.poster-qr").evaluate("img => img.complete && img.naturalWidth") > 0
    snapshot("poster")
    address = page.get_by_test_id("poster-url").inner_text().strip()
    assert "/public/appraise/" in address

    phone = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["mobile"], is_mobile=True)
    public = phone.new_page()
    errors: list[str] = []
    public.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    path = address[address.index("/public/") :]
    public.goto(live_server.url + path)
    expect(public.get_by_test_id("appraised-unit")).to_have_text("城关镇第一党支部")
    assert serious_violations(public) == []
    public.screenshot(path=str(SCREENSHOTS / "appraisal-public-form.png"), full_page=True)
    public.get_by_label("满意", exact=True).check()
    public.get_by_label("意见（选填）").fill("<b>办事很快</b>")
    public.get_by_role("button", name="提交评议").click()
    expect(public.get_by_test_id("rating-thanks")).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    public.screenshot(path=str(SCREENSHOTS / "appraisal-public-thanks.png"), full_page=True)
    public.goto(live_server.url + path)
    expect(public.get_by_test_id("already-rated")).to_be_visible()
    assert errors == []
    phone.close()

    page.goto(live_server.url + reverse("evaluations:appraisal", args=[branch.pk]))
    expect(page.get_by_test_id("ratings-count")).to_have_text("1")
    expect(page.get_by_test_id("remark-text")).to_have_text("<b>办事很快</b>")
    snapshot("figures")
