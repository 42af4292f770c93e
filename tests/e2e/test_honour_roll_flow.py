"""Honours from application to honour roll in a real Chromium, in Chinese and English, on a phone
and a desktop (issue 14 §2): a union's staff apply for 工人先锋号; the reviewers of the federation
above recommend it and the city's reviewers shortlist it (逐级推荐); the city's admin publishes the
shortlist (公示) once applications have closed; a member of the public, signed out, objects to the
nominee; the admin answers and the objector reads the answer at their link; the notice period
passes (moved in the database); the admin commends the shortlist (表彰); the honour is on the
public honour roll and its certificate prints."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations.models import (
    Application,
    ApplicationStatus,
    Honour,
    HonourObjection,
    HonourRound,
    Recommendation,
)
from tests.e2e.conftest import LANGUAGES, field, forget_session, sign_in_as
from tests.evaluations.honour_roll_fixtures import (
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
    federation = UnitFactory(parent=city, code="U0", name="市总工会", kind=UnitKind.TRADE_UNION)
    union = UnitFactory(
        parent=federation, code="U1", name="市总工会机关工会", kind=UnitKind.TRADE_UNION
    )
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
    for username, unit in (("reviewer_u0", federation), ("reviewer_city", city)):
        MembershipFactory(user=UserFactory(username=username), unit=unit, role=Role.REVIEWER)
    HonourCategoryFactory(code="T-GRXFH", name="工人先锋号", lines=[Line.UNION])
    honour_round = HonourRoundFactory(
        campaign=campaign,
        title="2010 年度创先争优表彰",
        created_by=admin,
        publicity_days=5,
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=5),
    )
    return honour_round, admin


def test_a_union_applies_two_levels_recommend_and_it_is_commended_on_the_roll(
    page: Page, live_server, setting, t, snapshot
):
    honour_round, admin = setting

    # The union's staff apply for 工人先锋号 from the round's page and submit.
    sign_in_as(page, live_server, t, "staff_u1")
    page.goto(live_server.url + reverse("evaluations:honour_round", args=[honour_round.pk]))
    page.get_by_test_id("apply").click()
    field(page, t("Honour")).select_option(label="工人先锋号")
    field(page, t("Leader of the collective")).fill("赵班长")
    field(page, t("Number of members")).fill("12")
    field(page, t("Case (事迹材料)")).fill("开展劳动竞赛、节能减排和合理化建议活动。" * 20)
    field(page, t("Summary for the honour roll")).fill(
        "开展劳动竞赛、节能减排和合理化建议活动，成效显著。"
    )
    page.get_by_test_id("save-application").click()
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("application-status")).to_be_visible()
    application = Application.objects.get()
    assert application.status == ApplicationStatus.WAITING and application.level == 1

    # The federation's reviewer recommends it; the city's reviewer shortlists it.
    for reviewer in ("reviewer_u0", "reviewer_city"):
        sign_in_as(page, live_server, t, reviewer)
        page.goto(live_server.url + reverse("evaluations:honour_queue"))
        page.get_by_test_id("queue-row").get_by_role("link").first.click()
        page.get_by_test_id("recommend").click()
        expect(page.get_by_test_id("steps")).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SHORTLISTED
    snapshot("shortlisted")

    # Applications close (moved in the database); then the city's admin publishes the shortlist
    # from the round's notice page.
    HonourRound.objects.filter(pk=honour_round.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("evaluations:honour_notices"))
    page.get_by_test_id("honour-round-link").click()
    expect(page.get_by_test_id("shortlist-row")).to_have_count(1)
    page.get_by_test_id("publish-shortlist").click()
    expect(page.get_by_test_id("public-notice-link")).to_be_visible()
    notice_url = page.get_by_test_id("public-notice-link").get_attribute("href")
    snapshot("published")

    # Anyone, signed out, objects to the nominee on the public notice.
    forget_session(page)
    page.goto(live_server.url + notice_url)
    expect(page.get_by_test_id("notice-entry")).to_have_count(1)
    expect(page.get_by_test_id("notice-entry")).to_contain_text("市总工会机关工会")
    page.get_by_label(t("Nominee")).select_option(index=1)
    page.get_by_label(t("Your objection")).fill("<b>材料</b>有夸大")
    page.get_by_label(t("How to reach you (optional)")).fill("13900000000")
    snapshot("objection-form")
    page.get_by_test_id("send-objection").click()
    expect(page.get_by_test_id("objection-sent")).to_be_visible()
    own_link = page.get_by_test_id("objection-link").inner_text().strip()
    expect(page.get_by_test_id("objection-waiting")).to_be_visible()
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

    # The objector, signed out, reads the answer at the link they kept.
    forget_session(page)
    page.goto(own_link)
    expect(page.get_by_test_id("objection-answer")).to_contain_text("经核实，材料属实。")
    expect(page.get_by_test_id("objection-status")).not_to_contain_text("13900000000")

    # The notice period passes; the admin commends the shortlist.
    # (the steps too: what joined the shortlist after the notice opened is not commended)
    Recommendation.objects.filter(application=application).update(
        created_at=timezone.now() - datetime.timedelta(days=21)
    )
    publish_in_past(honour_round, days_ago=20)
    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("evaluations:honour_notice", args=[honour_round.pk]))
    field(page, t("Document number")).fill("阜党发〔2010〕12号")
    field(page, t("Decided on")).fill(timezone.localdate().isoformat())
    page.get_by_test_id("commend").click()
    expect(page.get_by_test_id("decision")).to_contain_text("阜党发〔2010〕12号")
    snapshot("commended")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMMENDED
    honour = Honour.objects.get()

    # The public honour roll lists it; its certificate prints.
    forget_session(page)
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
