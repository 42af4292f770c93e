"""In a real browser, in Chinese and in English, on a phone and a desktop: staff log an activity
with a photo and submit it; a reviewer returns it with a reason; staff fix it and resubmit; the
reviewer approves it from the queue; the unit's progress moves.

Names of links, buttons and fields are looked up through the catalogue of the page's language,
so the test reads the page as a user does."""

import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from activities.models import Activity, Status
from tests.e2e.conftest import LANGUAGES, field, open_navigation, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "主题党日合影.png"
    Image.new("RGB", (640, 480), (183, 28, 28)).save(path)
    return path


def achieved(page: Page, live_server, unit) -> str:
    page.goto(live_server.url + reverse("campaigns:unit_targets", args=[unit.pk]))
    return page.get_by_test_id("target").first.get_by_test_id("achieved").inner_text()


def open_queue(page: Page, t) -> None:
    open_navigation(page)
    page.locator("#nav-main").get_by_role("link", name=t("Review"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Review queue"))


def test_an_activity_goes_from_staff_to_reviewer_and_counts_once_approved(
    page: Page, live_server, snapshot, t, language, photo, tree, staff, reviewer, task, targets
):
    html_lang = "zh-hans" if language == "zh-hans" else "en"

    # Staff log the activity, attach a photo and submit it.
    sign_in_as(page, live_server, t, staff.username)
    expect(page.locator("html")).to_have_attribute("lang", html_lang)
    open_navigation(page)
    page.locator("#nav-main").get_by_role("link", name=t("Activities"), exact=True).click()
    page.get_by_test_id("log-activity").click()
    field(page, t("title")).fill("七一主题党日：重温入党誓词")
    field(page, t("date")).fill("2010-07-01")
    field(page, t("place")).fill("机关党员活动室")
    page.get_by_role("checkbox", name=re.compile(re.escape(task.title))).check()
    field(page, t("party members")).fill("18")
    field(page, t("general public")).fill("6")
    field(page, t("description")).fill("组织党员重温入党誓词，学习党章。")
    page.get_by_role("button", name=t("Save as draft")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("七一主题党日")
    activity = Activity.objects.get(title="七一主题党日：重温入党誓词")
    assert (activity.status, activity.participants) == (Status.DRAFT, 24)

    page.locator("#id_files").set_input_files(photo)
    page.get_by_test_id("upload").get_by_role("button", name=t("Upload"), exact=True).click()
    expect(page.get_by_test_id("gallery").locator("img")).to_have_count(1)
    snapshot("draft-with-photo")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("review-state")).to_be_visible()
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
    assert achieved(page, live_server, tree.branch_a1).startswith("0")

    # The reviewer finds it in the queue and returns it with a reason.
    sign_in_as(page, live_server, t, reviewer.username)
    open_queue(page, t)
    rows = page.get_by_test_id("review-row")
    expect(rows).to_have_count(1)
    snapshot("queue")
    rows.get_by_role("link", name=activity.title).click()
    page.locator("#id_return_reason").fill("请补充活动照片的说明和参会名单")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("return-reason")).to_contain_text("请补充活动照片的说明")
    activity.refresh_from_db()
    assert activity.status == Status.RETURNED

    # Staff see why, fix it and resubmit.
    sign_in_as(page, live_server, t, staff.username)
    page.goto(live_server.url + reverse("activities:detail", args=[activity.pk]))
    expect(page.get_by_test_id("return-reason")).to_contain_text("参会名单")
    page.get_by_test_id("edit").click()
    field(page, t("outcome")).fill("参会名单：机关第一党支部全体党员 18 人，群众 6 人。")
    page.get_by_role("button", name=t("Save and submit")).click()
    expect(page.get_by_test_id("review-state")).to_be_visible()
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED

    # The reviewer approves it from the queue; the unit's progress moves.
    sign_in_as(page, live_server, t, reviewer.username)
    open_queue(page, t)
    page.get_by_test_id("review-row").get_by_test_id("approve").click()
    expect(page.get_by_test_id("review-row")).to_have_count(0)
    activity.refresh_from_db()
    assert activity.status == Status.APPROVED
    assert list(activity.events.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
    assert achieved(page, live_server, tree.branch_a1).startswith("1")
    assert achieved(page, live_server, tree.committee_a).startswith("1")
    snapshot("progress")
