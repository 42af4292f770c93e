"""The public honours pages: the shortlist's notice (公示) with its objection form, the honour
roll, an honour and its certificate. Anonymous; nothing but what is meant for the public (no
draft, waiting or declined application, no e-mail, no objector's contact, no database id);
every input hostile; a burst from one address is a 429 in the visitor's language."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations import honour_roll_selectors as selectors
from evaluations import honour_roll_services as services
from evaluations.models import Honour, HonourObjection
from tests.evaluations.conftest import new_address, new_client
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import (
    ApplicationFactory,
    HonourRoundFactory,
    publish_in_past,
)

pytestmark = pytest.mark.django_db


def notice_url(honour_round) -> str:
    return reverse("public:honour_notice", args=[honour_round.public_id])


def ref_of(application, honour_round) -> str:
    return selectors.application_ref(application, honour_round)


def assert_nothing_private(page: str, shortlist, *users) -> None:
    _listed, others = shortlist
    for application in others:
        assert application.summary not in page and application.person_name not in page
    assert "@" not in page  # no e-mail address anywhere
    for user in users:
        assert user.username not in page and user.name not in page
    for application in [*shortlist[0], *others]:
        assert f"/{application.pk}/" not in page and f'value="{application.pk}"' not in page


# --- The notice ---------------------------------------------------------------------------------


def test_the_notice_shows_the_shortlist_only(published, shortlist, staff, city_admin):
    response = new_client("zh-hans").get(notice_url(published))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="notice-entry"') == 2
    union, person = shortlist[0]
    assert union.summary in page and person.summary in page and "李秀英" in page
    assert "工人先锋号" in page and union.unit.name in page and person.unit.name in page
    assert person.person_post not in page and person.case not in page  # only the summary
    assert_nothing_private(page, shortlist, staff, city_admin)
    assert 'data-testid="objection-form"' in page


def test_an_unpublished_or_unknown_round_is_a_404(honour_round, shortlist):
    assert new_client().get(notice_url(honour_round)).status_code == 404
    assert new_client().get(reverse("public:honour_notice", args=["x" * 5000])).status_code == 404


def test_anyone_objects_anonymously(published, shortlist):
    union = shortlist[0][0]
    client = new_client()
    client.get(notice_url(published))
    response = client.post(
        notice_url(published), {"nominee": ref_of(union, published), "text": "材料不实"}
    )
    assert response.status_code == 302
    objection = HonourObjection.objects.get()
    own = reverse("public:honour_objection", args=[objection.public_id])
    assert response.url == f"{own}?sent=1"
    assert objection.application == union and objection.name == "" and objection.contact == ""
    page = client.get(response.url).content.decode()
    assert 'data-testid="objection-sent"' in page and own in page  # the link to keep


def test_the_objector_reads_the_answer_at_their_own_link(
    settings, published, shortlist, city_admin
):
    union, person = shortlist[0]
    objection = services.objection_send(
        application=union, text="材料不实", name="张三", contact="zhangsan@example.com"
    )
    other = services.objection_send(application=person, text="另一条异议")
    url = reverse("public:honour_objection", args=[objection.public_id])
    page = new_client("zh-hans").get(url).content.decode()
    assert 'data-testid="objection-waiting"' in page and "材料不实" in page
    assert union.unit.name in page and "工人先锋号" in page
    services.objection_answer(actor=city_admin, objection=objection, answer="经核实，材料属实。")
    page = new_client("zh-hans").get(url).content.decode()
    assert "经核实，材料属实。" in page and 'data-testid="objection-waiting"' not in page
    # Nothing else private: not who sent it, nor another objection, nor the organisers.
    for private in ("张三", "zhangsan", other.text, other.public_id, city_admin.username):
        assert private not in page
    assert_nothing_private(page, shortlist, city_admin)
    for unknown in (published.public_id, "x" * 5000, objection.public_id[:-1] + "%00"):
        assert (
            new_client().get(reverse("public:honour_objection", args=[unknown])).status_code == 404
        )
    settings.PUBLIC_PAGE_RATE = "2/m"
    address = new_address()
    codes = [Client(REMOTE_ADDR=address).get(url).status_code for _n in range(3)]
    assert codes == [200, 200, 429]


def test_the_objectors_contact_is_never_public(published, shortlist):
    union = shortlist[0][0]
    services.objection_send(
        application=union, text="秘密内容", name="张三", contact="zhangsan@example.com"
    )
    page = new_client().get(notice_url(published)).content.decode()
    assert "zhangsan" not in page and "张三" not in page and "秘密内容" not in page


@pytest.mark.parametrize(
    "data",
    [
        {"nominee": "", "text": "x"},
        {"nominee": "0" * 20, "text": "x"},
        {"nominee": "1", "text": "x"},
        {"nominee": "' OR 1=1 --", "text": "x"},
        {"text": "x"},
        {"nominee": "REF", "text": ""},
        {"nominee": "REF", "text": "长" * 2001},
        {"nominee": "REF", "text": "nul\x00byte"},
        {"nominee": "REF", "text": "x", "name": "名" * 51},
        {"nominee": "REF", "text": "x", "contact": "1" * 101},
    ],
)
def test_hostile_objections_are_a_400_and_store_nothing(published, shortlist, data):
    union = shortlist[0][0]
    data = {k: ref_of(union, published) if v == "REF" else v for k, v in data.items()}
    response = new_client().post(notice_url(published), data)
    assert response.status_code == 400
    assert 'class="public-error"' in response.content.decode()
    assert not HonourObjection.objects.exists()


def test_a_nominee_of_another_round_or_not_shortlisted_is_refused(
    published, shortlist, campaign, city_admin, pioneer, tree
):
    draft = shortlist[1][0]
    other_round = HonourRoundFactory(campaign=campaign, created_by=city_admin)
    foreign = ApplicationFactory(round=other_round, category=pioneer, unit=tree.union_a2)
    for application in (draft, foreign):
        for ref in (ref_of(application, published), ref_of(application, other_round)):
            response = new_client().post(notice_url(published), {"nominee": ref, "text": "x"})
            assert response.status_code == 400
    assert not HonourObjection.objects.exists()


def test_script_in_an_objection_is_shown_escaped_to_the_admin(published, shortlist, city_admin):
    union = shortlist[0][0]
    new_client().post(
        notice_url(published),
        {"nominee": ref_of(union, published), "text": "<script>alert(1)</script>", "name": "<i>x"},
    )
    client = new_client()
    client.force_login(city_admin)
    page = client.get(reverse("evaluations:honour_notice", args=[published.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;i&gt;x" in page


def test_after_the_period_an_objection_is_refused_with_a_message(honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    union = shortlist[0][0]
    client = new_client("zh-hans")
    page = client.get(notice_url(honour_round)).content.decode()
    assert 'data-testid="objection-form"' not in page and 'data-testid="notice-closed"' in page
    response = client.post(
        notice_url(honour_round), {"nominee": ref_of(union, honour_round), "text": "太晚了"}
    )
    assert response.status_code == 409
    assert "公示期已结束" in response.content.decode()
    assert not HonourObjection.objects.exists()


def test_a_burst_of_objections_from_one_address_is_a_429_in_chinese(settings, published, shortlist):
    settings.HONOUR_OBJECTION_RATE = "2/m"
    union = shortlist[0][0]
    address = new_address()
    codes = []
    for n in range(4):
        client = Client(REMOTE_ADDR=address, headers={"accept-language": "zh-hans"})
        response = client.post(
            notice_url(published), {"nominee": ref_of(union, published), "text": f"第{n}条"}
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 429, 429]
    assert HonourObjection.objects.count() == 2
    assert "请稍后再试" in response.content.decode() and response["Retry-After"] == "60"


@pytest.mark.parametrize(
    "name", ["public:honours", "public:honour_notice", "public:honour", "public:honour_certificate"]
)
def test_a_burst_of_pages_from_one_address_is_a_429(settings, name, published, commended):
    settings.PUBLIC_PAGE_RATE = "2/m"
    args = {
        "public:honours": [],
        "public:honour_notice": [published.public_id],
        "public:honour": [commended[0].public_id],
        "public:honour_certificate": [commended[0].public_id],
    }[name]
    url = reverse(name, args=args)
    address = new_address()
    codes = [
        Client(REMOTE_ADDR=address, headers={"accept-language": "en"}).get(url).status_code
        for _n in range(3)
    ]
    assert codes == [200, 200, 429]


# --- The honour roll ----------------------------------------------------------------------------


def test_the_roll_shows_only_commended_entries(commended, shortlist, staff, city_admin):
    # A shortlist of another round, published but not decided, is not on the roll either.
    response = new_client("zh-hans").get(reverse("public:honours"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="roll-entry"') == 2
    for honour in commended:
        assert honour.summary in page and honour.name in page
        assert reverse("public:honour", args=[honour.public_id]) in page
    assert_nothing_private(page, shortlist, staff, city_admin)


def test_the_roll_leaves_out_a_shortlist_not_commended(published, shortlist):
    page = new_client().get(reverse("public:honours")).content.decode()
    assert 'data-testid="roll-entry"' not in page and 'data-testid="roll-empty"' in page
    assert shortlist[0][0].summary not in page


def test_the_roll_filters_by_year_category_and_line(commended, pioneer, party_member):
    year = commended[0].year
    client = new_client()

    def entries(**params):
        page = client.get(reverse("public:honours"), params).content.decode()
        return page.count('data-testid="roll-entry"')

    assert entries(year=year) == 2 and entries(year=year - 1) == 0
    assert entries(category=pioneer.code) == 1 and entries(category=party_member.code) == 1
    assert entries(line="union") == 1 and entries(line="party") == 1 and entries(line="women") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"year": "abc"},
        {"year": "9" * 400},
        {"year": "-1"},
        {"year": "２０１０"},
        {"category": "<script>alert(1)</script>"},
        {"category": "x" * 5000},
        {"line": "party' OR 1=1 --"},
        {"page": "9" * 400},
        {"page": "-5"},
        {"year": ["2010", "2011"]},
        {"category": "\x00"},
    ],
)
def test_hostile_roll_parameters_are_no_filter_never_an_error(commended, params):
    response = new_client().get(reverse("public:honours"), params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_roll_queries_stay_constant(
    django_assert_max_num_queries, commended, honour_round, pioneer, tree
):
    client = new_client()
    client.get(reverse("public:honours"))
    for n in range(10):
        application = ApplicationFactory(round=honour_round, category=pioneer, unit=tree.union_a2)
        Honour.objects.create(
            application=application,
            category=pioneer,
            year=commended[0].year,
            line="union",
            name=f"额外{n}",
            unit_name="机关工会",
            summary="摘要",
            document_number="1号",
            conferred_on=timezone.localdate(),
            number=f"X-{n}",
        )
    with django_assert_max_num_queries(8):
        page = client.get(reverse("public:honours")).content.decode()
    assert page.count('data-testid="roll-entry"') == 12


def test_an_honour_and_its_certificate(commended, staff):
    honour = commended[0]
    client = new_client("zh-hans")
    page = client.get(reverse("public:honour", args=[honour.public_id])).content.decode()
    assert honour.name in page and honour.summary in page and honour.number in page
    assert "阜党发〔2010〕8号" in page and "@" not in page
    certificate = client.get(reverse("public:honour_certificate", args=[honour.public_id]))
    text = certificate.content.decode()
    assert certificate.status_code == 200
    assert honour.name in text and honour.category.name in text and honour.number in text
    assert "荣誉证书" in text and "certificate.css" in text
    scripts = re.findall(r"<script[^>]*>", text)
    assert scripts == ['<script src="/static/js/print.js" defer>'], "only the print button's file"


def test_an_unknown_honour_is_a_404(commended):
    client = new_client()
    for name in ("public:honour", "public:honour_certificate"):
        assert client.get(reverse(name, args=["no-such-honour"])).status_code == 404
        assert client.get(reverse(name, args=["x" * 3000])).status_code == 404


def test_the_notice_queries_stay_constant(
    django_assert_max_num_queries, published, shortlist, pioneer, tree
):
    client = new_client()
    url = notice_url(published)
    client.get(url)
    with django_assert_max_num_queries(6) as few:
        client.get(url)
    for _n in range(8):
        ApplicationFactory(round=published, category=pioneer, unit=tree.union_a2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="notice-entry"') == 10
