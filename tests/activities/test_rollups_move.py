"""Moving a unit moves its figures in the roll-ups, without recomputing them all.

The property: on random small trees with activities in every state (co-organised across the
moved subtree's edge or not, waiting at level 1 or 2, with reviewers' decisions), after each of a
few random moves — up, down, sideways, to another depth — the roll-up tables hold the same rows
as a full `rollups_rebuild()` of the records."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities import rollups
from activities.models import (
    Action,
    ActivityEvent,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
    UnitRollup,
)
from campaigns.models import Line
from tests.activities.test_rollups import _rows
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Unit, UnitKind
from units.services import unit_move

pytestmark = pytest.mark.django_db

STATES = ["draft", "returned", "submitted_1", "submitted_2", "approved"]
START = datetime.datetime(2010, 6, 1, 9, tzinfo=datetime.UTC)

activity_strategy = st.fixed_dictionaries(
    {
        "unit": st.integers(0, 9),
        "state": st.sampled_from(STATES),
        "tasks": st.lists(st.integers(0, 2), max_size=3, unique=True),
        "month": st.integers(6, 8),
        "participants": st.integers(0, 30),
        "quantity": st.one_of(st.none(), st.integers(0, 5)),
        "late": st.booleans(),
        "coorganisers": st.lists(
            st.tuples(st.integers(0, 9), st.sampled_from(list(CoOrganiserStatus))), max_size=3
        ),
        "reviews": st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=2),
        "waiting_day": st.integers(0, 3),
    }
)


class Town:
    """A tree of units (unit i under one of units 0…i-1, or a root of its own), a campaign with
    three tasks on two lines, and activities put straight into the state drawn, then counted by a
    full rebuild."""

    def __init__(self, parents: list[int], activities: list[dict]):
        root = UnitFactory(kind=UnitKind.PARTY_COMMITTEE)
        self.units = [root]
        for parent in parents:  # -1: another root, whose tree may move under the first
            above = Unit.objects.get(pk=self.units[parent].pk) if parent >= 0 else None
            self.units.append(UnitFactory(parent=above))
        self.campaign = CampaignFactory(unit=root, review_levels=2)
        self.tasks = [
            TargetTaskFactory(campaign=self.campaign, line=Line.PARTY),
            TargetTaskFactory(campaign=self.campaign, line=Line.PARTY),
            TargetTaskFactory(campaign=self.campaign, line=Line.UNION),
        ]
        for i, unit in enumerate(self.units):
            for task in self.tasks:
                TargetFactory(unit=unit, task=task, due_on=datetime.date(2010, 6, 10 + i))
        author = UserFactory()
        for spec in activities:
            self._activity(spec, author)
        rollups.rollups_rebuild()

    def unit(self, index: int) -> Unit:
        return Unit.objects.get(pk=self.units[index % len(self.units)].pk)

    def _activity(self, spec: dict, author) -> None:
        unit = self.unit(spec["unit"])
        state = spec["state"]
        status = state.split("_")[0]
        days = spec["waiting_day"] + (20 if spec["late"] else 0)
        submitted = START + datetime.timedelta(days=days)
        activity = ActivityFactory(
            campaign=self.campaign,
            unit=unit,
            created_by=author,
            starts_on=datetime.date(2010, spec["month"], 1),
            participants_party_members=spec["participants"],
            participants=spec["participants"],
            quantity=None if spec["quantity"] is None else Decimal(spec["quantity"]),
            status=status,
            review_level=int(state[-1]) if status == Status.SUBMITTED else 0,
            first_submitted_at=None if status == Status.DRAFT else submitted,
            submitted_at=None if status == Status.DRAFT else submitted,
            waiting_since=submitted if status == Status.SUBMITTED else None,
            approved_at=submitted if status == Status.APPROVED else None,
        )
        activity.tasks.set([self.tasks[i] for i in spec["tasks"]])
        for index, answer in spec["coorganisers"]:
            partner = self.unit(index)
            if partner.pk != unit.pk:
                CoOrganiser.objects.get_or_create(
                    activity=activity, unit=partner, defaults={"status": answer}
                )
        for months_later, on_time in spec["reviews"]:
            event = ActivityEvent.objects.create(
                activity=activity,
                action=Action.RETURN if months_later == 2 else Action.PASS_ON,
                from_status=Status.SUBMITTED,
                to_status=Status.SUBMITTED,
                level=1,
                on_time=on_time,
            )
            ActivityEvent.objects.filter(pk=event.pk).update(
                created_at=START + datetime.timedelta(days=31 * months_later)
            )


def _rebuilt_rows():
    """The rows a full rebuild writes, leaving the tables as they were found."""
    sid = transaction.savepoint()
    rollups.rollups_rebuild()
    rows = _rows()
    transaction.savepoint_rollback(sid)
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    parents=st.integers(1, 9).flatmap(
        lambda n: st.tuples(*(st.integers(-1 if i else 0, i) for i in range(n))).map(list)
    ),
    activities=st.lists(activity_strategy, min_size=1, max_size=12),
    moves=st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=4),
)
def test_after_any_move_the_roll_ups_equal_a_full_rebuild(db, parents, activities, moves):
    with transaction.atomic():
        town = Town(parents, activities)
        for moving, under in moves:
            unit, new_parent = town.unit(moving), town.unit(under)
            if new_parent.path.startswith(unit.path):
                continue  # refused: under itself
            unit_move(unit=unit, new_parent=new_parent)
            assert _rows() == _rebuilt_rows(), (moving, under)
        transaction.set_rollback(True)


@pytest.fixture
def town(db):
    """CITY > A > A1 > A1x, CITY > B; an approved activity of A1x co-organised by A (so A keeps
    it when A1 leaves) and one of A1 co-organised by B (so B has it before A1 comes)."""
    return Town(
        [0, 1, 2, 0],
        [
            {
                "unit": 3,
                "state": "approved",
                "tasks": [0, 2],
                "month": 6,
                "participants": 12,
                "quantity": 3,
                "late": False,
                "coorganisers": [(1, CoOrganiserStatus.CONFIRMED)],
                "reviews": [(0, True)],
                "waiting_day": 0,
            },
            {
                "unit": 2,
                "state": "approved",
                "tasks": [1],
                "month": 7,
                "participants": 5,
                "quantity": None,
                "late": True,
                "coorganisers": [(4, CoOrganiserStatus.CONFIRMED)],
                "reviews": [],
                "waiting_day": 1,
            },
            {
                "unit": 3,
                "state": "submitted_2",
                "tasks": [0],
                "month": 6,
                "participants": 1,
                "quantity": 1,
                "late": False,
                "coorganisers": [],
                "reviews": [(1, False)],
                "waiting_day": 2,
            },
        ],
    )


def _totals(unit: Unit) -> tuple[int, int]:
    row = UnitRollup.objects.get(unit=unit, month=datetime.date(2010, 6, 1), line="")
    return row.activities, row.reviews


def test_moving_a_unit_moves_its_figures_without_a_full_rebuild(town, monkeypatch):
    def refuse():
        raise AssertionError("a move must not recompute every roll-up")

    monkeypatch.setattr(rollups, "rollups_rebuild", refuse)
    a, a1, b = town.unit(1), town.unit(2), town.unit(4)
    assert _totals(a) == (1, 1)

    unit_move(unit=a1, new_parent=b)

    # A keeps the June activity through its own co-organisation; B gains A1's June figures.
    assert _totals(a) == (1, 0)
    assert _totals(b) == (1, 1)
    assert _totals(town.unit(0)) == (1, 1)
    monkeypatch.undo()
    assert _rows() == _rebuilt_rows()


def test_a_move_in_the_admin_moves_the_figures_too(town, client, monkeypatch):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    def refuse():
        raise AssertionError("a move must not recompute every roll-up")

    monkeypatch.setattr(rollups, "rollups_rebuild", refuse)
    a1, b = town.unit(2), town.unit(4)

    response = client.post(
        reverse("admin:units_unit_changelist") + "move/",
        {"node": a1.pk, "target": b.pk, "relation": "child"},
    )

    assert response.status_code == 200
    assert Unit.objects.get_parent(town.unit(2)) == b
    monkeypatch.undo()
    assert _rows() == _rebuilt_rows()
