"""The Django admin writes the tree through units.services (issue 12 §4): real POSTs as a
superuser. A move is unit_move's (announced, so the roll-ups follow; refused under an inactive
unit), a unit with active units below stays active, an allowed edit still works."""

import pytest
from django.urls import reverse

from activities.models import Status, UnitRollup
from activities.rollups import rollups_rebuild
from tests.factories import ActivityFactory
from tests.pages import messages_of
from units.models import Membership, Pair, Role, Unit

pytestmark = pytest.mark.django_db

MOVE = "/admin/units/unit/move/"


def _unit_data(unit: Unit, **overrides) -> dict:
    data = {
        "name": unit.name,
        "code": unit.code,
        "kind": unit.kind,
        "line": unit.line,
        "contact_person": unit.contact_person,
        "contact_phone": unit.contact_phone,
        "sort_order": unit.sort_order,
        "is_active": "on" if unit.is_active else "",
        **overrides,
    }
    return {name: value for name, value in data.items() if value != ""}


def _rollup_units(campaign) -> set[int]:
    """The units whose roll-ups count an approved activity."""
    rows = UnitRollup.objects.filter(campaign=campaign, activities__gt=0)
    return set(rows.values_list("unit_id", flat=True))


def test_dragging_a_unit_moves_it_with_unit_move_and_the_rollups_follow(
    root, tree, staff, task, targets
):
    ActivityFactory(
        campaign=task.campaign,
        unit=tree.branch_a1,
        created_by=staff,
        tasks=[task],
        status=Status.APPROVED,
    )
    rollups_rebuild()
    assert tree.committee_a.pk in _rollup_units(task.campaign)

    response = root.post(
        MOVE, {"node": tree.branch_a1.pk, "target": tree.branch_b1.pk, "relation": "sibling"}
    )

    assert response.status_code == 200
    moved = Unit.objects.get(pk=tree.branch_a1.pk)
    assert Unit.objects.get_parent(moved) == tree.committee_b
    assert tree.committee_a.pk not in _rollup_units(task.campaign)
    assert tree.committee_b.pk in _rollup_units(task.campaign)


def test_a_move_under_an_inactive_unit_is_refused(root, tree):
    Unit.objects.filter(pk=tree.branch_b1.pk).update(is_active=False)

    response = root.post(
        MOVE, {"node": tree.branch_a1.pk, "target": tree.branch_b1.pk, "relation": "child"}
    )

    assert response.status_code == 400
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.branch_a1.pk)) == tree.committee_a
    assert any("inactive unit" in m for m in messages_of(response))


def test_the_change_form_has_no_move_and_edits_through_the_service(root, tree):
    url = reverse("admin:units_unit_change", args=[tree.union_a2.pk])
    page = root.get(url)
    assert page.status_code == 200
    assert "treebeard_ref_node" not in page.content.decode()

    # A lower sort order puts union_a2 before branch_a1: unit_update re-sorts the siblings.
    response = root.post(url, _unit_data(tree.union_a2, name="机关工会", sort_order=0, code="A0"))

    assert response.status_code == 302
    union = Unit.objects.get(pk=tree.union_a2.pk)
    branch = Unit.objects.get(pk=tree.branch_a1.pk)
    assert union.name == "机关工会"
    assert union.path < branch.path


def test_a_unit_with_active_units_below_is_not_deactivated(root, tree):
    url = reverse("admin:units_unit_change", args=[tree.committee_a.pk])

    response = root.post(url, _unit_data(tree.committee_a, is_active=""))

    assert response.status_code == 302
    assert response.url == url
    assert Unit.objects.get(pk=tree.committee_a.pk).is_active
    assert any("Deactivate the units below it first" in m for m in messages_of(response))


def test_a_unit_is_added_under_its_parent(root, tree):
    response = root.post(
        reverse("admin:units_unit_add"),
        {
            **_unit_data(tree.branch_a1, name="第二党支部", code="A3"),
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": tree.committee_a.pk,
        },
    )

    assert response.status_code == 302
    added = Unit.objects.get(code="A3")
    assert Unit.objects.get_parent(added) == tree.committee_a


def test_a_membership_is_not_added_twice(root, tree, staff):
    response = root.post(
        reverse("admin:units_membership_add"),
        {"user": staff.pk, "unit": tree.branch_a1.pk, "role": Role.STAFF},
    )

    assert Membership.objects.filter(user=staff, unit=tree.branch_a1).count() == 1
    assert response.status_code in (200, 302)


def test_a_pair_is_added_and_keeps_its_units(root, tree):
    root.post(
        reverse("admin:units_pair_add"),
        {"first": tree.branch_a1.pk, "second": tree.branch_b1.pk, "note": "共建"},
    )
    pair = Pair.objects.get()
    url = reverse("admin:units_pair_change", args=[pair.pk])

    response = root.post(url, {"first": tree.city.pk, "second": tree.union_a2.pk, "note": "新"})

    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.first, pair.second, pair.note) == (tree.branch_a1, tree.branch_b1, "新")
