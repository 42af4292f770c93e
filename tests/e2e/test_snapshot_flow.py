"""Assessment results in a real Chromium, in Chinese and English, on a phone and a desktop
(issue 14 §1): the organising unit's admin takes a snapshot of the scores and publishes it for
objections; the public notice shows the ranking; a unit's staff file an objection; the admin
rejects it with a reason, and the staff see the answer on their objection's page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations import snapshot_services
from evaluations.models import ObjectionOutcome, ScoreObjection, Snapshot
from evaluations.snapshot_services import Result
from tests.e2e.conftest import LANGUAGES, forget_session, sign_in_as
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def setting(db, monkeypatch):
    city = UnitFactory(code="CITY", name="阜康市委", kind=UnitKind.PARTY_COMMITTEE)
    branch = UnitFactory(
        parent=city, code="B1", name="城关镇第一党支部", kind=UnitKind.PARTY_BRANCH
    )
    other = UnitFactory(parent=city, code="B2", name="城关镇第二党支部", kind=UnitKind.PARTY_BRANCH)
    today = timezone.localdate()
    campaign = CampaignFactory(
        unit=city,
        name="党群共建创先争优",
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=10),
    )
    admin = UserFactory(username="admin_city", name="市委管理员")
    MembershipFactory(user=admin, unit=city, role=Role.ADMIN)
    staff = UserFactory(username="staff_b1", name="支部填报员")
    MembershipFactory(user=staff, unit=branch, role=Role.STAFF)

    def results(_campaign):
        rule = {"kind": "targets", "weight": "100", "points": "0", "excluded": False}
        return {"rules": [{"kind": "targets", "weight": "100"}]}, [
            Result(
                branch.pk, Decimal("81.25"), "党支部", 2, 2, "good", [rule | {"points": "81.25"}]
            ),
            Result(
                other.pk, Decimal("92.00"), "党支部", 1, 2, "excellent", [rule | {"points": "92"}]
            ),
        ]

    monkeypatch.setattr(snapshot_services, "results_for", results)
    return campaign, admin, staff


def test_a_snapshot_is_published_objected_to_and_answered(
    page: Page, live_server, setting, t, snapshot
):
    campaign, admin, staff = setting

    # The admin takes a snapshot and publishes it for five working days.
    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("campaigns:detail", args=[campaign.pk]))
    page.get_by_test_id("campaign-snapshots").click()
    expect(page.get_by_test_id("snapshot-none")).to_be_visible()
    page.get_by_test_id("snapshot-take").click()
    expect(page.get_by_test_id("ranking-row")).to_have_count(2)
    expect(page.get_by_test_id("status-draft")).to_be_visible()
    page.get_by_test_id("window-days").fill("5")
    page.get_by_test_id("snapshot-publish").click()
    expect(page.get_by_test_id("status-notice")).to_be_visible()
    snapshot("published")
    found = Snapshot.objects.get(campaign=campaign)
    path = reverse("public:notice", args=[found.public_id])
    expect(page.get_by_test_id("notice-link")).to_contain_text(path)
    page.get_by_test_id("snapshot-print").click()
    expect(page.get_by_test_id("print-row")).to_have_count(2)
    snapshot("print")

    # Anyone reads the public notice.
    forget_session(page)
    page.goto(live_server.url + path)
    expect(page.get_by_test_id("ranking-row")).to_have_count(2)
    expect(page.get_by_test_id("ranking-unit").first).to_have_text("城关镇第二党支部")
    snapshot("notice")

    # The unit's staff object.
    sign_in_as(page, live_server, t, staff.username)
    page.goto(live_server.url + reverse("evaluations:snapshot", args=[found.pk]))
    page.get_by_test_id("object-link").click()
    page.get_by_test_id("objection-reasons").fill("<b>主题党日</b>少算了两次")
    snapshot("objection-form")
    page.get_by_test_id("objection-submit").click()
    expect(page.get_by_test_id("objection-outcome")).to_have_text(t("Waiting for an answer"))
    expect(page.get_by_test_id("objection-reasons")).to_have_text("<b>主题党日</b>少算了两次")
    objection_url = page.url

    # The admin rejects it with a reason.
    sign_in_as(page, live_server, t, admin.username)
    page.goto(objection_url)
    page.get_by_test_id("outcome-rejected").check()
    page.get_by_test_id("answer-text").fill("两次活动均未经审核通过，不计分。")
    snapshot("answer-form")
    page.get_by_test_id("answer-submit").click()
    expect(page.get_by_test_id("objection-outcome")).to_have_text(t("Rejected"))
    page.goto(live_server.url + reverse("evaluations:snapshots", args=[campaign.pk]))
    expect(page.get_by_test_id("snapshot-pending")).to_have_text("0")
    snapshot("list")

    # The staff see the answer.
    sign_in_as(page, live_server, t, staff.username)
    page.goto(objection_url)
    expect(page.get_by_test_id("objection-answer")).to_have_text("两次活动均未经审核通过，不计分。")
    assert ScoreObjection.objects.get().outcome == ObjectionOutcome.REJECTED
