"""In Chromium, in Chinese and English, on a phone and a desktop: a newcomer logs an activity in one
go. The date picker is bounded by the campaign and a date outside it is marked on the field; the
evidence field states its limits and offers several files and the phone's camera; on a campaign
that requires evidence, 保存并提交 without it keeps the draft and says why; with files chosen on the
form it is submitted with them."""

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from activities.models import Activity, Status
from tests.e2e import test_review_flow
from tests.e2e.conftest import field, sign_in_as
from tests.factories import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chinese and English, as in the review flow.
language = test_review_flow.language

PDF = pdf_bytes()


@pytest.fixture
def files(tmp_path):
    photo = tmp_path / "合影.jpg"
    Image.new("RGB", (640, 480), (183, 28, 28)).save(photo, format="JPEG")
    sign_in_sheet = tmp_path / "签到表.pdf"
    sign_in_sheet.write_bytes(PDF)
    return [photo, sign_in_sheet]


def test_an_activity_is_logged_with_its_evidence_in_one_go(
    page: Page, live_server, snapshot, t, files, tree, staff, reviewer, campaign, task, targets
):
    campaign.evidence_required = True
    campaign.save(update_fields=["evidence_required"])
    sign_in_as(page, live_server, t, staff.username)
    page.goto(live_server.url + reverse("activities:create"))

    date = page.locator("#id_starts_on")
    expect(date).to_have_attribute("min", "2010-05-01")
    expect(date).to_have_attribute("max", "2010-12-31")
    evidence = page.get_by_test_id("evidence-field")
    expect(evidence.get_by_test_id("evidence-required")).to_have_text(
        t("Required before submission")
    )
    expect(evidence.get_by_test_id("evidence-limits")).to_contain_text("10 MB")
    expect(evidence.get_by_test_id("evidence-limits")).to_contain_text("PDF")
    expect(page.locator("#id_files")).to_have_attribute("multiple", "")
    expect(page.locator("#id_camera")).to_have_attribute("capture", "environment")
    expect(page.locator("#id_camera")).to_have_attribute("accept", "image/*")

    # A date outside the campaign is marked on the date field itself.
    field(page, t("title")).fill("七一主题党日")
    date.fill("2011-03-01")
    page.get_by_role("checkbox", name=task.title, exact=False).check()
    page.get_by_role("button", name=t("Save and submit")).click()
    expect(date).to_have_class("dateinput form-control is-invalid")
    feedback = page.locator("#id_starts_on ~ .invalid-feedback, #error_1_id_starts_on").first
    expect(feedback).to_contain_text("2010-05-01")
    assert not Activity.objects.exists()
    snapshot("date-outside")

    # 保存并提交 without evidence: a draft with everything typed, back on the form with the reason.
    page.locator("#id_starts_on").fill("2010-07-01")
    page.get_by_role("button", name=t("Save and submit")).click()
    expect(page.get_by_role("alert").first).to_contain_text(
        t(
            "This campaign requires evidence before submission: attach at least one photo or "
            "document, then submit."
        )
    )
    activity = Activity.objects.get()
    assert activity.status == Status.DRAFT
    expect(field(page, t("title"))).to_have_value("七一主题党日")
    snapshot("evidence-missing")

    # Two files at once from the form, then 保存并提交: submitted with both.
    page.locator("#id_files").set_input_files(files)
    page.get_by_role("button", name=t("Save and submit")).click()
    expect(page.get_by_test_id("review-state")).to_be_visible()
    expect(page.get_by_test_id("gallery").locator("img")).to_have_count(1)
    expect(page.get_by_test_id("files")).to_contain_text("签到表.pdf")
    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
    assert activity.evidence.count() == 2
