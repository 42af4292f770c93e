"""Issue 10, item 8: the member-import preview tells an admin nothing about an existing user
that the admin may not already see. A user who is a member of a unit the admin administers is
shown with the stored e-mail (the unit page shows it too); anyone else only "differs".

The tree (tests/conftest.py): `admin_user` administers committee A's subtree."""

import pytest

from tests.factories import MembershipFactory, UserFactory
from tests.units.test_import import MEMBER_HEADER, csv_file, upload
from units.models import Membership, Role

SECRET = "zhang.secret@example.gov.cn"


def _preview(client, admin_user, username):
    client.force_login(admin_user)
    rows = [MEMBER_HEADER, [username, "随便写", "guess@example.gov.cn", "", "A1", "填报员"]]
    return upload(client, "members", csv_file(rows))


def test_an_outsiders_email_and_name_are_not_shown(client, tree, admin_user):
    outsider = UserFactory(username="zhang_b", name="张秘书", email=SECRET)
    MembershipFactory(user=outsider, unit=tree.committee_b, role=Role.STAFF)

    response = _preview(client, admin_user, "zhang_b")

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["plan"].errors
    assert SECRET not in page and "zhang.secret" not in page
    assert "张秘书" not in page
    messages = [e.message for e in response.context["plan"].errors]
    assert any("give the e-mail address they are registered with" in m for m in messages)
    assert not Membership.objects.filter(user=outsider, unit=tree.branch_a1).exists()


@pytest.mark.parametrize("email", ["", "guess@example.gov.cn"])
def test_an_outsider_is_not_added_without_the_email_on_record(client, tree, admin_user, email):
    """Adding an outsider to one's own unit would show their name and e-mail on its page."""
    outsider = UserFactory(username="zhang_b", name="张秘书", email=SECRET)
    MembershipFactory(user=outsider, unit=tree.committee_b, role=Role.STAFF)
    client.force_login(admin_user)

    response = upload(
        client, "members", csv_file([MEMBER_HEADER, ["zhang_b", "", email, "", "A1", "填报员"]])
    )

    assert response.context["plan"].errors
    assert SECRET not in response.content.decode()
    assert not Membership.objects.filter(user=outsider, unit=tree.branch_a1).exists()


def test_an_outsider_given_with_the_email_on_record_is_added(client, tree, admin_user):
    outsider = UserFactory(username="zhang_b", name="张秘书", email=SECRET)
    MembershipFactory(user=outsider, unit=tree.committee_b, role=Role.STAFF)
    client.force_login(admin_user)

    response = upload(
        client, "members", csv_file([MEMBER_HEADER, ["zhang_b", "", SECRET, "", "A1", "填报员"]])
    )

    assert not response.context["plan"].errors


def test_a_user_with_no_membership_at_all_is_not_shown_either(client, tree, admin_user):
    UserFactory(username="zhang_none", name="张无", email=SECRET)

    page = _preview(client, admin_user, "zhang_none").content.decode()

    assert SECRET not in page and "张无" not in page


def test_a_member_of_the_admins_units_is_shown_as_the_unit_page_shows_them(
    client, tree, admin_user
):
    colleague = UserFactory(username="zhang_a", name="张同事", email=SECRET)
    MembershipFactory(user=colleague, unit=tree.union_a2, role=Role.STAFF)

    response = _preview(client, admin_user, "zhang_a")

    assert SECRET in response.content.decode()
