"""units.routing: who reviews a unit's submissions at which level, from the tree as it is now —
for any kind of submission (it takes a unit and a level)."""

import pytest
from django.db.models import Exists

from tests.factories import MembershipFactory, UserFactory
from units import routing
from units.models import Role, Unit
from units.scope import Scope
from units.services import unit_move


@pytest.fixture
def city_reviewer(tree):
    user = UserFactory(username="reviewer_city")
    MembershipFactory(user=user, unit=tree.city, role=Role.REVIEWER)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_level_1_is_the_nearest_unit_above_with_reviewers_and_level_2_the_next(
    tree, reviewer, city_reviewer
):
    first, second = routing.level_of(tree.branch_a1, 1), routing.level_of(tree.branch_a1, 2)

    assert (first.unit, first.reviewers) == (tree.committee_a, [reviewer])
    assert (second.unit, second.reviewers) == (tree.city, [city_reviewer])
    assert routing.level_of(tree.branch_a1, 3) is None
    assert routing.level_of(tree.committee_a, 1).unit == tree.city
    assert routing.level_of(tree.city, 1) is None
    assert [level.unit for level in routing.levels_above(tree.branch_a1)] == [
        tree.committee_a,
        tree.city,
    ]


def test_a_unit_without_reviewers_is_skipped(tree, city_reviewer):
    """No reviewers on committee_b: its branch's level 1 is the city."""
    assert routing.level_of(tree.branch_b1, 1).unit == tree.city
    assert routing.waiting_unit(tree.branch_b1, 1) == tree.city


def test_inactive_reviewers_and_inactive_units_review_nothing(tree, reviewer, city_reviewer):
    reviewer.is_active = False
    reviewer.save()
    assert routing.level_of(tree.branch_a1, 1).unit == tree.city

    MembershipFactory(unit=tree.committee_a, role=Role.REVIEWER)
    assert routing.level_of(tree.union_a2, 1).unit == tree.committee_a
    Unit.objects.filter(pk=tree.committee_a.pk).update(is_active=False)  # as if its branches were
    assert routing.level_of(tree.union_a2, 1).unit == tree.city


def test_a_submission_with_no_reviewers_above_waits_on_the_parent(tree):
    assert routing.levels_above(tree.branch_a1) == []
    assert routing.waiting_unit(tree.branch_a1, 1) == tree.committee_a
    assert routing.waiting_unit(tree.branch_a1, 2) == tree.city
    assert routing.waiting_unit(tree.city, 1) is None


def test_levels_of_many_units_come_in_one_query(
    tree, reviewer, city_reviewer, django_assert_num_queries
):
    units = list(Unit.objects.order_by("path"))
    with django_assert_num_queries(1):
        found = routing.levels_above_each(units)

    for unit in units:
        assert found[unit.pk] == routing.levels_above(unit)


def test_reviewers_on_the_units_a_submission_waits_on(tree, reviewer, city_reviewer):
    found = routing.reviewers_on([tree.committee_a.pk, tree.city.pk, tree.committee_b.pk])

    assert found == {tree.committee_a.pk: [reviewer], tree.city.pk: [city_reviewer]}


def test_units_whose_submissions_wait_on_no_one(tree, reviewer):
    unreviewed = Unit.objects.filter(depth__gt=1).filter(~Exists(routing.reviewers_above()))

    assert set(unreviewed.values_list("code", flat=True)) == {"A", "B", "B1"}


def test_who_may_act_at_each_level(tree, reviewer, city_reviewer, staff):
    assert routing.may_act(reviewer, tree.branch_a1, 1)
    assert not routing.may_act(reviewer, tree.branch_a1, 2)  # level 2 waits above them
    assert routing.may_act(city_reviewer, tree.branch_a1, 1)  # above level 1: may act too
    assert routing.may_act(city_reviewer, tree.branch_a1, 2)
    assert not routing.may_act(reviewer, tree.committee_a, 1)  # their own unit
    assert not routing.may_act(staff, tree.branch_a1, 1)


def test_an_outsider_is_refused(tree, reviewer, outsider):
    assert not routing.may_act(outsider, tree.branch_a1, 1)
    assert not routing.may_review(outsider, tree.branch_a1, tree.committee_a)


def test_a_superuser_may_act_at_any_level(tree, superuser):
    assert routing.may_act(superuser, tree.branch_a1, 1)
    assert routing.may_act(superuser, tree.city, 2)
    assert routing.may_review(superuser, tree.branch_a1, None)


def test_a_submission_waiting_on_no_unit_is_no_reviewers(tree, reviewer):
    assert not routing.may_review(reviewer, tree.branch_a1, None)


def test_a_moved_units_former_reviewer_is_refused(tree, reviewer, outsider):
    """branch_a1 moves under committee_b: committee_a's reviewer is refused at once, even on a
    submission still waiting on committee_a, and committee_b's reviewer now reviews it."""
    unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)
    moved = Unit.objects.get(pk=tree.branch_a1.pk)
    former = Unit.objects.get(pk=tree.committee_a.pk)

    assert not routing.may_review(reviewer, moved, former)
    assert not routing.may_act(reviewer, moved, 1)
    assert routing.level_of(moved, 1).unit == tree.committee_b
    assert routing.may_act(outsider, moved, 1)


def test_a_scope_is_asked_as_well_as_a_user(tree, reviewer, django_assert_num_queries):
    scope = Scope.of(reviewer)
    assert scope.reviews_for(tree.branch_a1)  # the memberships are read now

    with django_assert_num_queries(0):
        assert routing.may_review(scope, tree.branch_a1, tree.committee_a)
        assert not routing.may_act(scope, tree.committee_b, 1)  # not above it: no query
