from tests.factories import UserFactory
from units import selectors, services
from units.models import Role
from units.scope import Scope


def _codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_staff_sees_only_their_own_subtree(tree, staff):
    assert _codes(selectors.units_visible_to(staff)) == {"A1"}
    assert _codes(selectors.units_for_role(staff, Role.STAFF)) == {"A1"}
    assert _codes(selectors.units_for_role(staff, Role.ADMIN)) == set()


def test_reviewer_reviews_only_the_units_below(tree, reviewer):
    assert _codes(selectors.units_visible_to(reviewer)) == {"A", "A1", "A2"}
    assert _codes(selectors.units_for_role(reviewer, Role.REVIEWER)) == {"A1", "A2"}
    assert Scope.of(reviewer).roles_on(tree.committee_a) == set()
    assert Scope.of(reviewer).roles_on(tree.branch_a1) == {Role.REVIEWER}


def test_admin_administers_their_unit_but_acts_above_only_below_it(tree, admin_user):
    assert _codes(selectors.units_for_role(admin_user, Role.ADMIN)) == {"A", "A1", "A2"}
    assert not Scope.of(admin_user).can_admin_above(tree.committee_a)
    assert Scope.of(admin_user).can_admin_above(tree.branch_a1)
    assert not Scope.of(admin_user).can_admin_above(tree.branch_b1)


def test_outsider_sees_nothing_of_another_branch(tree, outsider):
    assert _codes(selectors.units_visible_to(outsider)) == {"B", "B1"}
    assert not Scope.of(outsider).can_view(tree.branch_a1)
    assert Scope.of(outsider).roles_on(tree.branch_a1) == set()


def test_a_user_without_memberships_sees_nothing(tree):
    user = UserFactory()

    assert not selectors.units_visible_to(user).exists()
    assert not selectors.roots_for(user).exists()


def test_roots_are_the_topmost_units_of_a_user(tree, admin_user, outsider):
    services.membership_add(user=admin_user, unit=tree.branch_a1, role=Role.STAFF)

    assert _codes(selectors.roots_for(admin_user)) == {"A"}
    assert _codes(selectors.roots_for(outsider)) == {"B"}


def test_a_membership_on_an_inactive_unit_gives_nothing(tree, staff):
    services.unit_deactivate(unit=tree.branch_a1)

    assert not selectors.units_visible_to(staff).exists()


def test_ancestors_of_many_units_come_in_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        ancestors = selectors.ancestors_by_path([tree.branch_a1, tree.branch_b1, tree.city])

    assert {unit.code for unit in ancestors.values()} == {"CITY", "A", "B"}
