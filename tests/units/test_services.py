import pytest
from django.core.exceptions import ValidationError

from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units import services
from units.exceptions import UnitError, UnitReferenced
from units.models import Line, Membership, Pair, Role, Unit, UnitKind


def test_it_creates_a_child_at_the_end_of_its_parent(tree):
    unit = services.unit_create(
        parent=tree.committee_a,
        unit=Unit(code="A3", name="机关团支部", kind=UnitKind.LEAGUE_BRANCH, line=Line.LEAGUE),
    )

    unit.refresh_from_db()
    assert unit.line == Line.LEAGUE
    assert Unit.objects.get_parent(unit) == tree.committee_a
    tree.committee_a.refresh_from_db()
    assert tree.committee_a.numchild == 3


def test_it_refuses_a_child_under_an_inactive_unit(tree):
    branch = services.unit_deactivate(unit=tree.branch_b1)

    with pytest.raises(UnitError):
        services.unit_create(
            parent=branch, unit=Unit(code="B11", name="小组", kind=UnitKind.OTHER, line="party")
        )

    assert not Unit.objects.filter(code="B11").exists()


def test_it_refuses_a_line_that_contradicts_the_kind(tree):
    with pytest.raises(ValidationError) as error:
        services.unit_create(
            parent=tree.committee_a,
            unit=Unit(code="A3", name="工会", kind=UnitKind.TRADE_UNION, line=Line.WOMEN),
        )

    assert "line" in error.value.message_dict
    assert not Unit.objects.filter(code="A3").exists()


def test_it_keeps_children_in_sort_order_after_an_edit(tree):
    services.unit_update(unit=tree.branch_a1, fields={"sort_order": 9, "name": "第一支部"})

    tree.branch_a1.refresh_from_db()
    tree.union_a2.refresh_from_db()
    assert tree.branch_a1.name == "第一支部"
    assert tree.union_a2.path < tree.branch_a1.path
    assert Unit.objects.get_parent(tree.branch_a1) == tree.committee_a


def test_it_moves_a_unit_with_its_subtree(tree):
    grandchild = UnitFactory(parent=tree.branch_a1, code="A1X", kind=UnitKind.PARTY_BRANCH)

    services.unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)

    tree.branch_a1.refresh_from_db()
    grandchild.refresh_from_db()
    assert Unit.objects.get_parent(tree.branch_a1) == tree.committee_b
    assert grandchild.path.startswith(tree.branch_a1.path)


def test_it_refuses_a_move_under_its_own_descendant(tree):
    path = tree.committee_a.path

    with pytest.raises(UnitError):
        services.unit_move(unit=tree.committee_a, new_parent=tree.branch_a1)
    with pytest.raises(UnitError):
        services.unit_move(unit=tree.committee_a, new_parent=tree.committee_a)

    tree.committee_a.refresh_from_db()
    assert tree.committee_a.path == path


def test_it_refuses_a_move_under_an_inactive_unit(tree):
    inactive = services.unit_deactivate(unit=tree.branch_b1)

    with pytest.raises(UnitError):
        services.unit_move(unit=tree.branch_a1, new_parent=inactive)

    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.branch_a1.pk)) == tree.committee_a


def test_it_deactivates_and_reactivates_a_leaf(tree):
    services.unit_deactivate(unit=tree.branch_a1)
    tree.branch_a1.refresh_from_db()
    assert not tree.branch_a1.is_active

    services.unit_reactivate(unit=tree.branch_a1)
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.is_active


def test_it_refuses_to_deactivate_a_unit_with_active_children(tree):
    with pytest.raises(UnitError):
        services.unit_deactivate(unit=tree.committee_a)

    tree.committee_a.refresh_from_db()
    assert tree.committee_a.is_active


def test_it_refuses_to_reactivate_under_an_inactive_parent(tree):
    services.unit_deactivate(unit=tree.branch_b1)
    services.unit_deactivate(unit=tree.committee_b)

    with pytest.raises(UnitError):
        services.unit_reactivate(unit=tree.branch_b1)

    tree.branch_b1.refresh_from_db()
    assert not tree.branch_b1.is_active


def test_it_deletes_a_unit_nothing_refers_to(tree):
    services.unit_delete(unit=tree.branch_b1)

    assert not Unit.objects.filter(pk=tree.branch_b1.pk).exists()
    tree.committee_b.refresh_from_db()
    assert tree.committee_b.numchild == 0


@pytest.mark.parametrize("reference", ["child", "membership", "pair"])
def test_it_refuses_to_delete_a_referenced_unit(tree, reference):
    unit = tree.branch_b1
    if reference == "child":
        UnitFactory(parent=unit)
        unit.refresh_from_db()
    elif reference == "membership":
        MembershipFactory(unit=unit)
    else:
        services.pair_create(unit=unit, other=tree.branch_a1)

    assert services.unit_is_referenced(unit)
    with pytest.raises(UnitReferenced):
        services.unit_delete(unit=unit)

    assert Unit.objects.filter(pk=unit.pk).exists()


def test_it_adds_a_member_once(tree):
    user = UserFactory()
    services.membership_add(user=user, unit=tree.branch_a1, role=Role.STAFF)

    with pytest.raises(UnitError):
        services.membership_add(user=user, unit=tree.branch_a1, role=Role.STAFF)

    assert Membership.objects.filter(user=user).count() == 1
    services.membership_add(user=user, unit=tree.branch_a1, role=Role.REVIEWER)
    assert Membership.objects.filter(user=user).count() == 2


def test_it_refuses_a_member_on_an_inactive_unit(tree):
    inactive = services.unit_deactivate(unit=tree.branch_a1)

    with pytest.raises(UnitError):
        services.membership_add(user=UserFactory(), unit=inactive, role=Role.STAFF)

    assert not Membership.objects.filter(unit=tree.branch_a1).exists()


def test_it_removes_a_member(tree):
    membership = MembershipFactory(unit=tree.branch_a1)

    services.membership_remove(membership=membership)

    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_it_stores_a_pair_once_whichever_side_creates_it(tree):
    pair = services.pair_create(unit=tree.branch_b1, other=tree.branch_a1, note="结对")

    assert (pair.first_id, pair.second_id) == tuple(sorted([tree.branch_a1.pk, tree.branch_b1.pk]))
    with pytest.raises(UnitError):
        services.pair_create(unit=tree.branch_a1, other=tree.branch_b1)
    with pytest.raises(UnitError):
        services.pair_create(unit=tree.branch_a1, other=tree.branch_a1)
    assert Pair.objects.count() == 1

    services.pair_delete(pair=pair)
    assert Pair.objects.count() == 0
