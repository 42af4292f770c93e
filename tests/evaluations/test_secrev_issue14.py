"""Security review of issue 14 (scores, snapshots, honours): the findings, each as a test that
failed before its fix. Hostile public ids (a NUL byte in the path) are a 404, never a 500.
A unit's draft honour application and its files are its own until submitted: the levels above
get a 404 by id, as for activities' drafts and as the round's own list leaves drafts out."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluations import honour_services as services
from tests.evaluations.conftest import new_client
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "public:notice",
        "public:honour_notice",
        "public:honour_objection",
        "public:honour",
        "public:honour_certificate",
        "public:board",
        "public:appraise",
    ],
)
def test_a_nul_byte_in_a_public_id_is_a_404_not_a_500(name):
    url = reverse(name, args=["abc"]).replace("abc", "%00abc")
    response = new_client("en").get(url)
    assert response.status_code == 404


def test_a_draft_application_is_hidden_from_the_levels_above(
    draft_application, reviewer, city_admin, union_staff
):
    url = reverse("evaluations:honour_application", args=[draft_application.pk])
    for above in (reviewer, city_admin):
        client = new_client("en")
        client.force_login(above)
        assert client.get(url).status_code == 404
    own = new_client("en")
    own.force_login(union_staff)
    assert own.get(url).status_code == 200


def test_a_draft_applications_file_is_hidden_from_the_levels_above(
    draft_application, reviewer, union_staff
):
    item = services.file_add(
        union_staff,
        draft_application,
        SimpleUploadedFile("case.pdf", pdf_bytes(), content_type="application/pdf"),
    )
    url = reverse("evaluations:report_file", args=[item.pk])
    own = new_client("en")
    own.force_login(union_staff)
    served = own.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    client = new_client("en")
    client.force_login(reviewer)
    assert client.get(url).status_code == 404
