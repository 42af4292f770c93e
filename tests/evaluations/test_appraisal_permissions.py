"""Who may see a unit's appraisal figures, its link, QR code and poster, rotate the link and hide a
remark: anyone who may see the unit sees; an admin of the unit or above changes; an outsider gets
a 404 and an anonymous visitor the login page."""

import pytest
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.models import AppraisalLink, Rating
from tests.evaluations.conftest import new_client

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = new_client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def rating(link):
    return services.rating_submit(link, 1, "态度差", "device-1")


def read_urls(link) -> list[str]:
    unit, campaign = link.unit.pk, link.campaign.pk
    return [
        reverse("evaluations:appraisal", args=[unit]),
        reverse("evaluations:qr_code", args=[unit, campaign]),
        reverse("evaluations:poster", args=[unit, campaign]),
    ]


@pytest.mark.parametrize("who", ["staff", "reviewer", "leader", "admin_user", "city_admin"])
def test_members_on_the_unit_or_above_see_figures_link_and_poster(request, who, link):
    client = as_user(request.getfixturevalue(who))
    for address in read_urls(link):
        assert client.get(address).status_code == 200, address
    page = client.get(read_urls(link)[0]).content.decode()
    assert link.token in page
    svg = client.get(read_urls(link)[1])
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b"<svg") and b"xmlns" in svg.content


def test_an_outsider_gets_404_and_anonymous_the_login(outsider, link, rating):
    for address in read_urls(link):
        assert as_user(outsider).get(address).status_code == 404
        anonymous = as_user(None).get(address)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    rotate = reverse("evaluations:rotate", args=[link.unit.pk, link.campaign.pk])
    hide = reverse("evaluations:hide_remark", args=[rating.pk])
    assert as_user(outsider).post(rotate).status_code == 404
    assert as_user(outsider).post(hide, {"reason": "x"}).status_code == 404
    assert as_user(None).post(rotate).status_code == 302
    assert AppraisalLink.objects.get(pk=link.pk).revoked_at is None
    assert not Rating.objects.get(pk=rating.pk).remark_hidden


@pytest.mark.parametrize("who", ["staff", "reviewer", "leader"])
def test_only_an_admin_rotates_the_link_or_hides_a_remark(request, who, link, rating):
    client = as_user(request.getfixturevalue(who))
    rotate = reverse("evaluations:rotate", args=[link.unit.pk, link.campaign.pk])
    hide = reverse("evaluations:hide_remark", args=[rating.pk])

    assert client.post(rotate).status_code == 403
    assert client.post(hide, {"reason": "辱骂"}).status_code == 403
    assert AppraisalLink.objects.get(pk=link.pk).revoked_at is None
    assert not Rating.objects.get(pk=rating.pk).remark_hidden


def test_an_admin_rotates_the_link(admin_user, link):
    client = as_user(admin_user)
    response = client.post(reverse("evaluations:rotate", args=[link.unit.pk, link.campaign.pk]))

    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == admin_user
    current = AppraisalLink.objects.get(unit=link.unit, campaign=link.campaign, revoked_at=None)
    assert current.token != link.token
    assert current.token in client.get(response["Location"]).content.decode()


def test_an_admin_hides_a_remark_with_a_reason_and_the_rating_still_counts(
    admin_user, leader, link, rating
):
    client = as_user(admin_user)
    hide = reverse("evaluations:hide_remark", args=[rating.pk])
    assert client.post(hide, {"reason": ""}).status_code == 302
    assert not Rating.objects.get(pk=rating.pk).remark_hidden

    client.post(hide, {"reason": "含有辱骂"})

    rating.refresh_from_db()
    assert rating.remark_hidden and rating.remark_hidden_reason == "含有辱骂"
    assert rating.remark_hidden_by == admin_user
    assert rating.remark == "态度差"  # kept, never deleted
    page = as_user(leader).get(reverse("evaluations:appraisal", args=[link.unit.pk])).content
    assert "态度差" not in page.decode() and "含有辱骂" in page.decode()
    assert services.rating_remark_hide  # the service is the only way in
    from evaluations.selectors import subtree_figures

    assert subtree_figures(link.unit, link.campaign).ratings == 1


def test_the_admin_site_cannot_change_or_delete_a_rating(link, rating):
    from tests.factories import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    client = as_user(superuser)
    change = reverse("admin:evaluations_rating_change", args=[rating.pk])
    assert client.post(change, {"verdict": 3, "remark": "改"}).status_code == 403
    assert (
        client.post(
            reverse("admin:evaluations_rating_delete", args=[rating.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    rating.refresh_from_db()
    assert (rating.verdict, rating.remark) == (1, "态度差")


def test_appraisal_link_command_prints_the_current_link(tree, running, link):
    import io

    from django.conf import settings
    from django.core.management import call_command

    out = io.StringIO()
    call_command("appraisal_link", "A1", stdout=out)
    assert out.getvalue().strip() == f"{settings.SITE_URL}/public/appraise/{link.token}/"
