"""Issue 10, item 2: who may review is derived from the tree as it is now. After a unit moves,
every path of a former reviewer (single, bulk by ids, bulk "all filtered", the queue) is refused,
the waiting submissions go to the reviewers now above the unit with an event, and the notices
follow them.

The tree (tests/conftest.py): CITY → A (A1, A2) and B (B1). A1's draft waits on A's reviewer
until A1 moves under B."""

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Action, Status
from activities.selectors import can_review, review_queue
from notifications.models import Notification, Rule
from tests.factories import MembershipFactory, UserFactory
from units.models import Role, Unit
from units.scope import Scope
from units.services import unit_move


def _member(unit, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def reviewer_b(tree):
    return _member(tree.committee_b, Role.REVIEWER, "reviewer_b")


@pytest.fixture
def former(tree, reviewer):
    """A's reviewer, who also leads the city: still sees A1 wherever it goes."""
    MembershipFactory(user=reviewer, unit=tree.city, role=Role.LEADER)
    return reviewer


@pytest.fixture
def waiting(staff, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.activity_submit(actor=staff, activity=draft)


def _queue_ids(user) -> list[int]:
    return list(review_queue(user).values_list("pk", flat=True))


def _queue_notice_ids(user) -> list[int]:
    ids = []
    for row in Notification.objects.filter(recipient=user, rule=Rule.SUBMITTED):
        ids.extend(row.context.get("activity_ids") or [])
    return ids


def _bulk(client, **data):
    return client.post(
        reverse("activities:bulk_approve"),
        {"confirm": "on", "listed_at": timezone.now().isoformat(), **data},
    )


def _assert_former_refused_everywhere(client, former, activity):
    before = (activity.status, activity.review_level, activity.events.count())
    client.force_login(former)

    single = client.post(
        reverse("activities:approve", args=[activity.pk]), {"level": 1}, follow=False
    )
    by_ids = _bulk(client, scope="selected", ids=[activity.pk])
    filtered = _bulk(client, scope="filtered")
    queue = client.get(reverse("activities:queue"))

    assert single.status_code == 403
    assert [o.ok for o in by_ids.context["outcomes"]] == []
    assert [a.pk for a in by_ids.context["missing"]] == [activity.pk]
    assert filtered.context["outcomes"] == []
    assert activity.pk not in _queue_ids(former)
    assert f"/activities/{activity.pk}/" not in queue.content.decode()
    activity.refresh_from_db()
    assert (activity.status, activity.review_level, activity.events.count()) == before


def test_after_a_move_the_submission_goes_to_the_reviewers_now_above(
    client, tree, former, reviewer_b, waiting, django_capture_on_commit_callbacks
):
    assert waiting.review_unit == tree.committee_a
    assert waiting.pk in _queue_notice_ids(former)

    with django_capture_on_commit_callbacks(execute=True):
        unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)

    waiting.refresh_from_db()
    assert waiting.status == Status.SUBMITTED
    assert waiting.review_unit == tree.committee_b
    event = waiting.events.latest("pk")
    assert (event.action, event.actor, event.comment, event.level) == (
        Action.REROUTE,
        None,
        tree.committee_b.name,
        1,
    )
    # The notices followed: gone from the former reviewer's inbox, in the new reviewer's.
    assert waiting.pk not in _queue_notice_ids(former)
    assert waiting.pk in _queue_notice_ids(reviewer_b)

    _assert_former_refused_everywhere(client, former, waiting)

    client.force_login(reviewer_b)
    assert waiting.pk in _queue_ids(reviewer_b)
    response = client.post(reverse("activities:approve", args=[waiting.pk]), {"level": 1})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED


def test_authority_comes_from_the_tree_even_before_any_re_routing(client, tree, former, waiting):
    """A move that bypassed the services (no signal): the stored reviewing unit is stale, and
    the former reviewer is refused all the same."""
    Unit.objects.move(Unit.objects.get(pk=tree.branch_a1.pk), tree.committee_b, "sorted-child")
    waiting.refresh_from_db()
    waiting.unit.refresh_from_db()
    assert waiting.review_unit_id == tree.committee_a.pk  # not re-routed

    assert not can_review(Scope.of(former), waiting)
    _assert_former_refused_everywhere(client, former, waiting)


def test_a_reviewer_above_both_places_keeps_the_item(tree, waiting):
    city_reviewer = _member(tree.city, Role.REVIEWER, "city_reviewer")

    unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)

    waiting.refresh_from_db()
    assert can_review(Scope.of(city_reviewer), waiting)
    assert waiting.pk in _queue_ids(city_reviewer)


def test_a_move_that_changes_nobodys_authority_writes_no_event(tree, reviewer, waiting):
    unit_move(unit=tree.union_a2, new_parent=tree.committee_b)

    waiting.refresh_from_db()
    assert waiting.review_unit == tree.committee_a
    assert not waiting.events.filter(action=Action.REROUTE).exists()


def test_re_routing_twice_writes_one_event(tree, reviewer_b, waiting):
    unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)
    services.submissions_reroute(unit=None)  # e.g. a second announcement from the admin

    assert waiting.events.filter(action=Action.REROUTE).count() == 1
