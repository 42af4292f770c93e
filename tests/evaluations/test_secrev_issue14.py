"""Security review of issue 14 (scores, snapshots, honours): the findings, each as a test that
failed before its fix. Hostile public ids (a NUL byte in the path) are a 404, never a 500.
Open question (xfail, strict): a unit's draft honour application and its files are reachable
by id from the levels above, unlike activities' drafts and unlike the round's own list, which
leaves drafts out."""

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
        "public:honour_objection_sent",
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


DRAFT_RULE = pytest.mark.xfail(
    strict=True,
    reason="Not fixed: honour_selectors.application_for_user lets the levels above read a draft "
    "(test_honours_views expects it); the lead decides whether drafts are the unit's own here "
    "as activities' are.",
)


@DRAFT_RULE
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


@DRAFT_RULE
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
    served.close()  # a streamed file: closed here, not left to a later test's garbage collection
    assert served.status_code == 200
    client = new_client("en")
    client.force_login(reviewer)
    above = client.get(url)
    above.close()
    assert above.status_code == 404
