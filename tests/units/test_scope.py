"""units.scope.Scope: who a user is to a unit, once per request. Each rule is checked in memory
and as a query, for the actor trio (member, reviewer above, outsider), a superuser and a unit
that moved away from its reviewer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from accounts.middleware import RequestUserMiddleware
from activities.models import Activity
from tests.factories import ActivityFactory, MembershipFactory, UserFactory
from units.models import Role, Unit
from units.scope import SUPERUSER_ROLES, Scope
from units.services import unit_move


def _codes(scope: Scope, query) -> set[str]:
    return set(Unit.objects.filter(query).values_list("code", flat=True))


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_staff_hold_their_own_unit_and_see_its_subtree(tree, staff):
    scope = Scope.of(staff)

    assert scope.roles_held == {Role.STAFF}
    assert scope.is_staff_of(tree.branch_a1) and scope.is_staff_of(tree.branch_a1.pk)
    assert scope.is_own(tree.branch_a1)
    assert not scope.is_own(tree.committee_a)
    assert scope.can_view(tree.branch_a1)
    assert not scope.can_view(tree.committee_a)
    assert scope.roles_on(tree.branch_a1) == {Role.STAFF}
    assert not scope.can_manage(tree.branch_a1)
    assert not scope.reviews_for(tree.branch_a1)
    assert _codes(scope, scope.subtree_q()) == {"A1"}
    assert _codes(scope, scope.role_q(Role.STAFF)) == {"A1"}


def test_a_reviewer_reviews_the_units_strictly_below(tree, reviewer):
    scope = Scope.of(reviewer)

    assert scope.reviews_for(tree.branch_a1)
    assert scope.reviews_for(tree.branch_a1, waiting_on=tree.committee_a)
    assert not scope.reviews_for(tree.branch_a1, waiting_on=tree.city)  # waits above them
    assert not scope.reviews_for(tree.committee_a)  # their own unit is not below them
    assert scope.reviews_within(tree.committee_a)
    assert scope.oversees(tree.branch_a1)
    assert scope.roles_on(tree.committee_a) == set()
    assert scope.roles_on(tree.branch_a1) == {Role.REVIEWER}
    assert not scope.is_own(tree.branch_a1)
    assert _codes(scope, scope.role_q(Role.REVIEWER)) == {"A1", "A2"}
    assert _codes(scope, scope.subtree_q()) == {"A", "A1", "A2"}


def test_an_admin_manages_their_subtree_but_acts_above_only_below_it(tree, admin_user):
    scope = Scope.of(admin_user)

    assert scope.can_manage(tree.committee_a) and scope.can_manage(tree.branch_a1)
    assert not scope.can_manage(tree.city)
    assert not scope.can_admin_above(tree.committee_a)
    assert scope.can_admin_above(tree.branch_a1)
    assert not scope.oversees(tree.branch_a1)  # the evidence's warnings are not for admins
    assert _codes(scope, scope.role_q(Role.ADMIN)) == {"A", "A1", "A2"}


def test_an_outsider_is_refused_everything_under_another_branch(tree, outsider):
    scope = Scope.of(outsider)

    for unit in (tree.committee_a, tree.branch_a1, tree.union_a2, tree.city):
        assert not scope.can_view(unit)
        assert not scope.can_manage(unit)
        assert not scope.reviews_for(unit)
        assert not scope.reviews_within(unit)
        assert not scope.is_own(unit)
        assert scope.roles_on(unit) == set()
    assert _codes(scope, scope.subtree_q()) == {"B", "B1"}
    assert _codes(scope, scope.role_q(Role.REVIEWER)) == {"B1"}


def test_a_superuser_holds_every_role_but_staff_everywhere(
    tree, superuser, django_assert_num_queries
):
    with django_assert_num_queries(0):  # nothing to read for a question a superuser answers
        scope = Scope.of(superuser)
        assert scope.can_view(tree.branch_b1)
        assert scope.can_manage(tree.city)
        assert scope.can_admin_above(tree.city)
        assert scope.reviews_for(tree.city)
        assert scope.roles_on(tree.branch_a1) == set(SUPERUSER_ROLES)
        assert scope.subtree_q() == scope.role_q(Role.ADMIN)
    assert scope.roles_held == {Role.ADMIN, Role.LEADER, Role.REVIEWER}
    assert not scope.is_staff_of(tree.branch_a1)
    assert _codes(scope, scope.subtree_q()) == {"CITY", "A", "A1", "A2", "B", "B1"}


def test_an_inactive_superuser_or_an_anonymous_visitor_holds_nothing(tree, superuser):
    superuser.is_active = False

    for who in (superuser, AnonymousUser(), None):
        scope = Scope.of(who)
        assert not scope.superuser
        assert scope.roles_held == set()
        assert not scope.can_view(tree.city)
        assert _codes(scope, scope.subtree_q()) == set()


def test_a_moved_unit_is_no_longer_its_former_reviewers(tree, reviewer):
    unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)
    tree.branch_a1.refresh_from_db()
    scope = Scope.of(reviewer)

    assert not scope.reviews_for(tree.branch_a1)
    assert not scope.can_view(tree.branch_a1)
    assert "A1" not in _codes(scope, scope.role_q(Role.REVIEWER))


def test_the_reviewer_query_agrees_with_the_rule_in_memory(tree, campaign, reviewer, outsider):
    # A submission of each unit waiting on each unit: the query keeps exactly those the rule in
    # memory lets the reviewer act on.
    units = list(Unit.objects.all())
    by_pair = {
        (unit.pk, waiting.pk): ActivityFactory(campaign=campaign, unit=unit, review_unit=waiting).pk
        for unit in units
        for waiting in units
    }
    MembershipFactory(user=reviewer, unit=tree.city, role=Role.STAFF)  # staff: no review rights
    for user in (reviewer, outsider):
        scope = Scope.of(user)
        expected = {
            pk
            for (unit_id, waiting_id), pk in by_pair.items()
            if scope.reviews_for(
                next(u for u in units if u.pk == unit_id),
                waiting_on=next(u for u in units if u.pk == waiting_id),
            )
        }
        found = set(Activity.objects.filter(scope.reviews_q()).values_list("pk", flat=True))
        assert found == expected
        assert found  # each reviews something


def test_the_scope_is_built_once_per_request(tree, staff, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = staff
    RequestUserMiddleware(lambda r: None)(request)

    with django_assert_num_queries(1):
        first = Scope.of(request)
        assert first.can_view(tree.branch_a1)
        assert Scope.of(request) is first
        assert Scope.of(staff) is first
        assert Scope.of(first) is first
        assert first.roles_held == {Role.STAFF}


def test_a_user_outside_a_request_is_read_afresh(tree, staff):
    assert Scope.of(staff) is not Scope.of(staff)
    MembershipFactory(user=staff, unit=tree.union_a2, role=Role.STAFF)

    assert Scope.of(staff).is_staff_of(tree.union_a2)


def test_pages_refuse_an_outsider_with_a_404(client, tree, outsider):
    client.force_login(outsider)

    for url in (
        reverse("units:detail", args=[tree.branch_a1.pk]),
        reverse("dashboards:unit", args=[tree.committee_a.pk]),
        reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["staff", "reviewer", "leader", "admin_user", "outsider"])
def test_each_role_reaches_the_same_units_in_memory_and_as_a_query(tree, request, who):
    user = request.getfixturevalue(who)
    MembershipFactory(user=user, unit=tree.union_a2, role=Role.LEADER)
    scope = Scope.of(user)
    units = list(Unit.objects.all())

    for role in Role.values:
        in_memory = {unit.code for unit in units if scope.acts_as(role, unit)}
        assert _codes(scope, scope.role_q(role)) == in_memory
        assert in_memory == {unit.code for unit in units if role in scope.roles_on(unit)}
    assert _codes(scope, scope.subtree_q()) == {unit.code for unit in units if scope.can_view(unit)}
