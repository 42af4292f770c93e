import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.pages import messages_of
from units import services
from units.models import Line, Membership, Pair, Role, Unit, UnitKind
from units.views import SEARCH_PAGE_SIZE


def _unit_data(**overrides) -> dict:
    data = {
        "code": "A3",
        "name": "机关团支部",
        "kind": UnitKind.LEAGUE_BRANCH,
        "line": "",
        "contact_person": "李红",
        "contact_phone": "0994-3221234",
        "sort_order": 0,
    }
    return {**data, **overrides}


# --- Tree and search -------------------------------------------------------------------------


def test_the_tree_shows_the_top_units_with_lazy_children(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("units:tree"))

    assert response.status_code == 200
    html = response.content.decode()
    assert tree.city.name in html
    assert tree.committee_a.name in html
    # committee_a has children: they come on demand; branch_a1 is two levels down, so not yet.
    assert reverse("units:children", args=[tree.committee_a.pk]) in html
    assert tree.branch_a1.name not in html


def test_it_loads_a_nodes_children_for_htmx(client, tree, leader):
    client.force_login(leader)

    response = client.get(
        reverse("units:children", args=[tree.committee_a.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert tree.branch_a1.name in html
    assert tree.union_a2.name in html


def test_it_sends_a_browser_without_htmx_from_children_to_the_unit_page(client, tree, leader):
    client.force_login(leader)

    response = client.get(reverse("units:children", args=[tree.committee_a.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("units:detail", args=[tree.committee_a.pk])


def test_it_hides_inactive_units_unless_asked(client, tree, city_admin):
    services.unit_deactivate(unit=tree.branch_b1)
    client.force_login(city_admin)
    url = reverse("units:children", args=[tree.committee_b.pk])
    htmx = {"HX-Request": "true"}

    assert tree.branch_b1.name not in client.get(url, headers=htmx).content.decode()
    shown = client.get(url, {"inactive": "1"}, headers=htmx).content.decode()
    assert tree.branch_b1.name in shown
    assert "unit-inactive" in shown

    search = reverse("units:tree")
    hidden = client.get(search, {"q": "B1"}).context["rows"]
    assert tree.branch_b1 not in [row["unit"] for row in hidden]
    rows = client.get(search, {"q": "B1", "inactive": "on"}).context["rows"]
    assert [row["unit"] for row in rows] == [tree.branch_b1]


def test_it_searches_by_name_or_code_and_line(client, tree, city_admin):
    client.force_login(city_admin)
    url = reverse("units:tree")

    by_name = client.get(url, {"q": "工会"}).context["rows"]
    by_code = client.get(url, {"q": "a2"}).context["rows"]
    by_line = client.get(url, {"line": Line.UNION}).context["rows"]
    nothing = client.get(url, {"q": "不存在"})

    assert [row["unit"] for row in by_name] == [tree.union_a2]
    assert [row["unit"] for row in by_code] == [tree.union_a2]
    assert [row["unit"] for row in by_line] == [tree.union_a2]
    assert nothing.context["rows"] == []
    assert nothing.status_code == 200


def test_a_search_result_carries_its_breadcrumb_linked_only_where_the_user_may_go(
    client, tree, reviewer
):
    client.force_login(reviewer)

    response = client.get(reverse("units:tree"), {"q": "A1"})

    (row,) = response.context["rows"]
    assert row["breadcrumbs"] == [(tree.city, False), (tree.committee_a, True)]
    html = response.content.decode()
    assert tree.city.name in html
    assert reverse("units:detail", args=[tree.city.pk]) not in html
    assert reverse("units:detail", args=[tree.committee_a.pk]) in html


def test_it_pages_search_results(client, tree, city_admin):
    for n in range(SEARCH_PAGE_SIZE + 5):
        UnitFactory(parent=tree.branch_b1, code=f"B1-{n:03d}", kind=UnitKind.PARTY_BRANCH)
    client.force_login(city_admin)
    url = reverse("units:tree")

    first = client.get(url, {"q": "B1-"})
    second = client.get(url, {"q": "B1-", "page": 2})

    assert len(first.context["rows"]) == SEARCH_PAGE_SIZE
    assert len(second.context["rows"]) == 5
    assert "q=B1-&amp;page=2" in first.content.decode()


def _needing(client, need: str) -> list[Unit]:
    return [
        row["unit"] for row in client.get(reverse("units:tree"), {"needs": need}).context["rows"]
    ]


def test_an_admin_lists_the_units_still_to_set_up_in_their_subtree(
    client, tree, admin_user, staff, reviewer
):
    MembershipFactory(user=admin_user, unit=tree.committee_b, role=Role.LEADER)  # sees B, no admin
    client.force_login(admin_user)

    # branch_a1 has `staff`; B's units are seen, not administered.
    assert _needing(client, "staff") == [tree.committee_a, tree.union_a2]
    # `reviewer` on committee_a reviews what is below it; nobody reviews committee_a itself.
    assert _needing(client, "reviewer") == [tree.committee_a]

    MembershipFactory(unit=tree.city, role=Role.REVIEWER)
    MembershipFactory(unit=tree.union_a2, role=Role.STAFF, user__is_active=False)
    assert _needing(client, "reviewer") == []
    assert _needing(client, "staff") == [tree.committee_a, tree.union_a2]  # inactive staff


def test_the_set_up_list_holds_active_units_only_as_the_workbench_counts(client, tree, city_admin):
    services.unit_deactivate(unit=tree.union_a2)
    client.force_login(city_admin)

    response = client.get(reverse("units:tree"), {"needs": "staff", "inactive": "on"})

    listed = [row["unit"] for row in response.context["rows"]]
    assert tree.union_a2 not in listed
    assert tree.branch_a1 in listed


def test_a_unit_whose_reviewer_the_admin_cannot_name_says_whom_to_ask(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("units:tree"), {"needs": "reviewer"})

    asks = {row["unit"] for row in response.context["rows"] if row["ask_above"]}
    assert asks == {tree.committee_a}  # its reviewer would sit on the city
    assert response.content.decode().count('data-testid="ask-above"') == 1


def test_only_an_admin_is_offered_the_set_up_filter(client, tree, leader):
    client.force_login(leader)

    response = client.get(reverse("units:tree"), {"needs": "staff"})

    assert response.status_code == 200
    assert "roots" in response.context  # the parameter is not theirs: the plain tree
    assert 'name="needs"' not in response.content.decode()


def test_an_unknown_need_shows_the_tree(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("units:tree"), {"needs": "<b>x</b>"})

    assert response.status_code == 200
    assert "roots" in response.context


def test_an_invalid_line_filter_shows_the_tree(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("units:tree"), {"line": "nonsense"})

    assert response.status_code == 200
    assert "roots" in response.context


def _grow(parent: Unit, count: int, prefix: str) -> None:
    """`count` party branches spread over two levels below `parent`."""
    middle = UnitFactory(parent=parent, code=f"{prefix}-M", kind=UnitKind.PARTY_BRANCH)
    for n in range(count):
        UnitFactory(
            parent=middle if n % 2 else parent, code=f"{prefix}-{n:03d}", kind=UnitKind.PARTY_BRANCH
        )


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params", [{"line": Line.PARTY}, {"needs": "staff"}, {"needs": "reviewer"}], ids=str
)
def test_the_search_costs_the_same_queries_for_many_rows_as_for_few(
    client, tree, city_admin, params, django_assert_max_num_queries
):
    client.force_login(city_admin)
    url = reverse("units:tree")
    few = _count_queries(client, url, params)

    _grow(tree.branch_a1, 30, "X")
    _grow(tree.branch_b1, 30, "Y")
    with django_assert_max_num_queries(few):
        response = client.get(url, params)

    assert len(response.context["rows"]) == SEARCH_PAGE_SIZE


def test_the_tree_costs_the_same_queries_for_many_children_as_for_few(
    client, tree, city_admin, django_assert_max_num_queries
):
    client.force_login(city_admin)
    UnitFactory(code="ROOT2", kind=UnitKind.PARTY_COMMITTEE)
    url = reverse("units:tree")
    few = _count_queries(client, url)

    for n in range(20):
        UnitFactory(code=f"R{n:02d}", kind=UnitKind.PARTY_COMMITTEE)
        UnitFactory(parent=tree.city, code=f"C{n:02d}", kind=UnitKind.PARTY_BRANCH)
    with django_assert_max_num_queries(few):
        client.get(url)


# --- Unit page -------------------------------------------------------------------------------


def test_the_unit_page_shows_children_members_and_pairs(client, tree, admin_user):
    MembershipFactory(unit=tree.committee_a, role=Role.REVIEWER, user__name="张审核")
    services.pair_create(unit=tree.committee_a, other=tree.committee_b, note="机关联基层")
    client.force_login(admin_user)

    response = client.get(reverse("units:detail", args=[tree.committee_a.pk]))

    html = response.content.decode()
    assert f"<title>{tree.committee_a.name} · " in html
    for text in (tree.city.name, tree.branch_a1.name, tree.union_a2.name, "张审核", "机关联基层"):
        assert text in html
    # The paired unit lies outside the admin's subtree: named, not linked.
    assert tree.committee_b.name in html
    assert reverse("units:detail", args=[tree.committee_b.pk]) not in html
    assert 'style="' not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_it_offers_admin_buttons_only_to_admins(client, tree, leader, admin_user):
    url = reverse("units:detail", args=[tree.branch_a1.pk])
    edit = reverse("units:edit", args=[tree.branch_a1.pk])
    move = reverse("units:move", args=[tree.branch_a1.pk])

    client.force_login(leader)
    assert edit not in client.get(url).content.decode()

    client.force_login(admin_user)
    html = client.get(url).content.decode()
    assert edit in html
    assert move in html
    own = client.get(reverse("units:detail", args=[tree.committee_a.pk])).content.decode()
    assert reverse("units:edit", args=[tree.committee_a.pk]) in own
    assert reverse("units:move", args=[tree.committee_a.pk]) not in own


def test_it_offers_delete_only_for_a_unit_nothing_refers_to(client, tree, admin_user):
    client.force_login(admin_user)
    delete = reverse("units:delete", args=[tree.union_a2.pk])
    url = reverse("units:detail", args=[tree.union_a2.pk])

    assert delete in client.get(url).content.decode()
    MembershipFactory(unit=tree.union_a2)
    assert delete not in client.get(url).content.decode()


def test_the_unit_page_costs_the_same_queries_for_many_rows_as_for_few(
    client, tree, city_admin, django_assert_max_num_queries
):
    client.force_login(city_admin)
    url = reverse("units:detail", args=[tree.branch_b1.pk])
    MembershipFactory(unit=tree.branch_b1)
    services.pair_create(unit=tree.branch_b1, other=tree.branch_a1)
    UnitFactory(parent=tree.branch_b1, code="B1-0", kind=UnitKind.PARTY_BRANCH)
    few = _count_queries(client, url)

    for n in range(1, 25):
        UnitFactory(parent=tree.branch_b1, code=f"B1-{n}", kind=UnitKind.PARTY_BRANCH)
        MembershipFactory(unit=tree.branch_b1, role=Role.STAFF)
        services.pair_create(
            unit=tree.branch_b1, other=UnitFactory(parent=tree.committee_a, code=f"P{n}")
        )
    with django_assert_max_num_queries(few):
        response = client.get(url)

    assert len(response.context["members"]) == 25
    assert len(response.context["pairs"]) == 25


# --- Create, edit, move ----------------------------------------------------------------------


def test_it_creates_a_child_with_the_line_of_its_kind(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("units:create", args=[tree.committee_a.pk]), _unit_data())

    unit = Unit.objects.get(code="A3")
    assert response.status_code == 302
    assert response["Location"] == reverse("units:detail", args=[unit.pk])
    assert unit.line == Line.LEAGUE
    assert unit.contact_person == "李红"
    assert Unit.objects.get_parent(unit) == tree.committee_a


def test_the_kind_decides_the_line_unless_it_is_other(client, tree, admin_user):
    client.force_login(admin_user)

    client.post(
        reverse("units:edit", args=[tree.union_a2.pk]),
        _unit_data(code="A2", kind=UnitKind.WOMEN_COMMITTEE, line=Line.UNION),
    )

    tree.union_a2.refresh_from_db()
    assert (tree.union_a2.kind, tree.union_a2.line) == (UnitKind.WOMEN_COMMITTEE, Line.WOMEN)


def test_it_asks_for_the_line_of_an_other_unit(client, tree, admin_user):
    client.force_login(admin_user)
    url = reverse("units:create", args=[tree.committee_a.pk])

    refused = client.post(url, _unit_data(kind=UnitKind.OTHER))
    accepted = client.post(url, _unit_data(kind=UnitKind.OTHER, line=Line.WOMEN))

    assert refused.status_code == 200
    assert "line" in refused.context["form"].errors
    assert accepted.status_code == 302
    assert Unit.objects.get(code="A3").line == Line.WOMEN


@pytest.mark.parametrize(
    "data",
    [
        _unit_data(code="A1"),  # taken
        _unit_data(name=""),
        _unit_data(kind="nonsense"),
    ],
    ids=["duplicate-code", "no-name", "bad-kind"],
)
def test_it_shows_form_errors_instead_of_creating(client, tree, admin_user, data):
    client.force_login(admin_user)
    count = Unit.objects.count()

    response = client.post(reverse("units:create", args=[tree.committee_a.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Unit.objects.count() == count


def test_it_refuses_a_child_under_an_inactive_unit(client, tree, admin_user):
    services.unit_deactivate(unit=tree.branch_a1)
    client.force_login(admin_user)

    response = client.post(
        reverse("units:create", args=[tree.branch_a1.pk]), _unit_data(), follow=True
    )

    assert response.status_code == 200
    assert messages_of(response)
    assert not Unit.objects.filter(code="A3").exists()


def test_it_edits_a_unit_and_keeps_its_place(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:edit", args=[tree.union_a2.pk]),
        _unit_data(code="A2", name="机关工会委员会", kind=UnitKind.TRADE_UNION, sort_order=3),
    )

    assert response.status_code == 302
    tree.union_a2.refresh_from_db()
    assert tree.union_a2.name == "机关工会委员会"
    assert tree.union_a2.sort_order == 3
    assert Unit.objects.get_parent(tree.union_a2) == tree.committee_a


def test_an_invalid_edit_keeps_the_saved_name_in_the_title(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:edit", args=[tree.union_a2.pk]),
        _unit_data(code="A1", name="改名", kind=UnitKind.TRADE_UNION),
    )

    assert response.status_code == 200
    assert f"<title>{tree.union_a2.name} · " in response.content.decode()
    tree.union_a2.refresh_from_db()
    assert tree.union_a2.code == "A2"


def test_the_move_form_offers_only_administered_units_outside_the_subtree(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("units:move", args=[tree.committee_a.pk]))

    offered = set(response.context["form"].fields["new_parent"].queryset)
    assert offered == {tree.committee_b, tree.branch_b1}


def test_it_moves_a_unit(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:move", args=[tree.branch_a1.pk]), {"new_parent": tree.union_a2.pk}
    )

    assert response.status_code == 302
    tree.branch_a1.refresh_from_db()
    assert Unit.objects.get_parent(tree.branch_a1) == tree.union_a2


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_a_bad_move_request_shows_the_form_again(client, tree, admin_user, value):
    client.force_login(admin_user)

    response = client.post(reverse("units:move", args=[tree.branch_a1.pk]), {"new_parent": value})

    assert response.status_code == 200
    assert response.context["form"].errors


# --- Deactivate, reactivate, delete ----------------------------------------------------------


def test_it_deactivates_and_reactivates_a_unit(client, tree, admin_user):
    client.force_login(admin_user)

    client.post(reverse("units:deactivate", args=[tree.branch_a1.pk]))
    tree.branch_a1.refresh_from_db()
    assert not tree.branch_a1.is_active

    client.post(reverse("units:reactivate", args=[tree.branch_a1.pk]))
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.is_active


def test_it_explains_why_a_unit_with_active_children_stays_active(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.post(reverse("units:deactivate", args=[tree.committee_a.pk]), follow=True)

    assert response.status_code == 200
    assert messages_of(response)
    tree.committee_a.refresh_from_db()
    assert tree.committee_a.is_active


def test_the_actions_accept_only_post(client, tree, admin_user):
    client.force_login(admin_user)

    for name in ("deactivate", "reactivate", "delete"):
        assert client.get(reverse(f"units:{name}", args=[tree.branch_a1.pk])).status_code == 405
    tree.branch_a1.refresh_from_db()
    assert tree.branch_a1.is_active


def test_it_deletes_an_unreferenced_unit_and_returns_to_its_parent(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("units:delete", args=[tree.union_a2.pk]))

    assert response["Location"] == reverse("units:detail", args=[tree.committee_a.pk])
    assert not Unit.objects.filter(pk=tree.union_a2.pk).exists()


def test_it_deactivates_rather_than_deletes_a_referenced_unit(client, tree, admin_user):
    MembershipFactory(unit=tree.union_a2)
    client.force_login(admin_user)

    response = client.post(reverse("units:delete", args=[tree.union_a2.pk]), follow=True)

    assert response.status_code == 200
    assert messages_of(response)
    assert Unit.objects.filter(pk=tree.union_a2.pk).exists()


# --- Members ---------------------------------------------------------------------------------


def test_it_gives_an_existing_user_a_role(client, tree, admin_user):
    someone = UserFactory(username="wanghong")
    client.force_login(admin_user)

    response = client.post(
        reverse("units:member_add", args=[tree.branch_a1.pk]),
        {"username": "wanghong", "role": Role.STAFF},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=someone, unit=tree.branch_a1, role=Role.STAFF).exists()
    assert mail.outbox == []


def test_it_says_so_when_the_member_already_holds_the_role(client, tree, admin_user):
    someone = UserFactory(username="wanghong")
    MembershipFactory(user=someone, unit=tree.branch_a1, role=Role.STAFF)
    client.force_login(admin_user)

    response = client.post(
        reverse("units:member_add", args=[tree.branch_a1.pk]),
        {"username": "wanghong", "role": Role.STAFF},
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response)
    assert Membership.objects.filter(user=someone).count() == 1


def test_it_invites_a_new_user_with_a_link_to_set_a_password(
    client, tree, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("units:member_add", args=[tree.branch_a1.pk]),
            {"username": "lixia", "role": Role.STAFF, "name": "李霞", "email": "lixia@example.cn"},
        )

    assert response.status_code == 302
    user = User.objects.get(username="lixia")
    assert user.name == "李霞"
    assert user.has_usable_password()
    assert Membership.objects.filter(user=user, unit=tree.branch_a1, role=Role.STAFF).exists()
    (message,) = mail.outbox
    assert message.to == ["lixia@example.cn"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", message.body).group(1)
    client.logout()
    assert client.get(link, follow=True).context["validlink"]


def test_it_needs_a_name_and_email_for_a_new_user(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("units:member_add", args=[tree.branch_a1.pk]),
        {"username": "nobody", "role": Role.STAFF},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "email"}
    assert not User.objects.filter(username="nobody").exists()


def test_it_invites_nobody_when_the_membership_is_refused(
    client, tree, admin_user, django_capture_on_commit_callbacks
):
    services.unit_deactivate(unit=tree.branch_a1)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("units:member_add", args=[tree.branch_a1.pk]),
            {"username": "lixia", "role": Role.STAFF, "name": "李霞", "email": "lixia@example.cn"},
        )

    assert response.status_code == 302
    assert not User.objects.filter(username="lixia").exists()
    assert mail.outbox == []


def test_it_removes_a_member(client, tree, admin_user):
    membership = MembershipFactory(unit=tree.branch_a1, role=Role.STAFF)
    client.force_login(admin_user)

    response = client.post(reverse("units:member_remove", args=[tree.branch_a1.pk, membership.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=membership.user_id).exists()


# --- Co-building pairs -----------------------------------------------------------------------


def test_it_pairs_two_units_and_refuses_the_same_pair_twice(client, tree, city_admin):
    client.force_login(city_admin)
    url = reverse("units:pair_add", args=[tree.branch_a1.pk])

    client.post(url, {"other": tree.branch_b1.pk, "note": "支部联建"})
    again = client.post(url, {"other": tree.branch_b1.pk}, follow=True)

    (pair,) = Pair.objects.all()
    assert pair.note == "支部联建"
    assert {pair.first, pair.second} == {tree.branch_a1, tree.branch_b1}
    assert messages_of(again)


def test_the_pair_form_does_not_offer_the_unit_itself(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(reverse("units:pair_add", args=[tree.branch_a1.pk]))

    assert tree.branch_a1 not in response.context["form"].fields["other"].queryset


def test_it_removes_a_pair_from_either_side(client, tree, city_admin):
    pair = services.pair_create(unit=tree.branch_a1, other=tree.branch_b1)
    client.force_login(city_admin)

    response = client.post(reverse("units:pair_remove", args=[tree.branch_b1.pk, pair.pk]))

    assert response.status_code == 302
    assert not Pair.objects.exists()
