"""The public honours endpoints, as an anonymous caller: the honour roll (filters, one honour),
a round's shortlist notice and the objection anyone may send to it — only what the pages show
(no draft, waiting or declined application, no contact, no database id), the pages' limits."""

import pytest

from evaluations import honour_roll_services as services
from evaluations.models import HonourObjection
from tests.evaluations.conftest import new_address
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import publish_in_past

pytestmark = pytest.mark.django_db


def _notice(honour_round) -> str:
    return f"/api/v1/public/honours/notices/{honour_round.public_id}/"


def test_the_notice_shows_the_shortlist_and_takes_an_objection(anonymous, published, shortlist):
    read = anonymous.get(_notice(published))
    assert read.status_code == 200
    data = read.json()
    assert data["is_open"] is True
    assert sorted(n["nominee"] for n in data["nominees"]) == sorted(a.nominee for a in shortlist[0])
    text = read.content.decode()
    for application in shortlist[1]:  # draft, waiting, declined: never public
        assert application.summary not in text and application.person_name not in text
    assert '"id"' not in text and "@" not in text
    ref = data["nominees"][0]["ref"]
    body = {"nominee": ref, "text": "事迹不实", "contact": "13800000000"}
    sent = anonymous.post(f"{_notice(published)}objections/", body, format="json")
    assert sent.status_code == 201, sent.content
    assert HonourObjection.objects.get().contact == "13800000000"
    assert "13800000000" not in anonymous.get(_notice(published)).content.decode()
    unknown = anonymous.post(
        f"{_notice(published)}objections/", {"nominee": "x" * 20, "text": "t"}, format="json"
    )
    assert unknown.status_code == 422 and "nominee" in unknown.json()["fields"]
    assert (
        anonymous.post(f"{_notice(published)}objections/", {"text": 3}, format="json").status_code
        == 400
    )
    assert HonourObjection.objects.count() == 1


def test_the_objector_reads_the_answer_under_the_id_it_was_given(
    settings, api, anonymous, published, city_admin
):
    ref = anonymous.get(_notice(published)).json()["nominees"][0]["ref"]
    body = {"nominee": ref, "text": "事迹不实", "name": "张三", "contact": "13800000000"}
    sent = anonymous.post(f"{_notice(published)}objections/", body, format="json").json()
    objection = HonourObjection.objects.get()
    assert sent["public_id"] == objection.public_id
    assert sent["page"].endswith(f"/public/honours/objections/{objection.public_id}/")
    own = f"/api/v1/public/honours/objections/{objection.public_id}/"
    read = anonymous.get(own).json()
    assert (read["text"], read["answered"], read["answer"]) == ("事迹不实", False, "")
    assert read["nominee"] == objection.application.nominee
    services.objection_answer(actor=city_admin, objection=objection, answer="经核实，材料属实。")
    read = anonymous.get(own)
    assert (read.json()["answered"], read.json()["answer"]) == (True, "经核实，材料属实。")
    text = read.content.decode()
    assert "张三" not in text and "13800000000" not in text and '"id"' not in text
    for unknown in (published.public_id, "a%00b", "x" * 5000):
        assert anonymous.get(f"/api/v1/public/honours/objections/{unknown}/").status_code == 404
    settings.PUBLIC_PAGE_RATE = "2/m"  # limited like the page
    other = api()
    other.defaults["REMOTE_ADDR"] = new_address()
    assert [other.get(own).status_code for _n in range(3)] == [200, 200, 429]


def test_after_the_period_or_before_publication(anonymous, honour_round, shortlist):
    assert anonymous.get(_notice(honour_round)).status_code == 404  # not published
    publish_in_past(honour_round, days_ago=20)
    ref = anonymous.get(_notice(honour_round)).json()["nominees"][0]["ref"]
    late = anonymous.post(
        f"{_notice(honour_round)}objections/", {"nominee": ref, "text": "晚了"}, format="json"
    )
    assert late.status_code == 409 and late.json()["code"] == "notice_closed"
    assert not HonourObjection.objects.exists()


def test_objections_are_limited_per_address_like_the_page(settings, anonymous, published):
    settings.HONOUR_OBJECTION_RATE = "2/m"
    ref = anonymous.get(_notice(published)).json()["nominees"][0]["ref"]
    codes = [
        anonymous.post(
            f"{_notice(published)}objections/", {"nominee": ref, "text": f"第{n}条"}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert HonourObjection.objects.count() == 2


def test_the_roll_and_one_honour(anonymous, commended, pioneer):
    roll = anonymous.get("/api/v1/public/honours/")
    assert roll.status_code == 200
    assert roll.json()["count"] == 2
    first = commended[0]
    only = anonymous.get("/api/v1/public/honours/", {"category": pioneer.code}).json()
    assert [h["category_code"] for h in only["results"]] == [pioneer.code]
    assert anonymous.get("/api/v1/public/honours/", {"year": 1900}).json()["count"] == 0
    assert anonymous.get("/api/v1/public/honours/", {"line": "nope"}).status_code == 400
    one = anonymous.get(f"/api/v1/public/honours/{first.public_id}/")
    assert one.status_code == 200 and one.json()["number"] == first.number
    assert anonymous.get("/api/v1/public/honours/no-such-honour/").status_code == 404
