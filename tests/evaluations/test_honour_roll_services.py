"""The shortlist's notice (公示), objections and commendation (表彰), through the services."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from campaigns import deadlines
from evaluations import honour_roll_services as services
from evaluations.exceptions import (
    CommendationRefused,
    EvaluationError,
    NotAllowed,
    NoticeClosed,
    TransitionRefused,
)
from evaluations.models import (
    Application,
    ApplicationStatus,
    Honour,
    HonourObjection,
    HonourRound,
    Recommendation,
    RecommendationAction,
)
from tests.evaluations.conftest import new_client
from tests.evaluations.honour_roll_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_roll_fixtures import publish_in_past

pytestmark = pytest.mark.django_db


def _closed_on(honour_round, day: datetime.date) -> None:
    """Its applications closed on `day` (the fixture's window is relative to today)."""
    HonourRound.objects.filter(pk=honour_round.pk).update(
        opens_on=day - datetime.timedelta(days=20), closes_on=day
    )
    honour_round.refresh_from_db()


def test_publishing_opens_the_notice_for_its_working_days(city_admin, honour_round, shortlist):
    monday = timezone.make_aware(datetime.datetime(2026, 11, 30, 9, 0))
    _closed_on(honour_round, datetime.date(2026, 11, 27))
    services.shortlist_publish(actor=city_admin, honour_round=honour_round, at=monday)
    honour_round.refresh_from_db()
    assert honour_round.published_at == monday
    # Five working days from Monday: Friday, the same week.
    assert honour_round.publicity_ends_on == datetime.date(2026, 12, 4)
    assert honour_round.publicity_ends_on == deadlines.last_working_day(
        datetime.date(2026, 11, 30), 5
    )


def test_a_notice_opened_on_a_friday_runs_over_the_weekend(city_admin, honour_round, shortlist):
    friday = timezone.make_aware(datetime.datetime(2026, 12, 4, 15, 0))
    _closed_on(honour_round, datetime.date(2026, 12, 3))
    services.shortlist_publish(actor=city_admin, honour_round=honour_round, at=friday)
    honour_round.refresh_from_db()
    assert honour_round.publicity_ends_on == datetime.date(2026, 12, 10)


def test_it_refuses_to_publish_while_applications_are_open(
    client, city_admin, honour_round, shortlist
):
    closes_on = timezone.localdate() + datetime.timedelta(days=3)
    _closed_on(honour_round, closes_on)
    with pytest.raises(TransitionRefused, match=f"open until {closes_on.isoformat()}"):
        services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    client.force_login(city_admin)
    page = client.get(reverse("evaluations:honour_notice", args=[honour_round.pk]))
    assert b'data-testid="publish-after-applications"' in page.content
    assert b'data-testid="publish-shortlist"' not in page.content
    response = client.post(reverse("evaluations:honour_publish", args=[honour_round.pk]))
    assert response.status_code == 302
    assert "open until" in str(next(iter(get_messages(response.wsgi_request))))
    honour_round.refresh_from_db()
    assert honour_round.published_at is None
    # The day after the last day of applications (the campaign's local day), it publishes.
    day_after = timezone.make_aware(
        datetime.datetime.combine(closes_on + datetime.timedelta(days=1), datetime.time(0, 5))
    )
    services.shortlist_publish(actor=city_admin, honour_round=honour_round, at=day_after)
    honour_round.refresh_from_db()
    assert honour_round.published_at == day_after


def test_it_publishes_once_and_only_a_shortlist(city_admin, honour_round, pioneer):
    with pytest.raises(EvaluationError, match="Nothing is shortlisted"):
        services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    honour_round.refresh_from_db()
    assert honour_round.published_at is None


def test_it_refuses_a_second_publication(city_admin, honour_round, shortlist):
    services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    first = type(honour_round).objects.get(pk=honour_round.pk).published_at
    with pytest.raises(TransitionRefused):
        services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    honour_round.refresh_from_db()
    assert honour_round.published_at == first


def test_an_objection_during_the_notice_is_stored_as_text(city_admin, honour_round, shortlist):
    services.shortlist_publish(actor=city_admin, honour_round=honour_round)
    (union, _person), _others = shortlist
    objection = services.objection_send(
        application=union, text="  <b>材料不实</b>  ", name="", contact="139 0000 0000"
    )
    objection.refresh_from_db()
    assert objection.text == "<b>材料不实</b>" and objection.contact == "139 0000 0000"
    assert objection.application_id == union.pk and objection.answered_at is None


def test_objections_are_refused_after_the_period(honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    (union, _person), _others = shortlist
    with pytest.raises(NoticeClosed):
        services.objection_send(application=union, text="太晚了")
    assert not HonourObjection.objects.exists()


def test_objections_are_refused_before_publication_and_on_others(honour_round, shortlist):
    (union, _person), (draft, _waiting, _declined) = shortlist
    with pytest.raises(NoticeClosed):
        services.objection_send(application=union, text="尚未公示")
    publish_in_past(honour_round, days_ago=0)
    with pytest.raises(NoticeClosed):
        services.objection_send(application=draft, text="草稿")
    assert not HonourObjection.objects.exists()


def test_an_objection_is_capped_and_not_empty(honour_round, shortlist):
    publish_in_past(honour_round, days_ago=0)
    (union, _person), _others = shortlist
    with pytest.raises(EvaluationError, match="at most 2000"):
        services.objection_send(application=union, text="长" * 2001)
    with pytest.raises(EvaluationError, match="Write what you object to"):
        services.objection_send(application=union, text="   ")
    with pytest.raises(EvaluationError, match="contact may be at most 100"):
        services.objection_send(application=union, text="x", contact="1" * 101)
    assert not HonourObjection.objects.exists()


def test_an_objection_blocks_commendation_until_answered(
    city_admin, honour_round, shortlist, pioneer, party_member
):
    publish_in_past(honour_round, days_ago=0)
    (union, person), _others = shortlist
    first = services.objection_send(application=union, text="材料不实")
    second = services.objection_send(application=person, text="有待核实", name="王某")
    publish_in_past(honour_round, days_ago=20)  # the period passes
    today = timezone.localdate()

    with pytest.raises(CommendationRefused, match="2 objections are not answered"):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="阜党发〔2010〕1号",
            decided_on=today,
        )
    services.objection_answer(actor=city_admin, objection=first, answer="经核实，材料属实。")
    with pytest.raises(CommendationRefused, match="1 objection is not answered"):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="阜党发〔2010〕1号",
            decided_on=today,
        )
    assert not Honour.objects.exists()
    assert Application.objects.get(pk=union.pk).status == ApplicationStatus.SHORTLISTED

    services.objection_answer(actor=city_admin, objection=second, answer="不影响评选。")
    honours = services.round_commend(
        actor=city_admin,
        honour_round=honour_round,
        document_number="阜党发〔2010〕1号",
        decided_on=today,
    )

    assert len(honours) == 2 and Honour.objects.count() == 2
    union.refresh_from_db()
    person.refresh_from_db()
    assert union.status == person.status == ApplicationStatus.COMMENDED
    honour_round.refresh_from_db()
    assert honour_round.document_number == "阜党发〔2010〕1号"
    assert honour_round.decided_on == today and honour_round.decided_by == city_admin
    steps = Recommendation.objects.filter(action=RecommendationAction.COMMEND)
    assert sorted(steps.values_list("application_id", flat=True)) == sorted([union.pk, person.pk])
    assert {step.actor_id for step in steps} == {city_admin.pk}
    person_honour = Honour.objects.get(application=person)
    assert person_honour.name == "李秀英" and person_honour.unit_name == person.unit.name
    assert person_honour.category == party_member and person_honour.line == person.unit.line
    assert person_honour.summary == person.summary
    union_honour = Honour.objects.get(application=union)
    assert union_honour.name == union.unit.name
    # The 2010 campaign's round, commended later: its honours are 2010's on the roll...
    assert honour_round.campaign.starts_on.year == 2010 < today.year
    assert person_honour.year == union_honour.year == 2010
    # ...their certificates numbered in the decision's year, in the roll's order: the category
    # sorted first (pioneer) gets 0001.
    assert union_honour.number == f"{today.year}-0001"
    assert person_honour.number == f"{today.year}-0002"
    roll = new_client().get(reverse("public:honours"), {"year": "2010"}).content.decode()
    assert roll.count('data-testid="roll-entry"') == 2


def test_the_honour_keeps_what_was_commended(city_admin, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=20)
    (union, _person), _others = shortlist
    services.round_commend(
        actor=city_admin,
        honour_round=honour_round,
        document_number="阜党发〔2010〕2号",
        decided_on=timezone.localdate(),
    )
    union.unit.name = "改名后的工会"
    union.unit.save()
    Application.objects.filter(pk=union.pk).update(summary="改过的摘要")
    honour = Honour.objects.get(application=union)
    assert honour.unit_name == "机关工会" and honour.summary != "改过的摘要"


def test_commendation_is_refused_while_the_notice_runs(city_admin, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=0)
    with pytest.raises(CommendationRefused, match="notice period runs until"):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="阜党发〔2010〕3号",
            decided_on=timezone.localdate(),
        )
    assert not Honour.objects.exists()


def test_commendation_is_refused_before_publication_and_twice(city_admin, honour_round, shortlist):
    with pytest.raises(CommendationRefused, match="Publish the shortlist"):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="1号",
            decided_on=timezone.localdate(),
        )
    publish_in_past(honour_round, days_ago=20)
    services.round_commend(
        actor=city_admin,
        honour_round=honour_round,
        document_number="1号",
        decided_on=timezone.localdate(),
    )
    with pytest.raises(TransitionRefused):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="2号",
            decided_on=timezone.localdate(),
        )
    assert Honour.objects.count() == 2


def test_the_decision_is_dated_after_the_notice_and_not_in_the_future(
    city_admin, honour_round, shortlist
):
    publish_in_past(honour_round, days_ago=20)
    for day in (honour_round.publicity_ends_on, timezone.localdate() + datetime.timedelta(1)):
        with pytest.raises(EvaluationError):
            services.round_commend(
                actor=city_admin, honour_round=honour_round, document_number="1号", decided_on=day
            )
    with pytest.raises(EvaluationError, match="document number"):
        services.round_commend(
            actor=city_admin,
            honour_round=honour_round,
            document_number="  ",
            decided_on=timezone.localdate(),
        )
    assert not Honour.objects.exists()


def test_an_objection_is_answered_once(city_admin, honour_round, shortlist):
    publish_in_past(honour_round, days_ago=0)
    (union, _person), _others = shortlist
    objection = services.objection_send(application=union, text="材料不实")
    services.objection_answer(actor=city_admin, objection=objection, answer="已核实")
    with pytest.raises(TransitionRefused):
        services.objection_answer(actor=city_admin, objection=objection, answer="再答")
    objection.refresh_from_db()
    assert objection.answer == "已核实" and objection.answered_by == city_admin


@pytest.mark.parametrize("who", ["admin_user", "leader", "reviewer", "staff", "outsider"])
def test_only_the_organisers_admin_publishes_and_answers(request, who, honour_round, shortlist):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.shortlist_publish(actor=actor, honour_round=honour_round)
    publish_in_past(honour_round, days_ago=0)
    (union, _person), _others = shortlist
    objection = services.objection_send(application=union, text="材料不实")
    with pytest.raises(NotAllowed):
        services.objection_answer(actor=actor, objection=objection, answer="x")
    objection.refresh_from_db()
    assert objection.answered_at is None


def test_a_leader_of_the_organiser_commends_but_does_not_publish(
    city_leader, honour_round, shortlist
):
    with pytest.raises(NotAllowed):
        services.shortlist_publish(actor=city_leader, honour_round=honour_round)
    publish_in_past(honour_round, days_ago=20)
    honours = services.round_commend(
        actor=city_leader,
        honour_round=honour_round,
        document_number="阜党发〔2010〕5号",
        decided_on=timezone.localdate(),
    )
    assert len(honours) == 2


def test_certificate_numbers_continue_across_the_years_rounds(
    city_admin, honour_round, shortlist, campaign, pioneer, tree
):
    from tests.evaluations.honour_roll_fixtures import ApplicationFactory, HonourRoundFactory

    later = HonourRoundFactory(campaign=campaign, created_by=city_admin)
    ApplicationFactory(round=later, category=pioneer, unit=tree.branch_b1)
    today = timezone.localdate()
    for each in (honour_round, later):
        publish_in_past(each, days_ago=20)
        services.round_commend(
            actor=city_admin, honour_round=each, document_number="1号", decided_on=today
        )
    numbers = sorted(Honour.objects.values_list("number", flat=True))
    assert numbers == [f"{today.year}-{n:04d}" for n in (1, 2, 3)]
    assert Honour.objects.get(application__round=later).number == f"{today.year}-0003"


def test_what_was_shortlisted_after_the_notice_opened_is_not_commended(
    city_admin, honour_round, shortlist, pioneer, tree
):
    from tests.evaluations.honour_roll_fixtures import ApplicationFactory

    publish_in_past(honour_round, days_ago=20)
    late = ApplicationFactory(round=honour_round, category=pioneer, unit=tree.branch_b1)
    Recommendation(
        application=late,
        unit=tree.city,
        level=2,
        action=RecommendationAction.SHORTLIST,
        actor=city_admin,
    ).save()  # now: after the notice opened
    honours = services.round_commend(
        actor=city_admin,
        honour_round=honour_round,
        document_number="阜党发〔2010〕6号",
        decided_on=timezone.localdate(),
    )
    assert late.pk not in {honour.application_id for honour in honours} and len(honours) == 2
    late.refresh_from_db()
    assert late.status == ApplicationStatus.SHORTLISTED and not hasattr(late, "honour")
