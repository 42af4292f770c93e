"""In a real browser, in Chinese and in English, on a phone and a desktop: staff start the
fulfilment report (践诺) of an approved commitment from the workbench, write the statement, link
an approved activity, attach a photo and submit; a reviewer returns it with a reason; staff add
to it and resubmit; the reviewer approves it and the commitment is kept on time."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from activities.models import Status
from evaluations.models import Commitment, FulfilmentReport
from tests.e2e.conftest import LANGUAGES, sign_in_as
from tests.evaluations.fulfilment_setup import (
    CommitmentFactory,
    CommitmentSetFactory,
    approved_activity,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def campaign(campaign):
    """Running today: the workbench lists the work of running campaigns only."""
    today = timezone.localdate()
    campaign.starts_on = today - datetime.timedelta(days=30)
    campaign.ends_on = today + datetime.timedelta(days=60)
    campaign.save(update_fields=["starts_on", "ends_on"])
    return campaign


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "践诺现场.png"
    Image.new("RGB", (640, 480), (183, 28, 28)).save(path)
    return path


def test_a_commitment_is_reported_returned_and_kept_on_time(
    page: Page, live_server, snapshot, t, photo, tree, staff, reviewer, campaign
):
    due = timezone.localdate() + datetime.timedelta(days=10)
    chosen = CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign)
    commitment = CommitmentFactory(set=chosen, promise="建成党员志愿服务队", due_on=due)
    activity = approved_activity(tree.branch_a1, campaign, title="志愿服务队成立仪式")

    # Staff start the report from the workbench and submit it.
    sign_in_as(page, live_server, t, staff.username)
    entry = page.get_by_test_id("to-report").filter(has_text="建成党员志愿服务队")
    entry.get_by_role("button", name=t("Report fulfilled")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Fulfilment report"))
    page.locator("#id_files").set_input_files(photo)
    page.get_by_test_id("upload").get_by_role("button", name=t("Upload"), exact=True).click()
    expect(page.get_by_test_id("file")).to_have_count(1)
    page.locator("#id_statement").fill("志愿服务队已成立，共 24 名队员。")
    page.get_by_test_id("activities-select").select_option(str(activity.pk))
    snapshot("draft")
    page.get_by_test_id("save-submit").click()
    expect(page.get_by_test_id("review-state")).to_be_visible()
    report = FulfilmentReport.objects.get(commitment=commitment)
    assert report.status == Status.SUBMITTED
    assert list(report.activities.all()) == [activity]

    # The reviewer returns it with a reason.
    sign_in_as(page, live_server, t, reviewer.username)
    page.goto(live_server.url + reverse("evaluations:report", args=[report.pk]))
    page.locator("#id_return_reason").fill("请补充队员名单")
    page.get_by_test_id("return").click()
    expect(page.get_by_test_id("report-status")).to_contain_text(t("Returned"))

    # Staff see why, add to the statement and resubmit.
    sign_in_as(page, live_server, t, staff.username)
    page.goto(live_server.url + reverse("evaluations:report", args=[report.pk]))
    expect(page.get_by_test_id("return-reason")).to_contain_text("请补充队员名单")
    page.locator("#id_statement").fill("志愿服务队已成立，共 24 名队员，名单见附件。")
    page.get_by_test_id("save-submit").click()
    expect(page.get_by_test_id("review-state")).to_be_visible()

    # The reviewer approves it: the commitment is fulfilled, on time.
    sign_in_as(page, live_server, t, reviewer.username)
    page.goto(live_server.url + reverse("evaluations:report", args=[report.pk]))
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("fulfilled")).to_contain_text(t("Kept on time"))
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert commitment.fulfilled_at is not None and commitment.kept_on_time is True
    expect(page.get_by_test_id("event")).to_have_count(4)
    snapshot("approved")
