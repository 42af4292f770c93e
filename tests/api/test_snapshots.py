"""Assessment snapshots through the API: an admin of the organising unit takes and publishes one;
a unit's staff read the published ranking and object to their result with a file; the admin
answers. Everyone else is refused (403), an outsider and a draft's readers below get a 404,
anonymous callers a 401; bad input is a 4xx with a message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import snapshot_services as services
from evaluations.models import ObjectionOutcome, ReportFile, ScoreObjection, Snapshot
from tests.evaluations.snapshot_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db

ROLES = ("city_admin", "admin_user", "staff", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
def test_taking_and_publishing(request, api, campaign, scores, role):
    client = api(_user(request, role))
    url = f"/api/v1/campaigns/{campaign.pk}/snapshots/"
    took = client.post(url, format="json")
    if role == "city_admin":
        assert took.status_code == 201, took.content
        snapshot = Snapshot.objects.get()
        assert took.json()["version"] == 1 and took.json()["may_administer"] is True
        listed = client.get(url).json()["results"]
        assert [item["id"] for item in listed] == [snapshot.pk]
        bad = client.post(f"/api/v1/snapshots/{snapshot.pk}/publish/", {}, format="json")
        assert bad.status_code == 400 and "window_days" in bad.json()["fields"]
        done = client.post(
            f"/api/v1/snapshots/{snapshot.pk}/publish/", {"window_days": 5}, format="json"
        )
        assert done.status_code == 200, done.content
        assert done.json()["notice_url"] and done.json()["open"] is True
        again = client.post(
            f"/api/v1/snapshots/{snapshot.pk}/publish/", {"window_days": 5}, format="json"
        )
        assert again.status_code == 422 and again.json()["code"] == "evaluation_refused"
    else:
        expected = {"anonymous": 401, "staff": 403, "admin_user": 403, "outsider": 403}
        assert took.status_code == expected[role]
        assert not Snapshot.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_draft_and_its_rows(request, api, taken, role):
    client = api(_user(request, role))
    answer = client.get(f"/api/v1/snapshots/{taken.pk}/")
    rows = client.get(f"/api/v1/snapshots/{taken.pk}/rows/", {"page_size": 2})
    # A draft is for those who see the organising unit (the city): not for units below.
    if role == "city_admin":
        assert answer.status_code == 200
        assert [c["kind"] for c in answer.json()["columns"]] == ["targets", "appraisal"]
        assert rows.status_code == 200 and rows.json()["count"] == 3
        first = rows.json()["results"][0]
        assert len(first["points"]) == 2 and "unit_name" in first
    else:
        expected = 401 if role == "anonymous" else 404
        assert answer.status_code == expected and rows.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_objecting_with_a_file(request, api, published, tree, role):
    client = api(_user(request, role))
    upload = SimpleUploadedFile("证明.pdf", pdf_bytes(), content_type="application/pdf")
    answer = client.post(
        f"/api/v1/snapshots/{published.pk}/objections/",
        {"unit": tree.branch_a1.pk, "reasons": "少算了一次活动", "files": [upload]},
        format="multipart",
    )
    if role == "staff":
        assert answer.status_code == 201, answer.content
        found = ScoreObjection.objects.get()
        assert (found.unit, found.reasons) == (tree.branch_a1, "少算了一次活动")
        assert answer.json()["files"][0]["original_name"] == "证明.pdf"
        item = ReportFile.objects.get(score_objection=found)
        download = client.get(answer.json()["files"][0]["url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        assert item.content_type == "application/pdf"
    else:
        expected = {"anonymous": 401, "outsider": 422}.get(role, 403)
        assert answer.status_code == expected, answer.content
        assert not ScoreObjection.objects.exists()


def test_a_fake_file_or_empty_reasons_are_refused_with_a_message(api, published, staff, tree):
    client = api(staff, "zh-hans")
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    url = f"/api/v1/snapshots/{published.pk}/objections/"
    refused = client.post(
        url, {"unit": tree.branch_a1.pk, "reasons": "r", "files": [fake]}, format="multipart"
    )
    assert refused.status_code == 422 and refused.json()["message"]
    empty = client.post(url, {"unit": tree.branch_a1.pk, "reasons": " "}, format="json")
    assert empty.status_code == 422 and empty.json()["code"] == "evaluation_refused"
    assert not ScoreObjection.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_answering_an_objection(request, api, published, staff, tree, role):
    objection = services.objection_file(staff, published, tree.branch_a1, reasons="少算")
    client = api(_user(request, role))
    url = f"/api/v1/score-objections/{objection.pk}/"
    answer = client.post(
        f"{url}answer/", {"outcome": "rejected", "answer": "不在范围内"}, format="json"
    )
    objection.refresh_from_db()
    if role == "city_admin":
        assert answer.status_code == 200, answer.content
        assert objection.outcome == ObjectionOutcome.REJECTED
        assert api(staff).get(url).json()["answer"] == "不在范围内"
        snapshot = api(staff).get(f"/api/v1/snapshots/{published.pk}/").json()
        assert [item["id"] for item in snapshot["objections"]] == [objection.pk]
    else:
        expected = {"anonymous": 401, "outsider": 404}.get(role, 403)
        assert answer.status_code == expected
        assert objection.outcome == ObjectionOutcome.PENDING
