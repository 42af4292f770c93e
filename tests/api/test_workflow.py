"""The review's conflicts and evidence through the API."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import services
from activities.models import Evidence, Status
from tests.factories import MembershipFactory, UserFactory
from tests.photos import jpeg, scene
from units.models import Role


@pytest.fixture
def two_levels(draft, tree):
    """A second level of review: the city's reviewers after committee_a's."""
    campaign = draft.campaign
    campaign.review_levels = 2
    campaign.save()
    city_reviewer = UserFactory(username="reviewer_city")
    MembershipFactory(user=city_reviewer, unit=tree.city, role=Role.REVIEWER)
    return city_reviewer


def test_a_stale_level_is_a_conflict(api, draft, staff, reviewer, two_levels):
    services.activity_submit(actor=staff, activity=draft)
    first = api(reviewer).post(
        f"/api/v1/activities/{draft.pk}/approve/", {"level": 1}, format="json"
    )
    assert first.status_code == 200
    assert first.json()["review_level"] == 2
    # A second reviewer who read it at level 1 acts after the first: refused, not applied at 2.
    second = api(two_levels).post(
        f"/api/v1/activities/{draft.pk}/return/", {"level": 1, "reason": "重复"}, format="json"
    )
    assert second.status_code == 409
    assert second.json()["code"] == "stale_level"
    assert "Another reviewer has already acted" in second.json()["message"]
    draft.refresh_from_db()
    assert (draft.status, draft.review_level) == (Status.SUBMITTED, 2)
    done = api(two_levels).post(
        f"/api/v1/activities/{draft.pk}/approve/", {"level": 2}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["status"] == Status.APPROVED


def test_acting_on_a_decided_activity_is_a_conflict(api, submitted, reviewer):
    url = f"/api/v1/activities/{submitted.pk}/approve/"
    assert api(reviewer).post(url, {"level": 1}, format="json").status_code == 200
    again = api(reviewer).post(url, {"level": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_refused"


def _photo(name="photo.jpg") -> SimpleUploadedFile:
    return jpeg(scene(1, size=(320, 240)), name)


def test_evidence_upload_list_delete(api, draft, staff, reviewer):
    client = api(staff)
    url = f"/api/v1/activities/{draft.pk}/evidence/"
    answer = client.post(url, {"file": _photo()}, format="multipart")
    assert answer.status_code == 201, answer.content
    item = answer.json()
    assert item["content_type"] == "image/jpeg"
    assert item["original_name"] == "photo.jpg"
    listed = client.get(url).json()
    assert [row["id"] for row in listed["results"]] == [item["id"]]
    # Not the reviewer's: they do not even see the draft.
    assert api(reviewer).get(url).status_code == 404
    assert api(reviewer).delete(f"{url}{item['id']}/").status_code == 404
    assert client.delete(f"{url}{item['id']}/").status_code == 204
    assert not Evidence.objects.filter(pk=item["id"]).exists()
    assert client.delete(f"{url}{item['id']}/").status_code == 404


def test_evidence_is_judged_by_its_content(api, draft, staff):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    answer = api(staff).post(
        f"/api/v1/activities/{draft.pk}/evidence/", {"file": fake}, format="multipart"
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "evidence_rejected"
    assert not draft.evidence.exists()


def test_evidence_of_a_submitted_activity_is_locked(api, submitted, staff):
    answer = api(staff).post(
        f"/api/v1/activities/{submitted.pk}/evidence/", {"file": _photo()}, format="multipart"
    )
    assert answer.status_code == 409
    assert submitted.evidence.count() == 0


def test_an_oversized_file_is_refused_with_a_message(api, draft, staff, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.jpg", BytesIO(b"x" * 4096).read(), content_type="image/jpeg")
    answer = api(staff).post(
        f"/api/v1/activities/{draft.pk}/evidence/", {"file": big}, format="multipart"
    )
    assert answer.status_code == 422
    assert "file" in answer.json()["fields"] or answer.json()["code"] == "evidence_rejected"
    assert not draft.evidence.exists()


def test_an_evidence_file_is_downloaded_with_a_token(api, draft, staff, reviewer, outsider):
    client = api(staff)
    url = f"/api/v1/activities/{draft.pk}/evidence/"
    item = client.post(url, {"file": _photo()}, format="multipart").json()
    file_url = f"{url}{item['id']}/file/"
    answer = client.get(file_url, HTTP_ACCEPT="image/*")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/jpeg"
    assert answer["X-Content-Type-Options"] == "nosniff"
    body = b"".join(answer.streaming_content)
    assert len(body) == item["size"] and body[:2] == b"\xff\xd8"  # the JPEG stored
    assert api(outsider).get(file_url).status_code == 404
    assert api(reviewer).get(file_url).status_code == 404  # a draft is its unit's
    assert api().get(file_url).status_code == 401
    assert client.get(f"{url}999999/file/").status_code == 404
