"""Honours, first half, through the services: rounds and quotas, applications within the window,
recommendation level by level within each level's quota, and every step a Recommendation row."""

import datetime

import pytest
from django.utils import timezone

from evaluations import honour_selectors as selectors
from evaluations import honour_services as services
from evaluations.exceptions import NotAllowed, TransitionRefused
from evaluations.models import (
    Application,
    ApplicationStatus,
    HonourKind,
    HonourRound,
    Quota,
    Recommendation,
    RecommendationAction,
)
from tests.conftest import _member
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_fixtures import apply
from tests.factories import MembershipFactory
from units.models import Role, UnitKind
from units.services import unit_move

pytestmark = pytest.mark.django_db


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def actions(application) -> list[str]:
    return list(
        Recommendation.objects.filter(application=application)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


# --- Categories --------------------------------------------------------------------------------


def test_the_categories_are_seeded_with_their_lines_and_kinds(categories):
    assert {"先进基层党组织", "工人先锋号", "青年文明号", "巾帼文明岗", "五好文明家庭"} <= {
        c.name for c in categories.values() if c.kind == HonourKind.COLLECTIVE
    }
    assert {
        "优秀共产党员",
        "优秀党务工作者",
        "金牌工人",
        "创新能手",
        "优秀团员",
        "巾帼建功标兵",
    } <= {c.name for c in categories.values() if c.kind == HonourKind.INDIVIDUAL}
    pioneer = categories["workers_pioneer"]
    assert pioneer.lines == ["union"] and pioneer.unit_kinds == [UnitKind.TRADE_UNION]
    assert categories["youth_civilisation"].lines == ["league"]
    assert all(c.description for c in categories.values())  # the English rendering


def test_a_unit_applies_only_for_the_categories_of_its_line_and_kind(tree, categories):
    union = {c.code for c in selectors.categories_for(tree.union_a2)}
    branch = {c.code for c in selectors.categories_for(tree.branch_a1)}
    assert "workers_pioneer" in union and "gold_medal_worker" in union
    assert "advanced_party_org" not in union
    assert "advanced_party_org" in branch and "workers_pioneer" not in branch


# --- Rounds and quotas -------------------------------------------------------------------------


def test_only_an_admin_of_the_organising_unit_creates_a_round(honour_running, admin_user, staff):
    today = timezone.localdate()
    for who in (admin_user, staff):  # committee_a's admin is below the city that runs it
        with pytest.raises(NotAllowed):
            services.round_create(
                who,
                campaign=honour_running,
                title="x",
                opens_on=today,
                closes_on=today,
                publicity_days=5,
            )
    assert not honour_running.honour_rounds.exists()


def test_a_round_closes_after_it_opens(honour_running, city_admin):
    today = timezone.localdate()
    with pytest.raises(services.HonourRefused):
        services.round_create(
            city_admin,
            campaign=honour_running,
            title="评选",
            opens_on=today,
            closes_on=today - datetime.timedelta(days=1),
            publicity_days=5,
        )


def test_the_quota_of_a_unit_is_its_own_row_else_its_kind_else_any(
    honour_round, city_admin, tree, pioneer
):
    assert selectors.quota_for(honour_round, pioneer, tree.committee_a) is None
    services.quota_set(city_admin, honour_round, category=pioneer, count=5)
    assert selectors.quota_for(honour_round, pioneer, tree.committee_a) == 5
    services.quota_set(
        city_admin,
        honour_round,
        category=pioneer,
        unit_kind=UnitKind.PARTY_WORKING_COMMITTEE,
        count=2,
    )
    assert selectors.quota_for(honour_round, pioneer, tree.committee_a) == 2
    assert selectors.quota_for(honour_round, pioneer, tree.committee_b) == 5  # another kind
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.committee_a, count=1)
    assert selectors.quota_for(honour_round, pioneer, tree.committee_a) == 1
    # Setting the same again changes the row, it does not add one.
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.committee_a, count=3)
    assert Quota.objects.filter(round=honour_round).count() == 3
    assert selectors.quota_for(honour_round, pioneer, tree.committee_a) == 3


def test_a_quota_is_set_by_the_organisers_admin_only(honour_round, admin_user, pioneer):
    with pytest.raises(NotAllowed):
        services.quota_set(admin_user, honour_round, category=pioneer, count=1)
    assert not Quota.objects.exists()


# --- Applications ------------------------------------------------------------------------------


def test_staff_apply_as_a_draft_with_the_registration_form(draft_application, tree, union_staff):
    found = fresh(draft_application)
    assert found.status == ApplicationStatus.DRAFT and found.unit == tree.union_a2
    assert found.registration == {"leader": "王建国", "members": "12", "established": "2005"}
    assert found.created_by == union_staff
    assert actions(found) == []


def test_only_the_units_staff_apply(honour_round, tree, pioneer, reviewer):
    with pytest.raises(NotAllowed):
        apply(reviewer, honour_round, tree.union_a2, pioneer)
    assert not Application.objects.exists()


def test_no_application_outside_the_window(honour_round, tree, pioneer, union_staff):
    honour_round.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    honour_round.save()
    with pytest.raises(services.HonourRefused):
        apply(union_staff, honour_round, tree.union_a2, pioneer)
    assert not Application.objects.exists()


def test_a_unit_of_another_line_is_refused_the_category(honour_round, tree, pioneer, staff):
    with pytest.raises(services.HonourRefused):
        apply(staff, honour_round, tree.branch_a1, pioneer)  # a party branch: not a trade union


def test_a_person_is_nominated_with_name_and_post(honour_round, tree, categories, union_staff):
    gold = categories["gold_medal_worker"]
    with pytest.raises(services.HonourRefused):
        apply(union_staff, honour_round, tree.union_a2, gold)
    nominated = services.application_create(
        union_staff,
        honour_round=honour_round,
        unit=tree.union_a2,
        category=gold,
        person_name="李师傅",
        person_post="维修班班长",
        registration={"gender": "male", "birth_year": "1975", "political_status": "masses"},
        case="技术过硬。",
        summary="技术能手。",
    )
    assert nominated.nominee == "李师傅"
    assert nominated.registration["gender"] == "male"


def test_the_same_nominee_twice_is_refused(draft_application, honour_round, tree, pioneer):
    with pytest.raises(services.HonourRefused):
        apply(
            draft_application.created_by, honour_round, tree.union_a2, pioneer, "机关工会维修班组"
        )


def test_submit_sends_it_to_level_one(submitted_application, tree):
    found = fresh(submitted_application)
    assert found.status == ApplicationStatus.WAITING
    assert (found.level, found.waiting_unit) == (1, tree.committee_a)
    assert found.waiting_since is not None
    assert actions(found) == [RecommendationAction.SUBMIT]


def test_withdraw_before_anyone_acted_only(submitted_application, union_staff, reviewer, tree):
    services.application_withdraw(union_staff, submitted_application)
    found = fresh(submitted_application)
    assert found.status == ApplicationStatus.WITHDRAWN and found.waiting_unit is None
    services.application_submit(union_staff, found)
    services.application_recommend(reviewer, fresh(found), level=1)
    with pytest.raises(TransitionRefused):
        services.application_withdraw(union_staff, fresh(found))
    assert fresh(found).status == ApplicationStatus.WAITING
    assert actions(found) == ["submit", "withdraw", "submit", "recommend"]


# --- Recommendation level by level -------------------------------------------------------------


def test_two_levels_recommend_and_the_organiser_shortlists(
    submitted_application, reviewer, city_reviewer, tree
):
    services.application_recommend(reviewer, submitted_application, level=1, reason="推荐")
    found = fresh(submitted_application)
    assert (found.status, found.level, found.waiting_unit) == ("waiting", 2, tree.city)
    services.application_recommend(city_reviewer, found, level=2)
    found = fresh(found)
    assert found.status == ApplicationStatus.SHORTLISTED and found.waiting_unit is None
    steps = list(found.steps.order_by("created_at", "pk"))
    assert [(s.action, s.unit, s.level, s.rank, s.actor) for s in steps] == [
        ("submit", tree.union_a2, 0, None, found.created_by),
        ("recommend", tree.committee_a, 1, 1, reviewer),
        ("shortlist", tree.city, 2, 1, city_reviewer),
    ]
    assert steps[1].reason == "推荐"


def test_nothing_joins_a_shortlist_once_it_is_published(
    submitted_application, reviewer, city_reviewer, honour_round
):
    services.application_recommend(reviewer, submitted_application, level=1)
    HonourRound.objects.filter(pk=honour_round.pk).update(published_at=timezone.now())
    with pytest.raises(services.HonourRefused, match="published"):
        services.application_recommend(city_reviewer, fresh(submitted_application), level=2)
    found = fresh(submitted_application)
    assert (found.status, found.level) == (ApplicationStatus.WAITING, 2)
    assert not found.steps.filter(action="shortlist").exists()


def test_a_recommendation_over_quota_is_refused_with_the_count(
    honour_round, city_admin, union_staff, reviewer, city_reviewer, tree, pioneer
):
    services.quota_set(
        city_admin,
        honour_round,
        category=pioneer,
        unit_kind=UnitKind.PARTY_WORKING_COMMITTEE,
        count=1,
    )
    first = apply(union_staff, honour_round, tree.union_a2, pioneer, "维修班组")
    second = apply(union_staff, honour_round, tree.union_a2, pioneer, "电工班组")
    for application in (first, second):
        services.application_submit(union_staff, application)
    services.application_recommend(reviewer, fresh(first), level=1)
    with pytest.raises(services.QuotaExceeded, match="1 of 1"):
        services.application_recommend(reviewer, fresh(second), level=1)
    found = fresh(second)
    assert (found.status, found.level, found.waiting_unit) == ("waiting", 1, tree.committee_a)
    assert actions(found) == ["submit"]
    # Declining is still possible; another category has its own quota.
    services.application_decline(reviewer, found, level=1, reason="名额已满")
    assert fresh(second).status == ApplicationStatus.DECLINED


def test_a_quota_counts_per_recommending_unit(
    honour_round, city_admin, union_staff, reviewer, city_reviewer, tree, pioneer
):
    """committee_a's recommendation spends committee_a's quota, not the city's."""
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.city, count=1)
    first = apply(union_staff, honour_round, tree.union_a2, pioneer, "维修班组")
    second = apply(union_staff, honour_round, tree.union_a2, pioneer, "电工班组")
    for application in (first, second):
        services.application_submit(union_staff, application)
        services.application_recommend(reviewer, fresh(application), level=1)
    services.application_recommend(city_reviewer, fresh(first), level=2)
    with pytest.raises(services.QuotaExceeded):
        services.application_recommend(city_reviewer, fresh(second), level=2)
    assert fresh(second).status == ApplicationStatus.WAITING
    assert selectors.used_by(honour_round, tree.city) == {pioneer.pk: 1}
    assert selectors.used_by(honour_round, tree.committee_a) == {pioneer.pk: 2}


def test_only_the_level_it_waits_at_may_recommend(
    submitted_application, city_reviewer, union_staff, outsider, reviewer
):
    # The city is above committee_a but the application has not reached it.
    for who in (city_reviewer, union_staff, outsider):
        with pytest.raises(NotAllowed):
            services.application_recommend(who, fresh(submitted_application), level=1)
    assert actions(submitted_application) == ["submit"]
    services.application_recommend(reviewer, fresh(submitted_application), level=1)
    # Now it waits on the city: committee_a's reviewer has nothing more to do with it.
    with pytest.raises(NotAllowed):
        services.application_recommend(reviewer, fresh(submitted_application), level=2)
    with pytest.raises(TransitionRefused):  # a stale page at level 1
        services.application_recommend(reviewer, fresh(submitted_application), level=1)
    assert actions(submitted_application) == ["submit", "recommend"]


def test_a_reviewer_of_both_the_unit_and_above_may_not_recommend_own_units(
    submitted_application, tree
):
    both = _member(tree.committee_a, Role.REVIEWER, "both")
    MembershipFactory(user=both, unit=tree.union_a2, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        services.application_recommend(both, fresh(submitted_application), level=1)


def test_decline_needs_a_reason(submitted_application, reviewer, tree):
    with pytest.raises(services.HonourRefused):
        services.application_decline(reviewer, submitted_application, level=1, reason="  ")
    services.application_decline(reviewer, fresh(submitted_application), level=1, reason="事迹不足")
    found = fresh(submitted_application)
    assert found.status == ApplicationStatus.DECLINED and found.decline_reason == "事迹不足"
    step = found.steps.get(action=RecommendationAction.DECLINE)
    assert (step.reason, step.unit, step.level, step.actor) == (
        "事迹不足",
        tree.committee_a,
        1,
        reviewer,
    )


def test_the_rank_orders_a_levels_recommendations(
    honour_round, union_staff, reviewer, tree, pioneer
):
    made = [apply(union_staff, honour_round, tree.union_a2, pioneer, f"班组{n}") for n in range(3)]
    for application in made:
        services.application_submit(union_staff, application)
    services.application_recommend(reviewer, fresh(made[0]), level=1, rank=2)
    services.application_recommend(reviewer, fresh(made[1]), level=1, rank=1)
    services.application_recommend(reviewer, fresh(made[2]), level=1)  # next after the 2 used
    ranked = list(selectors.recommended_by(honour_round, tree.committee_a))
    assert [(r.application_id, r.rank) for r in ranked] == [
        (made[1].pk, 1),
        (made[0].pk, 2),
        (made[2].pk, 3),
    ]


def test_a_unit_move_reroutes_a_waiting_application(submitted_application, tree, outsider):
    """union_a2 moves under committee_b (whose reviewer is `outsider`): its application waits
    there now, with a REROUTE step."""
    unit_move(unit=tree.union_a2, new_parent=tree.committee_b)
    found = fresh(submitted_application)
    assert found.waiting_unit == tree.committee_b and found.level == 1
    assert actions(found) == ["submit", "reroute"]
