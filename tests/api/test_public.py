"""The public endpoints, as an anonymous caller: the appraisal by its token (read, rate once per
device, the same limits as the public pages), a unit's commitment board by its public id (only
what the page shows), and the API's limit on wrong tokens."""

import datetime

import pytest
from django.utils import timezone

from evaluations import commitment_services
from evaluations.models import Rating
from evaluations.services import appraisal_link, appraisal_link_rotate
from tests.evaluations.fulfilment_setup import CommitmentFactory, CommitmentSetFactory


def _appraisal(link) -> str:
    return f"/api/v1/public/appraisals/{link.token}/"


def test_read_then_rate_once(anonymous, link):
    read = anonymous.get(_appraisal(link))
    assert read.status_code == 200
    data = read.json()
    assert data["unit"] == link.unit.name
    assert data["is_open"] is True and data["has_rated"] is False
    assert set(data["verdicts"]) == {"1", "2", "3"}
    assert "id" not in data and "token" not in data
    rate = f"{_appraisal(link)}ratings/"
    answer = anonymous.post(rate, {"verdict": 3, "remark": "服务热情"}, format="json")
    assert answer.status_code == 201, answer.content
    rating = Rating.objects.get(unit=link.unit)
    assert (rating.verdict, rating.remark) == (3, "服务热情")
    again = anonymous.post(rate, {"verdict": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_rated"
    assert anonymous.get(_appraisal(link)).json()["has_rated"] is True
    assert Rating.objects.count() == 1


def test_a_rating_without_the_cookie_is_not_taken(anonymous, link):
    answer = anonymous.post(f"{_appraisal(link)}ratings/", {"verdict": 3}, format="json")
    assert answer.status_code == 422
    assert not Rating.objects.exists()


def test_bad_input_and_unknown_or_replaced_tokens(anonymous, link, tree, running, city_admin):
    anonymous.get(_appraisal(link))
    bad = anonymous.post(f"{_appraisal(link)}ratings/", {"verdict": 7}, format="json")
    assert bad.status_code == 400
    assert anonymous.get("/api/v1/public/appraisals/no-such-token/").status_code == 404
    appraisal_link_rotate(city_admin, tree.branch_a1, running)
    assert anonymous.get(_appraisal(link)).status_code == 404
    assert not Rating.objects.exists()


def test_a_closed_campaign_takes_no_rating(anonymous, link):
    campaign = link.campaign
    campaign.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.starts_on = campaign.ends_on - datetime.timedelta(days=30)
    campaign.save()
    assert anonymous.get(_appraisal(link)).json()["is_open"] is False
    answer = anonymous.post(f"{_appraisal(link)}ratings/", {"verdict": 3}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "appraisal_closed"


def test_a_token_sent_along_is_ignored(api, link, staff):
    client = api(staff)
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get(_appraisal(link)).status_code == 200


def test_the_public_pages_limit_applies(anonymous, link, settings):
    settings.PUBLIC_PAGE_RATE = "2/m"
    codes = [anonymous.get(_appraisal(link)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert anonymous.get("/api/v1/public/boards/x/").json()["code"] == "throttled"


def test_ratings_are_limited_per_address(anonymous, link, tree, running, settings):
    settings.APPRAISAL_RATE = "1/m"
    anonymous.get(_appraisal(link))
    first = anonymous.post(f"{_appraisal(link)}ratings/", {"verdict": 3}, format="json")
    assert first.status_code == 201
    # Another unit's link, from the same address.
    second_link = appraisal_link(tree.union_a2, running)
    anonymous.get(_appraisal(second_link))
    second = anonymous.post(f"{_appraisal(second_link)}ratings/", {"verdict": 3}, format="json")
    assert second.status_code == 429
    assert Rating.objects.count() == 1


def test_the_board_shows_approved_items_only(anonymous, tree, campaign):
    published = CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign)
    CommitmentFactory(set=published, promise="每月一次主题党日", measure="12 次")
    board = commitment_services.board_for(tree.branch_a1)
    answer = anonymous.get(f"/api/v1/public/boards/{board.public_id}/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["unit"] == tree.branch_a1.name
    [shown] = data["campaigns"]
    assert shown["campaign"] == campaign.name
    assert [item["promise"] for item in shown["items"]] == ["每月一次主题党日"]
    assert set(shown["items"][0]) == {
        "promise",
        "measure",
        "due_on",
        "standing",
        "fulfilled_on_time",
    }
    published.status = "draft"
    published.save()
    assert anonymous.get(f"/api/v1/public/boards/{board.public_id}/").json()["campaigns"] == []
    assert anonymous.get("/api/v1/public/boards/no-such-board/").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "appraisals/{}/"),
        ("post", "appraisals/{}/ratings/"),
        ("get", "boards/{}/"),
        ("get", "honours/{}/"),
        ("get", "honours/notices/{}/"),
        ("post", "honours/notices/{}/objections/"),
        ("get", "honours/objections/{}/"),
    ],
)
def test_a_hostile_public_id_is_a_404_not_a_500(db, anonymous, method, path):
    """A NUL byte (PostgreSQL refuses it in a query) or an id longer than any never reaches the
    database."""
    for hostile in ("a%00b", "x" * 5000):
        url = "/api/v1/public/" + path.format(hostile)
        sent = anonymous.post(url, {}, format="json") if method == "post" else anonymous.get(url)
        assert sent.status_code == 404


def test_a_wrong_tokens_401s_are_limited_per_address(api, db, settings):
    settings.API_ANON_RATE = "2/min"
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    codes = [client.get("/api/v1/units/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
