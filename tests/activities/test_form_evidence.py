"""Logging an activity in one go: evidence attached from the form itself (several files, the phone's
camera), a campaign that requires evidence before submission, and a date outside the campaign
marked on the date field."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from activities import services
from activities.exceptions import ActivityError
from activities.models import Activity, Evidence, Status
from tests.activities.test_views import _form_data
from tests.factories import pdf_bytes
from tests.pages import messages_of

PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _photo(name: str = "合影.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (183, 28, 28)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _pdf(name: str = "签到表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def required(campaign):
    campaign.evidence_required = True
    campaign.save(update_fields=["evidence_required"])
    return campaign


def test_the_form_offers_several_files_and_the_camera_with_limits_stated(
    client, staff, task, targets, settings
):
    settings.EVIDENCE_MAX_BYTES = 8 * 1024 * 1024
    settings.EVIDENCE_MAX_FILES = 12
    client.force_login(staff)

    html = client.get(reverse("activities:create")).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'id="id_files" multiple' in html
    assert 'accept="image/*" capture="environment"' in html
    assert "up to 8 MB, up to 12 files per activity" in html
    assert "JPEG, PNG, GIF, WebP), PDF or Office documents (.docx, .xlsx, .pptx)" in html


@pytest.mark.parametrize("page", ["form", "detail"])
def test_no_page_offers_the_legacy_office_formats_it_refuses(
    client, staff, task, targets, draft, page
):
    client.force_login(staff)
    url = (
        reverse("activities:create")
        if page == "form"
        else reverse("activities:detail", args=[draft.pk])
    )

    html = client.get(url).content.decode()

    assert 'application/pdf,.docx,.xlsx,.pptx"' in html
    accepts = re.findall(r'accept="([^"]*)"', html)
    assert accepts
    assert not any({".doc", ".xls", ".ppt"} & set(accept.split(",")) for accept in accepts)
    assert "PowerPoint" not in html


def test_files_chosen_on_the_form_are_attached_with_the_draft(client, staff, task, targets):
    client.force_login(staff)

    response = client.post(
        reverse("activities:create"), {**_form_data(task), "files": [_photo(), _pdf()]}
    )

    activity = Activity.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.status == Status.DRAFT
    assert sorted(activity.evidence.values_list("original_name", "content_type")) == [
        ("合影.jpg", "image/jpeg"),
        ("签到表.pdf", "application/pdf"),
    ]


def test_save_and_submit_with_a_photo_submits_it_with_its_evidence(
    client, staff, reviewer, required, task, targets
):
    client.force_login(staff)

    response = client.post(
        reverse("activities:create"), {**_form_data(task, save_submit="1"), "files": [_photo()]}
    )

    activity = Activity.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.status == Status.SUBMITTED
    assert activity.evidence.count() == 1


def test_save_and_submit_without_required_evidence_keeps_everything_and_says_why(
    client, staff, required, task, targets
):
    client.force_login(staff)

    response = client.post(reverse("activities:create"), _form_data(task, save_submit="1"))

    activity = Activity.objects.get()
    edit = reverse("activities:edit", args=[activity.pk])
    assert response["Location"] == edit
    assert activity.status == Status.DRAFT
    assert (activity.title, activity.place, activity.participants) == (
        "七一主题党日",
        "党员活动室",
        50,
    )
    assert list(activity.tasks.all()) == [task]
    assert not activity.events.exists()
    page = client.get(edit)
    [message] = messages_of(page)
    assert message.startswith("Saved as a draft but not submitted")
    assert "requires evidence before submission" in message
    assert page.status_code == 200
    assert b'data-testid="evidence-required"' in page.content


def test_a_refused_file_keeps_the_draft_unsubmitted_and_the_good_file(
    client, staff, reviewer, task, targets
):
    client.force_login(staff)
    exe = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\x00" * 200)

    response = client.post(
        reverse("activities:create"),
        {**_form_data(task, save_submit="1"), "files": [_photo(), exe]},
        follow=True,
    )

    activity = Activity.objects.get()
    assert activity.status == Status.DRAFT
    assert list(activity.evidence.values_list("original_name", flat=True)) == ["合影.jpg"]
    messages = messages_of(response)
    assert any("照片.jpg" in m and "not an accepted file" in m for m in messages)
    assert any("not submitted: a file was not attached" in m for m in messages)


def test_submitting_without_evidence_where_it_is_optional_says_how_to_add_it_later(
    client, staff, reviewer, task, targets
):
    client.force_login(staff)

    response = client.post(
        reverse("activities:create"), _form_data(task, save_submit="1"), follow=True
    )

    assert Activity.objects.get().status == Status.SUBMITTED
    assert any("withdraw it first" in m for m in messages_of(response))


def test_the_service_refuses_a_submission_without_required_evidence(
    staff, required, draft, tmp_path
):
    with pytest.raises(ActivityError, match="requires evidence"):
        services.activity_submit(actor=staff, activity=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT

    services.evidence_add(actor=staff, activity=draft, upload=_pdf())
    assert services.activity_submit(actor=staff, activity=draft).status == Status.SUBMITTED


def test_the_activity_page_submit_button_is_refused_without_required_evidence(
    client, staff, required, draft
):
    client.force_login(staff)

    response = client.post(reverse("activities:submit", args=[draft.pk]), follow=True)

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert any("requires evidence" in m for m in messages_of(response))


def test_an_outsider_cannot_attach_files_through_the_edit_form(client, outsider, task, draft):
    client.force_login(outsider)

    response = client.post(
        reverse("activities:edit", args=[draft.pk]), {**_form_data(task), "files": [_photo()]}
    )

    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_a_form_that_does_not_validate_says_its_files_must_be_chosen_again(
    client, staff, task, targets
):
    client.force_login(staff)

    response = client.post(
        reverse("activities:create"), {**_form_data(task, title=""), "files": [_photo()]}
    )

    assert response.status_code == 200
    assert b'data-testid="files-dropped"' in response.content
    assert not Activity.objects.exists() and not Evidence.objects.exists()


class TestDateOutsideTheCampaign:
    def test_the_date_fields_carry_the_campaign_bounds(self, client, staff, task, targets):
        client.force_login(staff)

        html = client.get(reverse("activities:create")).content.decode()

        assert 'min="2010-05-01"' in html
        assert 'max="2010-12-31"' in html
        assert "Within the campaign: 2010-05-01 – 2010-12-31." in html

    def test_a_date_outside_is_marked_on_the_date_field(self, client, staff, task, targets):
        client.force_login(staff)

        response = client.post(
            reverse("activities:create"), _form_data(task, starts_on="2011-02-01", ends_on="")
        )

        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["starts_on"] == [
            "The activity must take place within the campaign (2010-05-01 – 2010-12-31)."
        ]
        assert not form.non_field_errors()
        assert 'class="dateinput form-control is-invalid"' in response.content.decode()
        assert not Activity.objects.exists()


def test_an_admin_sets_the_campaign_to_require_evidence(client, tree, city_admin, campaign):
    client.force_login(city_admin)
    data = {
        "name": campaign.name,
        "starts_on": "2010-05-01",
        "ends_on": "2010-12-31",
        "review_deadline_days": "7",
        "review_levels": "1",
        "evidence_required": "on",
        "is_active": "on",
    }

    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), data)

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.evidence_required
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert "Required before submission" in page


def test_an_outsider_cannot_change_the_evidence_rule(client, tree, outsider, campaign):
    client.force_login(outsider)

    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]), {"evidence_required": "on"}
    )

    assert response.status_code in (403, 404)
    campaign.refresh_from_db()
    assert not campaign.evidence_required
