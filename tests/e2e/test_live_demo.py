"""In Chromium, on the demo city as `seed_demo` builds it: the leader sees which campaign runs now
and which is finished, the running one's dashboard shows units behind pace and reviews past the
deadline, the review timeliness says how it is computed and counts them as late, and the activity
search holds no other unit's draft. On a desktop in Chinese and on a phone in English."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Status
from campaigns.models import Campaign
from demo import catalogue
from demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import VIEWPORTS, field
from units.models import Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASES = {"desktop-zh-hans": ("desktop", "zh-hans", "zh-CN"), "mobile-en": ("mobile", "en", "en")}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request):
    return CASES[request.param]


@pytest.fixture
def viewport_name(case) -> str:
    return case[0]


@pytest.fixture
def language(case) -> str:
    return case[1]


@pytest.fixture
def browser_context_args(browser_context_args, case):
    return {**browser_context_args, "locale": case[2], "viewport": VIEWPORTS[case[0]]}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    return Campaign.objects.get(name=f"{timezone.localdate().year}年党群共建创先争优活动")


def test_the_leader_sees_the_live_season_as_it_is(
    page: Page, live_server, snapshot, t, demo, language
):
    page.goto(live_server.url + reverse("accounts:login"))
    field(page, t("username")).fill("city_leader")
    field(page, t("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_test_id("user-menu")).to_be_attached()

    page.goto(live_server.url + reverse("campaigns:list"))
    campaigns = page.get_by_test_id("campaigns").locator(".list-group-item")
    running = campaigns.filter(has_text=demo.name)
    finished = campaigns.filter(has_text=catalogue.CAMPAIGN_NAME)
    expect(running.get_by_test_id("campaign-season")).to_have_text(
        t("Running now: activities are logged in it")
    )
    expect(finished.get_by_test_id("campaign-season")).to_have_text(
        t("Finished: for assessment and honours")
    )
    snapshot("campaigns")

    city = Unit.objects.get(code=catalogue.CAMPAIGN_UNIT)
    page.goto(live_server.url + reverse("dashboards:unit", args=[city.pk]))
    expect(page.get_by_test_id("dashboard-filters")).to_contain_text(demo.name)
    overdue = int(page.get_by_test_id("figure-overdue").inner_text())
    assert overdue > 0
    review = page.get_by_test_id("figure-review").inner_text()
    assert int(review.rstrip("%")) < 100  # the overdue waits count as late
    help_text = page.get_by_test_id("review-timeliness-help").get_attribute("title")
    assert help_text == t(
        "Reviews decided within the review deadline, divided by all reviews decided plus the "
        "submissions now waiting past the deadline (those count as late)."
    )
    expect(page.get_by_test_id("behind")).not_to_contain_text(t("Every unit below is on track."))
    snapshot("dashboard")

    page.goto(live_server.url + reverse("dashboards:activities") + f"?status={Status.DRAFT}")
    expect(page.get_by_test_id("activity-row")).to_have_count(0)
    page.goto(live_server.url + reverse("dashboards:activities"))
    rows = page.get_by_test_id("activity-row")
    expect(rows.first).to_be_visible()
    statuses = " ".join(rows.all_inner_texts())
    assert not re.search(re.escape(t("Draft")), statuses)
