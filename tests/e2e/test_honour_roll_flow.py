"""Honours from the shortlist to the honour roll in a real Chromium, in Chinese and English, on a
phone and a desktop (issue 14 §2, second half): the city's admin publishes the shortlist (公示);
a member of the public, signed out, objects to a nominee; the admin answers; the notice period
passes (moved in the database); the admin commends the shortlist (表彰); the honour is on the
public honour roll and its certificate prints. The apply-and-recommend half joins it later."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations.models import ApplicationStatus, Honour, HonourObjection
from tests.e2e.conftest import LANGUAGES, field, sign_in_as
from tests.evaluations.honour_roll_fixtures import (
    ApplicationFactory,
    HonourCategoryFactory,
    HonourRoundFactory,
    publish_in_past,
)
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Line, Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def setting(db, settings):
    # Every browser run posts from 127.0.0.1 into the shared cache: the per-address limit on
    # objections (tested in tests/evaluations) must not refuse a later run's objection.
    settings.HONOUR_OBJECTION_RATE = "1000/m"
    city = UnitFactory(code="CITY", name="阜康市委", kind=UnitKind.PARTY_COMMITTEE)
    union = UnitFactory(parent=city, code="U1", name="市总工会机关工会", kind=UnitKind.TRADE_UNION)
    today = timezone.localdate()
    campaign = CampaignFactory(
        unit=city,
        name="党群共建创先争优",
        starts_on=today - datetime.timedelta(days=200),
        ends_on=today + datetime.timedelta(days=60),
    )
    admin = UserFactory(username="admin_city", name="市委管理员")
    MembershipFactory(user=admin, unit=city, role=Role.ADMIN)
    staff = UserFactory(username="staff_u1", name="工会填报员")
    MembershipFactory(user=staff, unit=union, role=Role.STAFF)
    category = HonourCategoryFactory(code="T-GRXFH", name="工人先锋号", lines=[Line.UNION])
    honour_round = HonourRoundFactory(
        campaign=campaign, title="2010 年度创先争优表彰", created_by=admin, publicity_days=5
    )
    application = ApplicationFactory(
        round=honour_round,
        category=category,
        unit=union,
        summary="开展劳动竞赛、节能减排和合理化建议活动，成效显著。",
        created_by=staff,
    )
    return honour_round, application, admin


def test_a_shortlist_is_published_objected_to_answered_commended_and_on_the_roll(
    page: Page, live_server, setting, t, snapshot
):
    honour_round, application, admin = setting

    # The city's admin publishes the shortlist from the round's notice page.
    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("evaluations:honour_notices"))
    page.get_by_test_id("honour-round-link").click()
    expect(page.get_by_test_id("shortlist-row")).to_have_count(1)
    page.get_by_test_id("publish-shortlist").click()
    expect(page.get_by_test_id("public-notice-link")).to_be_visible()
    notice_url = page.get_by_test_id("public-notice-link").get_attribute("href")
    snapshot("published")

    # Anyone, signed out, objects to the nominee on the public notice.
    page.context.clear_cookies()
    page.goto(live_server.url + notice_url)
    expect(page.get_by_test_id("notice-entry")).to_have_count(1)
    expect(page.get_by_test_id("notice-entry")).to_contain_text("市总工会机关工会")
    page.get_by_label(t("Nominee")).select_option(index=1)
    page.get_by_label(t("Your objection")).fill("<b>材料</b>有夸大")
    page.get_by_label(t("How to reach you (optional)")).fill("13900000000")
    snapshot("objection-form")
    page.get_by_test_id("send-objection").click()
    expect(page.get_by_test_id("objection-sent")).to_be_visible()
    assert HonourObjection.objects.get().contact == "13900000000"

    # The admin answers it.
    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("evaluations:honour_notice", args=[honour_round.pk]))
    expect(page.get_by_test_id("objection")).to_contain_text("<b>材料</b>有夸大")
    expect(page.get_by_test_id("objector")).to_contain_text("13900000000")
    field(page, t("Answer")).fill("经核实，材料属实。")
    page.get_by_test_id("answer-form").get_by_role("button").click()
    expect(page.get_by_test_id("objection-answer")).to_contain_text("经核实，材料属实。")
    snapshot("answered")

    # The notice period passes; the admin commends the shortlist.
    publish_in_past(honour_round, days_ago=20)
    page.reload()
    field(page, t("Document number")).fill("阜党发〔2010〕12号")
    field(page, t("Decided on")).fill(timezone.localdate().isoformat())
    page.get_by_test_id("commend").click()
    expect(page.get_by_test_id("decision")).to_contain_text("阜党发〔2010〕12号")
    snapshot("commended")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMMENDED
    honour = Honour.objects.get()

    # The public honour roll lists it; its certificate prints.
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("public:honours"))
    expect(page.get_by_test_id("roll-entry")).to_have_count(1)
    expect(page.get_by_test_id("roll-entry")).to_contain_text("开展劳动竞赛")
    snapshot("roll")
    page.get_by_test_id("roll-entry").get_by_role("link").click()
    expect(page.get_by_test_id("honour-name")).to_have_text("市总工会机关工会")
    page.get_by_test_id("certificate-link").click()
    expect(page.get_by_test_id("certificate-number")).to_contain_text(honour.number)
    expect(page.get_by_test_id("certificate-honour")).to_have_text("工人先锋号")
    snapshot("certificate")
