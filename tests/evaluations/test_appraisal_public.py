"""The public appraisal page (issue 13 §3): anonymous, one rating per device per unit per campaign,
throttled per address across units, rotated links dead at once, remarks shown as text."""

import random

import pytest
from django.test import Client
from django.urls import reverse

from evaluations import selectors, services
from evaluations.models import AppraisalTally, Rating, Verdict
from evaluations.public_views import DEVICE_COOKIE
from tests.evaluations.conftest import new_address, new_client, new_ipv6_prefix
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(link) -> str:
    return reverse("public:appraise", args=[link.token])


def test_anyone_rates_a_unit_without_logging_in(client, link):
    page = client.get(url(link))
    assert page.status_code == 200
    assert "机关第一党支部" in page.content.decode()
    assert DEVICE_COOKIE in page.cookies

    response = client.post(url(link), {"verdict": Verdict.SATISFIED, "remark": "办事很快"})

    assert response.status_code == 302
    assert response["Location"] == reverse("public:appraise_thanks", args=[link.token])
    rating = Rating.objects.get()
    assert (rating.unit, rating.verdict, rating.remark) == (link.unit, 3, "办事很快")
    assert client.get(response["Location"]).status_code == 200


def test_a_second_rating_from_the_same_device_is_refused(client, link):
    client.get(url(link))
    assert client.post(url(link), {"verdict": Verdict.SATISFIED}).status_code == 302

    again = client.post(url(link), {"verdict": Verdict.DISSATISFIED})

    assert again.status_code == 409
    assert "already rated" in again.content.decode()
    assert client.get(url(link)).status_code == 200  # the page says so instead of the form
    assert "rating-form" not in client.get(url(link)).content.decode()
    assert Rating.objects.count() == 1


def test_the_same_device_may_rate_another_unit(client, tree, running, link):
    other = services.appraisal_link(tree.union_a2, running)
    client.get(url(link))
    assert client.post(url(link), {"verdict": Verdict.SATISFIED}).status_code == 302
    assert client.post(url(other), {"verdict": Verdict.DISSATISFIED}).status_code == 302
    assert Rating.objects.count() == 2


def test_a_rating_without_the_pages_device_cookie_is_not_taken(client, link):
    """Dropping the cookie must not make every POST a new phone: the form comes back, with the
    cookie set, and nothing is saved; the rating sent again with it is taken."""
    first = client.post(url(link), {"verdict": Verdict.SATISFIED, "remark": "好"})

    assert first.status_code == 400
    assert "Please send your rating again" in first.content.decode()
    assert not Rating.objects.exists()
    assert client.post(url(link), {"verdict": Verdict.SATISFIED}).status_code == 302
    assert Rating.objects.count() == 1


def test_a_forged_device_cookie_is_not_a_device(client, link):
    client.cookies[DEVICE_COOKIE] = "forged-without-signature"
    assert client.post(url(link), {"verdict": Verdict.SATISFIED}).status_code == 400
    assert client.cookies[DEVICE_COOKIE].value != "forged-without-signature"
    assert not Rating.objects.exists()


def test_behind_a_proxy_a_quote_in_the_header_does_not_escape_the_limit(settings, link):
    """nginx appends the real address; a client's `8.8.8.8, "` must not make it be skipped."""
    settings.PROXY_COUNT = 1
    settings.APPRAISAL_RATE = "2/m"
    real = new_address()
    codes = []
    for n in range(4):
        phone = Client(REMOTE_ADDR="10.255.0.1", HTTP_X_FORWARDED_FOR=f'8.8.{n}.8, ", {real}')
        phone.get(url(link))
        codes.append(phone.post(url(link), {"verdict": 3}).status_code)
    assert codes == [302, 302, 429, 429]


def test_an_ipv6_client_cannot_escape_the_limit_by_changing_address(settings, link):
    settings.APPRAISAL_RATE = "2/m"
    prefix = new_ipv6_prefix()
    codes = []
    for n in range(1, 5):
        phone = Client(REMOTE_ADDR=f"{prefix}::{n}")
        phone.get(url(link))
        codes.append(phone.post(url(link), {"verdict": 3}).status_code)
    assert codes == [302, 302, 429, 429]


def test_a_burst_from_one_address_is_throttled_across_units(settings, tree, running, link):
    settings.APPRAISAL_RATE = "3/m"
    address = new_address()
    other = services.appraisal_link(tree.union_a2, running)
    codes = []
    for n in range(5):
        device = Client(REMOTE_ADDR=address, headers={"accept-language": "zh-hans"})  # new phone
        target = url(link) if n % 2 else url(other)
        device.get(target)
        codes.append(device.post(target, {"verdict": Verdict.SATISFIED}).status_code)

    assert codes == [302, 302, 302, 429, 429]
    phone = Client(REMOTE_ADDR=address, headers={"accept-language": "zh-hans"})
    phone.get(url(link))
    refused = phone.post(url(link), {"verdict": 3})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "请稍后再试" in refused.content.decode()
    assert Rating.objects.count() == 3


def test_another_address_is_not_throttled(settings, link):
    settings.APPRAISAL_RATE = "1/m"
    first = Client(REMOTE_ADDR=new_address())
    second = Client(REMOTE_ADDR=new_address())
    first.get(url(link))
    second.get(url(link))
    assert first.post(url(link), {"verdict": 3}).status_code == 302
    assert first.post(url(link), {"verdict": 3}).status_code in {409, 429}
    assert second.post(url(link), {"verdict": 3}).status_code == 302


def test_a_rotated_link_stops_working_at_once(client, tree, running, link, admin_user):
    new = services.appraisal_link_rotate(admin_user, tree.branch_a1, running)

    assert client.get(url(link)).status_code == 404
    assert client.post(url(link), {"verdict": 3}).status_code == 404
    assert client.get(url(new)).status_code == 200


def test_an_old_poster_says_its_link_was_replaced(client, tree, running, link, admin_user):
    services.appraisal_link_rotate(admin_user, tree.branch_a1, running)
    for address in (url(link), reverse("public:appraise_thanks", args=[link.token])):
        page = client.get(address)
        assert page.status_code == 404
        assert "link-replaced" in page.content.decode()


def test_only_a_phone_that_has_rated_is_thanked(client, link):
    thanks = reverse("public:appraise_thanks", args=[link.token])
    assert client.get(thanks)["Location"] == url(link)
    client.get(url(link))
    assert client.get(thanks)["Location"] == url(link)  # opened the page, has not rated
    client.post(url(link), {"verdict": 3})
    assert client.get(thanks).status_code == 200


def test_an_unknown_or_hostile_token_is_a_404(client, link):
    for token in ("x", link.token[:-1], "' OR 1=1 --", "a" * 500):
        assert client.get(reverse("public:appraise", args=[token])).status_code == 404


def test_remarks_with_html_show_as_text(client, link, leader):
    client.get(url(link))
    client.post(url(link), {"verdict": 1, "remark": '<script>alert("x")</script><b>差</b>'})
    leader_client = new_client()
    leader_client.force_login(leader)

    page = leader_client.get(reverse("evaluations:appraisal", args=[link.unit.pk])).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;差&lt;/b&gt;" in page


def test_bad_input_is_a_400_with_a_message_and_nothing_saved(client, link):
    client.get(url(link))
    no_choice = client.post(url(link), {"remark": "好"})
    assert no_choice.status_code == 400
    assert "Choose one of the three answers." in no_choice.content.decode()
    too_long = client.post(url(link), {"verdict": 3, "remark": "长" * 301})
    assert too_long.status_code == 400
    assert client.post(url(link), {"verdict": 9}).status_code == 400
    assert not Rating.objects.exists()


def test_a_finished_campaign_takes_no_rating(client, tree, campaign):
    finished = services.appraisal_link(tree.branch_a1, campaign)  # 2010: long over
    page = client.get(url(finished))
    assert page.status_code == 200
    assert "appraisal-closed" in page.content.decode()
    leader = UserFactory()
    MembershipFactory(user=leader, unit=tree.city, role="leader")
    leader_page = new_client()
    leader_page.force_login(leader)
    figures = leader_page.get(
        reverse("evaluations:appraisal", args=[tree.branch_a1.pk]), {"campaign": campaign.pk}
    )
    assert "appraisal-not-running" in figures.content.decode()
    client.post(url(finished), {"verdict": 3})
    assert not Rating.objects.exists()


def test_the_public_page_shows_nothing_but_the_unit_and_the_form(client, link):
    Rating.objects.create(
        link=link, unit=link.unit, campaign=link.campaign, verdict=1, remark="秘密意见", device="d"
    )
    page = client.get(url(link)).content.decode()
    assert "秘密意见" not in page
    assert link.campaign.name in page
    assert "0%" not in page and "satisfaction" not in page.lower()


def test_the_figures_equal_a_direct_count_after_random_ratings(tree, running, leader):
    rng = random.Random(13)
    links = [
        services.appraisal_link(unit, running)
        for unit in (tree.branch_a1, tree.union_a2, tree.committee_a, tree.branch_b1)
    ]
    for n in range(120):
        services.rating_submit(rng.choice(links), rng.choice(Verdict.values), "", f"device-{n}")

    for unit in (tree.city, tree.committee_a, tree.branch_a1, tree.committee_b):
        figures = selectors.subtree_figures(unit, running)
        ratings = Rating.objects.filter(campaign=running, unit__path__startswith=unit.path)
        assert figures.ratings == ratings.count()
        good = ratings.filter(verdict__in=[2, 3]).count()
        assert figures.satisfaction_rate == (
            round(100 * good / ratings.count()) if ratings.exists() else None
        )
        assert figures.satisfied == ratings.filter(verdict=3).count()
        assert (
            sum(month.ratings for _month, month in selectors.monthly_trend(unit, running))
            == ratings.count()
        )
    assert (
        sum(
            t.satisfied + t.basically_satisfied + t.dissatisfied
            for t in AppraisalTally.objects.all()
        )
        == 120
    )
