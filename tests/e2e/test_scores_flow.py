"""Draft scores in a real Chromium, in Chinese and in English: a branch's staff claim a bonus, the
reviewer above approves it, and the city's admin reads the ranking, opens the branch's scores
(where the approved bonus is one of the records behind its points) and the scheme page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from evaluations.models import Adjustment
from tests.e2e.conftest import LANGUAGES, field, sign_in_as
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
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
    other = UnitFactory(parent=city, code="B2", name="城关镇第二党支部", kind=UnitKind.PARTY_BRANCH)
    today = timezone.localdate()
    campaign = CampaignFactory(
        unit=city,
        name="党群共建创先争优",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=120),
    )
    task = TargetTaskFactory(campaign=campaign, title="主题党日")
    for unit in (branch, other):
        TargetFactory(unit=unit, task=task, due_on=campaign.ends_on)
    staff = UserFactory(username="staff_b1")
    MembershipFactory(user=staff, unit=branch, role=Role.STAFF)
    reviewer = UserFactory(username="reviewer_city")
    MembershipFactory(user=reviewer, unit=city, role=Role.REVIEWER)
    admin = UserFactory(username="admin_city")
    MembershipFactory(user=admin, unit=city, role=Role.ADMIN)
    return branch, campaign, staff, reviewer, admin


def test_a_bonus_is_claimed_approved_and_explained(page: Page, live_server, setting, t, snapshot):
    branch, campaign, staff, reviewer, admin = setting
    sign_in_as(page, live_server, t, staff.username)
    page.goto(
        live_server.url + reverse("evaluations:unit_adjustments", args=[campaign.pk, branch.pk])
    )
    field(page, t("Points")).fill("2")
    field(page, t("Reason")).fill("获市级先进基层党组织表彰")
    page.get_by_test_id("add").click()
    expect(page.get_by_test_id("submit")).to_be_visible()
    page.get_by_test_id("submit").click()
    expect(page.get_by_text(t("Submitted for review."))).to_be_visible()

    sign_in_as(page, live_server, t, reviewer.username)
    page.goto(live_server.url + reverse("evaluations:adjustment_queue"))
    page.get_by_test_id("queue-row").get_by_role("link").click()
    page.get_by_test_id("approve").click()
    expect(page.get_by_text(t("Approved."))).to_be_visible()
    assert Adjustment.objects.get().points == Decimal(2)

    sign_in_as(page, live_server, t, admin.username)
    page.goto(live_server.url + reverse("campaigns:detail", args=[campaign.pk]))
    page.get_by_test_id("scores-link").click()
    expect(page.get_by_test_id("score-row")).to_have_count(2)
    snapshot("ranking")
    page.get_by_role("link", name=branch.name).click()
    expect(page.get_by_test_id("rule-adjustments")).to_contain_text("获市级先进基层党组织表彰")
    # The kept score was recomputed after the approval (Celery runs eagerly in the tests).
    expect(page.get_by_test_id("computed-at")).to_be_visible()
    expect(page.get_by_test_id("rule-adjustments").get_by_test_id("points")).to_contain_text("2.00")
    snapshot("unit")
    page.goto(live_server.url + reverse("evaluations:scoring_scheme", args=[campaign.pk]))
    expect(page.get_by_test_id("rule-targets")).to_be_visible()
    snapshot("scheme")
