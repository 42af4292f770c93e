"""Who may publish the shortlist, answer objections and commend, through the pages: the
organising unit's admin (all three), its leader (commend only; sees the page), anyone else
signed in a 404 (the round is not theirs), anonymous the login page. Nothing changes on a
refusal."""

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations import honour_roll_services as services
from evaluations.models import ApplicationStatus, Honour, HonourObjection
from tests.evaluations.conftest import new_client
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import publish_in_past

pytestmark = pytest.mark.django_db

OTHERS = ["admin_user", "leader", "reviewer", "staff", "outsider"]


def signed_in(user):
    client = new_client()
    client.force_login(user)
    return client


@pytest.fixture
def objection(honour_round, shortlist):
    publish_in_past(honour_round, days_ago=0)
    return services.objection_send(application=shortlist[0][0], text="材料不实", contact="a@b.cn")


def _commend_data():
    return {"document_number": "阜党发〔2010〕9号", "decided_on": timezone.localdate().isoformat()}


# --- publish -----------------------------------------------------------------------------------


def test_the_organisers_admin_publishes(city_admin, honour_round, shortlist):
    response = signed_in(city_admin).post(
        reverse("evaluations:honour_publish", args=[honour_round.pk]), follow=True
    )
    assert response.status_code == 200
    assert "The shortlist is published" in response.content.decode()
    honour_round.refresh_from_db()
    assert honour_round.published_at is not None and honour_round.publicity_ends_on is not None


def test_the_organisers_leader_may_not_publish(city_leader, honour_round, shortlist):
    url = reverse("evaluations:honour_publish", args=[honour_round.pk])
    assert signed_in(city_leader).post(url).status_code == 403
    honour_round.refresh_from_db()
    assert honour_round.published_at is None


@pytest.mark.parametrize("who", OTHERS)
def test_others_do_not_find_the_round(request, who, honour_round, shortlist):
    client = signed_in(request.getfixturevalue(who))
    for name in ("honour_publish", "honour_commend"):
        assert (
            client.post(reverse(f"evaluations:{name}", args=[honour_round.pk])).status_code == 404
        )
    assert (
        client.get(reverse("evaluations:honour_notice", args=[honour_round.pk])).status_code == 404
    )
    honour_round.refresh_from_db()
    assert honour_round.published_at is None and honour_round.decided_on is None
    page = client.get(reverse("evaluations:honour_notices")).content.decode()
    assert honour_round.title not in page


def test_anonymous_are_sent_to_log_in(honour_round, objection):
    client = new_client()
    login = reverse("accounts:login")
    for url in (
        reverse("evaluations:honour_notices"),
        reverse("evaluations:honour_notice", args=[honour_round.pk]),
    ):
        assert client.get(url).url.startswith(login)
    for url in (
        reverse("evaluations:honour_publish", args=[honour_round.pk]),
        reverse("evaluations:honour_commend", args=[honour_round.pk]),
        reverse("evaluations:honour_answer", args=[objection.pk]),
    ):
        response = client.post(url, {"answer": "x", **_commend_data()})
        assert response.status_code == 302 and response.url.startswith(login)
    objection.refresh_from_db()
    assert objection.answered_at is None and not Honour.objects.exists()


# --- answer ------------------------------------------------------------------------------------


def test_the_organisers_admin_answers_and_sees_the_contact(city_admin, honour_round, objection):
    client = signed_in(city_admin)
    page = client.get(reverse("evaluations:honour_notice", args=[honour_round.pk])).content.decode()
    assert "a@b.cn" in page and 'data-testid="answer-form"' in page
    response = client.post(
        reverse("evaluations:honour_answer", args=[objection.pk]),
        {"answer": "<b>经核实</b>"},
        follow=True,
    )
    assert response.status_code == 200
    objection.refresh_from_db()
    assert objection.answer == "<b>经核实</b>" and objection.answered_by == city_admin
    assert "&lt;b&gt;经核实&lt;/b&gt;" in response.content.decode()


def test_the_organisers_leader_may_not_answer(city_leader, objection):
    url = reverse("evaluations:honour_answer", args=[objection.pk])
    assert signed_in(city_leader).post(url, {"answer": "x"}).status_code == 403
    objection.refresh_from_db()
    assert objection.answered_at is None


@pytest.mark.parametrize("who", OTHERS)
def test_others_may_not_answer(request, who, objection):
    client = signed_in(request.getfixturevalue(who))
    url = reverse("evaluations:honour_answer", args=[objection.pk])
    assert client.post(url, {"answer": "x"}).status_code == 404
    objection.refresh_from_db()
    assert objection.answered_at is None


def test_an_empty_answer_is_refused_with_a_message(city_admin, objection):
    response = signed_in(city_admin).post(
        reverse("evaluations:honour_answer", args=[objection.pk]), {"answer": " "}, follow=True
    )
    assert "Write the answer." in response.content.decode()
    objection.refresh_from_db()
    assert objection.answered_at is None


# --- commend -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["city_admin", "city_leader"])
def test_the_organisers_admin_or_leader_commends(request, who, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    actor = request.getfixturevalue(who)
    response = signed_in(actor).post(
        reverse("evaluations:honour_commend", args=[honour_round.pk]), _commend_data(), follow=True
    )
    assert response.status_code == 200
    assert "2 honours are conferred" in response.content.decode()
    honour_round.refresh_from_db()
    assert honour_round.decided_by == actor
    assert Honour.objects.count() == 2


def test_commending_with_an_objection_unanswered_says_how_many(city_admin, honour_round, objection):
    publish_in_past(honour_round, days_ago=20)
    response = signed_in(city_admin).post(
        reverse("evaluations:honour_commend", args=[honour_round.pk]), _commend_data()
    )
    assert response.status_code == 400
    assert "1 objection is not answered yet" in response.content.decode()
    assert not Honour.objects.exists()
    assert objection.application.status == ApplicationStatus.SHORTLISTED


def test_commending_during_the_notice_is_refused_with_a_message(
    city_admin, honour_round, shortlist
):
    publish_in_past(honour_round, days_ago=0)
    response = signed_in(city_admin).post(
        reverse("evaluations:honour_commend", args=[honour_round.pk]), _commend_data()
    )
    assert response.status_code == 400 and "notice period runs until" in response.content.decode()
    assert not Honour.objects.exists()


def test_a_bad_date_is_a_form_error(city_admin, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    response = signed_in(city_admin).post(
        reverse("evaluations:honour_commend", args=[honour_round.pk]),
        {"document_number": "1号", "decided_on": "2010-13-45"},
    )
    assert response.status_code == 400 and not Honour.objects.exists()


def test_the_organisers_list_counts_objections(city_admin, honour_round, objection):
    page = signed_in(city_admin).get(reverse("evaluations:honour_notices")).content.decode()
    assert honour_round.title in page and HonourObjection.objects.count() == 1
    assert 'badge text-bg-warning">1<' in page


def test_the_organisers_pages_query_counts_stay_constant(
    django_assert_max_num_queries, city_admin, campaign, honour_round, shortlist, pioneer, tree
):
    from tests.evaluations.honour_roll_fixtures import ApplicationFactory, HonourRoundFactory

    client = signed_in(city_admin)
    publish_in_past(honour_round, days_ago=0)
    services.objection_send(application=shortlist[0][0], text="一")
    list_url = reverse("evaluations:honour_notices")
    notice_url = reverse("evaluations:honour_notice", args=[honour_round.pk])
    client.get(list_url)
    client.get(notice_url)
    with django_assert_max_num_queries(12) as few_list:
        client.get(list_url)
    with django_assert_max_num_queries(16) as few_notice:
        client.get(notice_url)
    for _n in range(5):
        other = HonourRoundFactory(campaign=campaign, created_by=city_admin)
        ApplicationFactory(round=other, category=pioneer, unit=tree.union_a2)
        application = ApplicationFactory(round=honour_round, category=pioneer, unit=tree.union_a2)
        services.objection_send(application=application, text="二", contact="x")
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        page = client.get(list_url).content.decode()
    assert page.count('data-testid="honour-round-link"') == 6
    with django_assert_max_num_queries(len(few_notice.captured_queries)):
        page = client.get(notice_url).content.decode()
    assert page.count('data-testid="objection"') == 6
    assert page.count('data-testid="shortlist-row"') == 7


def test_the_organisers_leader_reads_objections_without_contacts(city_leader, objection):
    client = signed_in(city_leader)
    page = client.get(
        reverse("evaluations:honour_notice", args=[objection.application.round_id])
    ).content.decode()
    assert "材料不实" in page and "a@b.cn" not in page
    assert 'data-testid="answer-form"' not in page
