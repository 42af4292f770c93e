"""The leader's follow-up counts (comment_selectors.subtree_counts: open, overdue, waiting for a
close) read the kept roll-ups of the leader's top units and the reported follow-ups' own rows.
They must equal the records — the rows of open_in_subtree, which the counts link to — for every
leader, on any day, after follow-ups in every state in a running and a finished campaign, and
after a unit moves to another branch."""

import random

import pytest

from evaluations import comment_selectors as selectors
from evaluations import comment_services as services
from evaluations.models import FollowUp
from tests.conftest import _member
from tests.evaluations.comment_fixtures import days
from tests.factories import CampaignFactory, MembershipFactory, UserFactory
from units.models import Role
from units.services import unit_move

pytestmark = pytest.mark.django_db


def _from_records(leader, today) -> selectors.SubtreeCounts:
    return selectors.SubtreeCounts(
        open=selectors.open_in_subtree(leader, today=today).count(),
        overdue=selectors.open_in_subtree(leader, overdue=True, today=today).count(),
        reported=selectors.open_in_subtree(leader, reported=True, today=today).count(),
    )


def _follow_ups_in_every_state(tree, running, seed: int) -> None:
    """Follow-ups on every unit of the tree, due in 0–6 days, left open, acknowledged, reported,
    sent back or closed; and a few in a campaign that has finished."""
    rng = random.Random(seed)
    city_leader = _member(tree.city, Role.LEADER, "leader_city_counts")
    units = tree.units
    staff = {unit.pk: _member(unit, Role.STAFF, f"staff_counts_{unit.code}") for unit in units}
    finished = CampaignFactory(unit=tree.city)  # 2010: long over
    for n in range(30):
        unit = rng.choice(units)
        comment = services.comment_write(
            city_leader, unit, running, f"意见 {n}", follow_up_due=days(rng.randint(0, 6))
        )
        follow_up, doer = comment.follow_up, staff[unit.pk]
        state = rng.choice(["open", "acknowledged", "reported", "sent_back", "closed"])
        if state == "acknowledged":
            services.follow_up_acknowledge(doer, follow_up)
        if state in {"reported", "sent_back", "closed"}:
            follow_up = services.follow_up_report(doer, follow_up, "已整改")
        if state == "sent_back":
            services.follow_up_send_back(city_leader, follow_up, "证据不足")
        if state == "closed":
            services.follow_up_close(city_leader, follow_up)
    # A finished campaign's follow-ups are history: in no count. (Written while it ran.)
    for unit in units[:3]:
        FollowUp.objects.create(
            comment=services.comment_write(city_leader, unit, running, "旧意见"),
            unit=unit,
            campaign=finished,
            due_on=finished.ends_on,
            status="reported",
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_counts_equal_the_records_for_every_leader_on_any_day(tree, running, seed):
    _follow_ups_in_every_state(tree, running, seed)
    leaders = [
        _member(tree.city, Role.LEADER, "leader_city_only"),
        _member(tree.committee_a, Role.LEADER, "leader_a_only"),
        _member(tree.branch_b1, Role.LEADER, "leader_b1_only"),
        UserFactory(is_superuser=True),
    ]
    both = _member(tree.committee_b, Role.LEADER, "leader_a_and_b")
    MembershipFactory(user=both, unit=tree.committee_a, role=Role.LEADER)
    leaders.append(both)
    staff_only = _member(tree.branch_a1, Role.STAFF, "staff_only")
    assert FollowUp.objects.filter(status="reported").exists()
    for today in (days(0), days(3), days(10)):
        for leader in leaders:
            counts = selectors.subtree_counts(leader, today)
            assert counts == _from_records(leader, today), (leader.username, today)
        assert selectors.subtree_counts(staff_only, today) == selectors.SubtreeCounts(0, 0, 0)
    everything = selectors.subtree_counts(leaders[0], days(10))
    assert everything.open and everything.overdue == everything.open  # all due by then


def test_the_counts_follow_a_unit_that_moves_to_another_branch(tree, running):
    _follow_ups_in_every_state(tree, running, 7)
    leader_a = _member(tree.committee_a, Role.LEADER, "leader_a_move")
    leader_b = _member(tree.committee_b, Role.LEADER, "leader_b_move")
    before = [selectors.subtree_counts(who, days(4)) for who in (leader_a, leader_b)]
    unit_move(unit=tree.branch_b1, new_parent=tree.committee_a)
    for leader in (leader_a, leader_b):
        assert selectors.subtree_counts(leader, days(4)) == _from_records(leader, days(4))
    after = [selectors.subtree_counts(who, days(4)) for who in (leader_a, leader_b)]
    assert after[0].open + after[1].open == before[0].open + before[1].open
