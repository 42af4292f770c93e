"""Reviewers acting at once: exactly one transition wins, the others get a clear refusal.

Needs PostgreSQL's row locks (SQLite has one writer and would only serialise the threads);
`.ci/run` sets CHUANGXIAN_REQUIRE_POSTGRES so that there the test fails instead of skipping."""

import threading

import pytest
from django.db import connections
from django.utils import translation

from activities import services
from activities.exceptions import ActivityError
from activities.models import Activity, ActivityEvent, Status
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.usefixtures("needs_postgresql")


def _race(actions) -> list[str]:
    """Run each action in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index, action):
        try:
            with translation.override("en"):  # a new thread starts in the default language
                barrier.wait()
                action()
                outcomes[index] = "ok"
        except ActivityError as error:
            with translation.override("en"):
                outcomes[index] = f"refused: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_reviewers_racing_to_approve_and_return_give_one_transition(tree, staff, reviewer, draft):
    others = [UserFactory(username=f"reviewer_{n}") for n in range(5)]
    for user in others:
        MembershipFactory(user=user, unit=tree.committee_a, role=Role.REVIEWER)
    activity = services.activity_submit(actor=staff, activity=draft)

    def approve(user):
        return lambda: services.activity_approve(actor=user, activity=activity, level=1)

    def give_back(user):
        return lambda: services.activity_return(
            actor=user, activity=activity, level=1, reason="请补充材料"
        )

    actions = [approve(reviewer), give_back(others[0]), approve(others[1])]
    actions += [give_back(others[2]), approve(others[3]), give_back(others[4])]
    outcomes = _race(actions)

    assert outcomes.count("ok") == 1, outcomes
    refused = [o for o in outcomes if o != "ok"]
    assert all("acted" in o for o in refused), refused
    activity.refresh_from_db()
    review_events = ActivityEvent.objects.filter(activity=activity).exclude(action="submit")
    assert review_events.count() == 1
    event = review_events.get()
    assert activity.status == event.to_status
    assert activity.status in (Status.APPROVED, Status.RETURNED)
    if activity.status == Status.RETURNED:
        assert activity.return_reason == "请补充材料"
    else:
        assert activity.approved_at is not None


@pytest.mark.django_db(transaction=True)
def test_staff_withdrawing_while_a_reviewer_approves_gives_one_transition(staff, reviewer, draft):
    activity = services.activity_submit(actor=staff, activity=draft)
    outcomes = _race(
        [
            lambda: services.activity_withdraw(actor=staff, activity=activity),
            lambda: services.activity_approve(actor=reviewer, activity=activity, level=1),
        ]
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    activity = Activity.objects.get(pk=activity.pk)
    last = activity.events.order_by("pk").last()
    assert activity.events.count() == 2
    assert activity.status == last.to_status


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["move", "approval"])
def test_an_approval_racing_a_unit_move_is_counted_where_the_unit_ends_up(
    tree, staff, draft, first
):
    """Whichever of the two takes the tree first, the other waits for it to commit (units.locks):
    the approval never counts along the paths that the move is rewriting."""
    import time

    from django.db import transaction

    from activities.rollups import rollups_rebuild
    from tests.activities.test_rollups import _rows
    from units.services import unit_move

    city_reviewer = UserFactory(username="reviewer_city")
    MembershipFactory(user=city_reviewer, unit=tree.city, role=Role.REVIEWER)
    activity = services.activity_submit(actor=staff, activity=draft)
    started = threading.Event()

    def move():
        with transaction.atomic():
            if first == "approval":
                started.wait(5)
            unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)
            started.set()
            time.sleep(0.3)  # still holding it when the approval comes

    def approve():
        with transaction.atomic():
            if first == "move":
                started.wait(5)
            services.activity_approve(actor=city_reviewer, activity=activity, level=1)
            started.set()
            time.sleep(0.3)

    assert _race([move, approve]) == ["ok", "ok"]

    kept = _rows()
    rollups_rebuild()
    assert _rows() == kept
    assert {unit for unit, *_rest in kept[1]} == {
        tree.branch_a1.pk,
        tree.committee_b.pk,
        tree.city.pk,
    }
