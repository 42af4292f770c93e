"""Who may open and change which unit. Outside a user's scope every page, form and action is a
404; the database is checked to be untouched after each refusal."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units import services
from units.models import Membership, Pair, Role, Unit, UnitKind

NON_ADMINS = ["staff", "reviewer", "leader", "outsider"]


@pytest.fixture
def scene(tree):
    """branch_a1 with a member and a co-building pair, and an inactive leaf under committee_a."""
    member = MembershipFactory(unit=tree.branch_a1, role=Role.STAFF)
    pair = services.pair_create(unit=tree.branch_a1, other=tree.union_a2)
    dormant = UnitFactory(parent=tree.committee_a, code="A9", kind=UnitKind.PARTY_BRANCH)
    dormant = services.unit_deactivate(unit=dormant)
    return {"tree": tree, "member": member, "pair": pair, "dormant": dormant}


def _snapshot() -> tuple:
    return (
        sorted(Unit.objects.values_list("pk", "path", "code", "name", "is_active")),
        sorted(Membership.objects.values_list("pk", "user_id", "unit_id", "role")),
        sorted(Pair.objects.values_list("pk", "first_id", "second_id")),
        User.objects.count(),
    )


# (url name, target unit, extra url kwargs, methods, POST data); callables receive the scene.
ACTIONS = [
    (
        "create",
        "branch_a1",
        None,
        ["get", "post"],
        lambda s: {"code": "NEW", "name": "新支部", "kind": UnitKind.PARTY_BRANCH, "sort_order": 0},
    ),
    (
        "edit",
        "branch_a1",
        None,
        ["get", "post"],
        lambda s: {"code": "A1", "name": "改名", "kind": UnitKind.PARTY_BRANCH, "sort_order": 5},
    ),
    ("move", "branch_a1", None, ["get", "post"], lambda s: {"new_parent": s["tree"].union_a2.pk}),
    ("deactivate", "branch_a1", None, ["post"], lambda s: {}),
    ("reactivate", "dormant", None, ["post"], lambda s: {}),
    ("delete", "dormant", None, ["post"], lambda s: {}),
    (
        "member_add",
        "branch_a1",
        None,
        ["get", "post"],
        lambda s: {"username": "newbie", "role": Role.STAFF, "name": "新人", "email": "n@ex.cn"},
    ),
    (
        "member_remove",
        "branch_a1",
        lambda s: {"membership_pk": s["member"].pk},
        ["post"],
        lambda s: {},
    ),
    ("pair_add", "branch_a1", None, ["get", "post"], lambda s: {"other": s["tree"].committee_a.pk}),
    ("pair_remove", "branch_a1", lambda s: {"pair_pk": s["pair"].pk}, ["post"], lambda s: {}),
]

ACTION_CASES = [
    pytest.param(name, target, kwargs, method, data, id=f"{name}-{method}")
    for name, target, kwargs, methods, data in ACTIONS
    for method in methods
]


def _unit(scene, target: str) -> Unit:
    return scene["dormant"] if target == "dormant" else getattr(scene["tree"], target)


def _request(client, scene, name, target, kwargs, method, data):
    unit = _unit(scene, target)
    url = reverse(f"units:{name}", kwargs={"pk": unit.pk, **(kwargs(scene) if kwargs else {})})
    if method == "get":
        return client.get(url)
    return client.post(url, data(scene))


@pytest.mark.parametrize("actor", NON_ADMINS)
@pytest.mark.parametrize(("name", "target", "kwargs", "method", "data"), ACTION_CASES)
def test_it_refuses_admin_actions_by_non_admins(
    client, request, scene, actor, name, target, kwargs, method, data
):
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot()

    response = _request(client, scene, name, target, kwargs, method, data)

    assert response.status_code == 404
    assert _snapshot() == before


# The membership and the pair of the scene belong to branch_a1: those two are tested below.
UNIT_ACTION_CASES = [case for case in ACTION_CASES if case.values[2] is None]


@pytest.mark.parametrize("target", ["city", "committee_b", "branch_b1"])
@pytest.mark.parametrize(("name", "_target", "kwargs", "method", "data"), UNIT_ACTION_CASES)
def test_it_refuses_admin_actions_outside_the_admins_subtree(
    client, scene, admin_user, target, name, _target, kwargs, method, data
):
    client.force_login(admin_user)
    before = _snapshot()

    response = _request(client, scene, name, target, None, method, data)

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize("actor", ["admin_user", "city_admin"])
@pytest.mark.parametrize(("name", "target", "kwargs", "method", "data"), ACTION_CASES)
def test_it_lets_an_admin_above_act_in_their_subtree(
    client, request, scene, actor, name, target, kwargs, method, data
):
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot()

    response = _request(client, scene, name, target, kwargs, method, data)

    if method == "get":
        assert response.status_code == 200
        assert _snapshot() == before
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert _snapshot() != before


@pytest.mark.parametrize("name", ["move", "deactivate", "delete"])
def test_it_refuses_an_admin_to_move_deactivate_or_delete_their_own_unit(
    client, tree, admin_user, name
):
    client.force_login(admin_user)
    before = _snapshot()

    response = client.post(reverse(f"units:{name}", args=[tree.committee_a.pk]))

    assert response.status_code == 403
    assert _snapshot() == before


def test_it_lets_an_admin_edit_their_own_unit(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:edit", args=[tree.committee_a.pk]),
        {"code": "A", "name": "新名称", "kind": UnitKind.PARTY_WORKING_COMMITTEE, "sort_order": 0},
    )

    assert response.status_code == 302
    tree.committee_a.refresh_from_db()
    assert tree.committee_a.name == "新名称"


def test_it_refuses_a_move_under_a_unit_the_admin_does_not_administer(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:move", args=[tree.branch_a1.pk]), {"new_parent": tree.committee_b.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_parent"]
    tree.branch_a1.refresh_from_db()
    assert Unit.objects.get_parent(tree.branch_a1) == tree.committee_a


def test_it_refuses_a_move_under_the_units_own_subtree(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.post(
        reverse("units:move", args=[tree.committee_a.pk]), {"new_parent": tree.branch_a1.pk}
    )

    assert response.status_code == 200
    assert "new_parent" in response.context["form"].errors
    tree.committee_a.refresh_from_db()
    assert Unit.objects.get_parent(tree.committee_a) == tree.city


def test_it_refuses_a_pair_with_a_unit_the_admin_cannot_see(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:pair_add", args=[tree.branch_a1.pk]), {"other": tree.branch_b1.pk}
    )

    assert response.status_code == 200
    assert "other" in response.context["form"].errors
    assert not Pair.objects.exists()


def test_it_refuses_to_remove_a_membership_through_another_unit(client, tree, admin_user):
    foreign = MembershipFactory(unit=tree.branch_b1)
    client.force_login(admin_user)

    response = client.post(reverse("units:member_remove", args=[tree.branch_a1.pk, foreign.pk]))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_it_refuses_to_remove_a_pair_through_a_unit_outside_it(client, tree, admin_user):
    pair = services.pair_create(unit=tree.branch_b1, other=tree.city)
    client.force_login(admin_user)

    response = client.post(reverse("units:pair_remove", args=[tree.branch_a1.pk, pair.pk]))

    assert response.status_code == 404
    assert Pair.objects.filter(pk=pair.pk).exists()


# --- Reading ------------------------------------------------------------------------------

VISIBLE = {
    "staff": {"branch_a1"},
    "reviewer": {"committee_a", "branch_a1", "union_a2"},
    "leader": {"committee_a", "branch_a1", "union_a2"},
    "admin_user": {"committee_a", "branch_a1", "union_a2"},
    "outsider": {"committee_b", "branch_b1"},
    "city_admin": {"city", "committee_a", "branch_a1", "union_a2", "committee_b", "branch_b1"},
}
UNITS = ["city", "committee_a", "branch_a1", "union_a2", "committee_b", "branch_b1"]


@pytest.mark.parametrize("actor", VISIBLE)
@pytest.mark.parametrize("target", UNITS)
def test_a_unit_page_opens_only_inside_the_users_subtree(client, request, tree, actor, target):
    client.force_login(request.getfixturevalue(actor))
    unit = getattr(tree, target)

    detail = client.get(reverse("units:detail", args=[unit.pk]))
    children = client.get(reverse("units:children", args=[unit.pk]), headers={"HX-Request": "true"})

    expected = 200 if target in VISIBLE[actor] else 404
    assert detail.status_code == expected
    assert children.status_code == expected


@pytest.mark.parametrize("actor", VISIBLE)
def test_the_search_finds_only_units_inside_the_users_subtree(client, request, tree, actor):
    client.force_login(request.getfixturevalue(actor))

    response = client.get(reverse("units:tree"), {"q": "党"})

    found = {row["unit"].pk for row in response.context["rows"]}
    expected = {getattr(tree, name).pk for name in VISIBLE[actor]}
    assert found == {pk for pk in expected if "党" in Unit.objects.get(pk=pk).name}


def test_the_tree_starts_at_the_users_top_units(client, tree, staff, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("units:tree"))

    roots = response.context["roots"]
    assert [root.pk for root, _children in roots] == [tree.committee_a.pk]
    assert [child.pk for child in roots[0][1]] == [tree.branch_a1.pk, tree.union_a2.pk]


def test_a_user_without_memberships_sees_no_unit(client, tree):
    client.force_login(UserFactory())

    assert client.get(reverse("units:tree")).context["roots"] == []
    assert client.get(reverse("units:detail", args=[tree.city.pk])).status_code == 404


def test_the_unit_pages_need_a_login(client, tree):
    response = client.get(reverse("units:detail", args=[tree.city.pk]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
