"""Co-organised activities through the pages: naming co-organisers, their staff confirming or
declining, and who may see and answer."""

import pytest
from django.urls import reverse

from activities import services
from activities.models import PARTICIPANT_FIELDS, CoOrganiser, CoOrganiserStatus
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.pages import messages_of
from units import services as unit_services
from units.models import Role, UnitKind


@pytest.fixture
def union_staff(tree):
    """Staff of union_a2, branch_a1's sibling under committee_a."""
    user = UserFactory(username="staff_a2")
    MembershipFactory(user=user, unit=tree.union_a2, role=Role.STAFF)
    return user


@pytest.fixture
def league(tree):
    """A third unit under committee_a: branch_a1's other sibling."""
    return UnitFactory(parent=tree.committee_a, code="A3", kind=UnitKind.LEAGUE_COMMITTEE)


@pytest.fixture
def named(tree, draft) -> CoOrganiser:
    """union_a2 named as co-organiser of branch_a1's draft, not yet answered."""
    return CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)


def _form(draft, task, units) -> dict:
    counts = dict.fromkeys(PARTICIPANT_FIELDS.values(), "0")
    return {
        "title": draft.title,
        "starts_on": "2010-06-01",
        "tasks": [task.pk],
        "coorganisers": [unit.pk for unit in units],
        **counts,
    }


def _respond(client, coorganiser, confirm: str, **extra):
    return client.post(
        reverse("activities:respond", args=[coorganiser.pk]), {"confirm": confirm, **extra}
    )


def test_staff_name_co_organisers_on_the_form(client, tree, staff, task, draft, league):
    client.force_login(staff)
    data = _form(draft, task, [tree.union_a2, league])

    response = client.post(reverse("activities:edit", args=[draft.pk]), data)

    assert response.status_code == 302
    rows = draft.coorganisers.order_by("unit__path")
    assert [(c.unit, c.status) for c in rows] == [
        (tree.union_a2, CoOrganiserStatus.PENDING),
        (league, CoOrganiserStatus.PENDING),
    ]


def test_renaming_keeps_the_answers_of_units_still_named(
    client, tree, staff, union_staff, task, draft, named, league
):
    services.coorganiser_respond(actor=union_staff, coorganiser=named, confirm=True)
    client.force_login(staff)
    data = _form(draft, task, [tree.union_a2, league])

    client.post(reverse("activities:edit", args=[draft.pk]), data)

    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.CONFIRMED
    assert draft.coorganisers.get(unit=league).status == CoOrganiserStatus.PENDING


def test_co_organiser_staff_see_the_activity_and_the_buttons(client, union_staff, draft, named):
    client.force_login(union_staff)

    response = client.get(reverse("activities:detail", args=[draft.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert draft.title in html
    assert reverse("activities:respond", args=[named.pk]) in html
    assert 'data-testid="edit"' not in html  # they answer; the organiser edits


def test_co_organiser_staff_find_it_in_their_list_to_confirm(
    client, tree, union_staff, draft, named
):
    client.force_login(union_staff)

    response = client.get(reverse("activities:list"), {"status": "to_confirm"})

    html = response.content.decode()
    assert draft.title in html
    assert 'data-testid="coorganiser-marker"' in html
    assert tree.branch_a1.name in html
    assert reverse("activities:respond", args=[named.pk]) in html


def test_co_organiser_staff_confirm(client, union_staff, draft, named):
    client.force_login(union_staff)

    response = _respond(client, named, "1")

    assert response.status_code == 302
    assert response["Location"] == reverse("activities:detail", args=[draft.pk])
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.CONFIRMED
    assert named.responded_by == union_staff and named.responded_at is not None


def test_co_organiser_staff_decline_and_go_back_to_their_list(client, union_staff, draft, named):
    client.force_login(union_staff)
    back = reverse("activities:list") + "?status=to_confirm"

    response = _respond(client, named, "0", next=back)

    assert response["Location"] == back
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.DECLINED


def test_a_second_answer_is_refused_with_a_message(client, union_staff, draft, named):
    client.force_login(union_staff)
    _respond(client, named, "1")

    response = client.post(
        reverse("activities:respond", args=[named.pk]), {"confirm": "0"}, follow=True
    )

    assert "already answered" in " ".join(messages_of(response))
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.CONFIRMED


def test_the_organisers_staff_may_not_answer_for_the_co_organiser(client, staff, named):
    client.force_login(staff)

    response = _respond(client, named, "1")

    assert response.status_code == 403
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.PENDING


def test_a_reviewer_above_may_not_answer_either(client, staff, reviewer, named):
    services.activity_submit(actor=staff, activity=named.activity)  # a draft is hidden above
    client.force_login(reviewer)

    assert _respond(client, named, "1").status_code == 403
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.PENDING


def test_an_outsider_gets_a_404(client, outsider, draft, named):
    client.force_login(outsider)

    assert _respond(client, named, "1").status_code == 404
    assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.PENDING


@pytest.mark.parametrize("answer", [None, "", "yes", "2"])
def test_a_bad_answer_is_a_400(client, union_staff, named, answer):
    client.force_login(union_staff)
    data = {} if answer is None else {"confirm": answer}

    response = client.post(reverse("activities:respond", args=[named.pk]), data)

    assert response.status_code == 400
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.PENDING


def test_answering_is_post_only(client, union_staff, named):
    client.force_login(union_staff)

    assert client.get(reverse("activities:respond", args=[named.pk])).status_code == 405


def test_a_paired_unit_elsewhere_in_the_tree_sees_it_only_once_named(client, tree, staff, draft):
    unit_services.pair_create(unit=tree.branch_a1, other=tree.branch_b1)
    paired_staff = UserFactory(username="staff_b1")
    MembershipFactory(user=paired_staff, unit=tree.branch_b1, role=Role.STAFF)
    client.force_login(paired_staff)
    url = reverse("activities:detail", args=[draft.pk])
    assert client.get(url).status_code == 404

    services.activity_update(actor=staff, activity=draft, data={}, coorganisers=[tree.branch_b1])
    named = draft.coorganisers.get()

    assert client.get(url).status_code == 200
    assert _respond(client, named, "1").status_code == 302
    named.refresh_from_db()
    assert named.status == CoOrganiserStatus.CONFIRMED
