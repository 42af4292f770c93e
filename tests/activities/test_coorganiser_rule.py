"""Issue 10, item 9: who may co-organise is one selector (activities.selectors.
coorganiser_choices) for the form and the service — the units directly under the same parent and
the unit's co-building pairs, nothing else — and the staff of a co-organising unit that has not
declined may not review the activity: it counts for their unit.

The tree (tests/conftest.py): CITY → A (A1, A2) and B (B1); `draft` is A1's, `reviewer` is on A."""

import pytest
from django.urls import reverse

from activities import services
from activities.exceptions import ActivityError
from activities.models import CoOrganiser, Status
from activities.selectors import can_review, coorganiser_choices, review_queue
from notifications.rules import reviewers_who_may_act
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from units.models import Pair, Role, UnitKind
from units.scope import Scope


@pytest.fixture
def nephew(tree):
    """A unit under A2: further down than a sibling."""
    return UnitFactory(parent=tree.union_a2, code="A2-1", kind=UnitKind.TRADE_UNION)


def test_the_choices_are_the_siblings_and_the_pairs_only(tree, nephew):
    Pair.objects.create(first=tree.branch_a1, second=tree.branch_b1)

    assert list(coorganiser_choices(tree.branch_a1)) == [tree.union_a2, tree.branch_b1]
    assert list(coorganiser_choices(tree.city)) == []


def test_the_form_offers_exactly_the_choices(client, tree, staff, draft, nephew):
    client.force_login(staff)

    response = client.get(reverse("activities:edit", args=[draft.pk]))

    offered = list(response.context["form"].fields["coorganisers"].queryset)
    assert offered == list(coorganiser_choices(tree.branch_a1)) == [tree.union_a2]


@pytest.mark.parametrize("which", ["committee_a", "city", "branch_b1", "nephew"])
def test_the_service_refuses_any_other_unit(request, tree, staff, draft, task, which):
    unit = request.getfixturevalue("nephew") if which == "nephew" else getattr(tree, which)

    with pytest.raises(ActivityError):
        services.activity_update(actor=staff, activity=draft, data={}, coorganisers=[unit])

    assert not CoOrganiser.objects.filter(activity=draft).exists()


def test_the_edit_page_refuses_the_parent_with_a_message(client, tree, staff, draft, task):
    client.force_login(staff)

    response = client.post(
        reverse("activities:edit", args=[draft.pk]),
        {
            "title": draft.title,
            "starts_on": "2010-06-01",
            "tasks": [task.pk],
            "coorganisers": [tree.committee_a.pk],
            "participants_party_members": "0",
        },
    )

    assert response.status_code in (200, 400)
    assert not CoOrganiser.objects.filter(activity=draft).exists()


@pytest.fixture
def conflicted(tree, reviewer):
    """A second reviewer on A who also reports for A2."""
    user = UserFactory(username="reviewer_and_union_staff")
    MembershipFactory(user=user, unit=tree.committee_a, role=Role.REVIEWER)
    MembershipFactory(user=user, unit=tree.union_a2, role=Role.STAFF)
    return user


@pytest.fixture
def shared(tree, staff, draft):
    CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
    return services.activity_submit(actor=staff, activity=draft)


def test_co_organisers_staff_may_not_review_it(client, tree, reviewer, conflicted, shared):
    assert not can_review(Scope.of(conflicted), shared)
    assert shared.pk not in review_queue(conflicted).values_list("pk", flat=True)
    assert reviewers_who_may_act([shared])[shared.pk] == [reviewer]
    client.force_login(conflicted)

    single = client.post(reverse("activities:approve", args=[shared.pk]), {"level": 1})
    bulk = client.post(
        reverse("activities:bulk_approve"),
        {"scope": "selected", "ids": [shared.pk], "confirm": "on", "listed_at": "2099-01-01"},
    )

    assert single.status_code == 403
    assert [o.ok for o in bulk.context["outcomes"]] == []
    shared.refresh_from_db()
    assert shared.status == Status.SUBMITTED
    assert can_review(Scope.of(reviewer), shared)


def test_once_their_unit_declined_they_may(tree, conflicted, shared):
    union_staff = UserFactory(username="staff_a2")
    MembershipFactory(user=union_staff, unit=tree.union_a2, role=Role.STAFF)
    services.coorganiser_respond(
        actor=union_staff, coorganiser=shared.coorganisers.get(), confirm=False
    )

    assert can_review(Scope.of(conflicted), shared)
    assert shared.pk in review_queue(conflicted).values_list("pk", flat=True)
