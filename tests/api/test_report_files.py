"""Evidence files of fulfilment reports and follow-up reports through the API, checked by their
content as on the pages (evaluations.fulfilment_services.file_add,
evaluations.comment_services.follow_up_report): the unit's staff attach them, readers of the unit
download them, everyone else is refused; a fake file is a 422 with a message, never a 500."""

import pytest

from evaluations.models import FollowUpStatus, FulfilmentReport, ReportFile
from tests.evaluations.fulfilment_setup import (
    CommitmentFactory,
    CommitmentSetFactory,
    exe_as_jpg,
    png_upload,
)

pytestmark = pytest.mark.django_db

ROLES = ("staff", "reviewer", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.fixture
def report(tree, campaign, staff):
    commitment = CommitmentFactory(set=CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign))
    return FulfilmentReport.objects.create(commitment=commitment, created_by=staff)


@pytest.mark.parametrize("role", ROLES)
def test_a_reports_files(request, api, report, reviewer, role):
    client = api(_user(request, role))
    url = f"/api/v1/fulfilment-reports/{report.pk}/files/"
    sent = client.post(url, {"file": png_upload()}, format="multipart")
    if role == "staff":
        assert sent.status_code == 201, sent.content
        item = ReportFile.objects.get(fulfilment=report)
        assert sent.json()["content_type"] == "image/png"
        listed = api(reviewer).get(url).json()
        assert [row["id"] for row in listed["results"]] == [item.pk]
        download = api(reviewer).get(listed["results"][0]["url"])
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"\x89PNG")
        fake = client.post(url, {"file": exe_as_jpg()}, format="multipart")
        assert fake.status_code == 422 and fake.json()["message"]
        assert client.delete(f"{url}{item.pk}/").status_code == 204
        assert not ReportFile.objects.exists()
    else:
        expected = {"anonymous": 401, "outsider": 404}.get(role, 403)
        assert sent.status_code == expected
        assert not ReportFile.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_follow_up_reported_with_files(request, api, follow_up, outsider, role):
    client = api(_user(request, role))
    url = f"/api/v1/follow-ups/{follow_up.pk}/"
    sent = client.post(
        f"{url}report/", {"text": "已补齐台账", "files": [png_upload()]}, format="multipart"
    )
    follow_up.refresh_from_db()
    if role == "staff":
        assert sent.status_code == 200, sent.content
        assert follow_up.status == FollowUpStatus.REPORTED
        files = client.get(f"{url}files/").json()["results"]
        assert [row["original_name"] for row in files] == ["photo.png"]
        assert api(outsider).get(f"/api/v1/report-files/{files[0]['id']}/").status_code == 404
    else:
        expected = {"anonymous": 401, "outsider": 404}.get(role, 403)
        assert sent.status_code == expected
        assert not ReportFile.objects.exists()
