"""A property test: on random trees, after a random sequence of review transitions, the roll-ups
the dashboards read agree with the records.

For every unit and task: the roll-up equals a direct count of the approved records, every
parent's set of activities is its own plus its children's with a co-organised activity once, and
rebuilding the tables from scratch gives the same rows as keeping them up to date."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import services
from activities.exceptions import ActivityError
from activities.models import (
    Activity,
    CoOrganiser,
    CoOrganiserStatus,
    Status,
    TaskRollup,
    UnitRollup,
    WaitingRollup,
)
from activities.progress import (
    overdue_count,
    period_of,
    subtree_task_figures,
    unit_totals,
)
from activities.rollups import rollups_rebuild
from activities.selectors import can_review, coorganiser_choices
from campaigns.deadlines import overdue_since
from campaigns.exceptions import CampaignError
from campaigns.models import Metric
from campaigns.services import task_update
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
from tests.figures import task_figures
from units.models import Role, UnitKind
from units.scope import Scope

pytestmark = pytest.mark.django_db

KINDS = [UnitKind.PARTY_BRANCH, UnitKind.TRADE_UNION, UnitKind.LEAGUE_BRANCH]
SUITS = {
    "submit": [Status.DRAFT, Status.RETURNED],
    "review": [Status.SUBMITTED],
    "reopen": [Status.APPROVED],
    "answer": [Status.DRAFT, Status.SUBMITTED, Status.APPROVED],
}


class World:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        root = UnitFactory(code=f"R{seed}", kind=UnitKind.PARTY_COMMITTEE)
        self.units = [root]
        for depth in (1, 2, 3):
            parents = [u for u in self.units if u.depth == depth]
            for parent in parents:
                for _ in range(self.rng.randint(1, 3)):
                    kind = UnitKind.PARTY_COMMITTEE if depth < 3 else self.rng.choice(KINDS)
                    self.units.append(UnitFactory(parent=parent, kind=kind))
                    parent.refresh_from_db()
        self.campaign = CampaignFactory(unit=root, review_levels=self.rng.choice([1, 2]))
        self.tasks = [
            TargetTaskFactory(campaign=self.campaign, metric=Metric.ACTIVITIES),
            TargetTaskFactory(campaign=self.campaign, metric=Metric.PARTICIPANTS),
            TargetTaskFactory(campaign=self.campaign, metric=Metric.QUANTITY, quantity_label="户"),
        ]
        self.staff = {}
        for unit in self.units:
            user = UserFactory()
            MembershipFactory(user=user, unit=unit, role=Role.STAFF)
            self.staff[unit.pk] = user
            for task in self.tasks:
                TargetFactory(unit=unit, task=task, value=Decimal(5))
        self.reviewers = []
        for unit in self.units:
            if unit.depth <= 2:
                user = UserFactory()
                MembershipFactory(user=user, unit=unit, role=Role.REVIEWER)
                self.reviewers.append(user)
        self.activities: list[Activity] = []

    def log(self) -> None:
        unit = self.rng.choice(self.units)
        choices = list(coorganiser_choices(unit))
        partners = self.rng.sample(choices, k=min(len(choices), self.rng.choice([0, 0, 1, 2])))
        activity = services.activity_create(
            actor=self.staff[unit.pk],
            unit=unit,
            campaign=self.campaign,
            data={
                "title": "活动",
                "starts_on": datetime.date(2010, self.rng.randint(5, 12), 1),
                "participants_party_members": self.rng.randint(0, 40),
                "participants_public": self.rng.randint(0, 40),
                "quantity": Decimal(self.rng.randint(0, 9)),
            },
            tasks=self.rng.sample(self.tasks, k=self.rng.randint(1, 3)),
            coorganisers=partners,
        )
        self.activities.append(activity)

    def step(self) -> None:
        """One random move; refusals (wrong state, wrong person) are part of the game."""
        move = self.rng.choice(["log"] + ["submit"] * 3 + ["review"] * 4 + ["reopen", "answer"])
        if move == "log" or not self.activities:
            self.log()
            return
        # Mostly an activity the move suits; sometimes any (the move is then refused).
        suits = Activity.objects.filter(
            pk__in=[a.pk for a in self.activities], status__in=SUITS[move]
        )
        pool = list(suits) if self.rng.random() < 0.8 else []
        activity = Activity.objects.get(pk=self.rng.choice(pool or self.activities).pk)
        try:
            if move == "submit":
                services.activity_submit(actor=self.staff[activity.unit_id], activity=activity)
            elif move == "review":
                # Mostly someone entitled to act, sometimes anyone (who is then refused).
                able = [r for r in self.reviewers if can_review(Scope.of(r), activity)]
                reviewer = self.rng.choice(
                    able if able and self.rng.random() < 0.8 else self.reviewers
                )
                if self.rng.random() < 0.75:
                    services.activity_approve(
                        actor=reviewer, activity=activity, level=activity.review_level
                    )
                else:
                    services.activity_return(
                        actor=reviewer, activity=activity, level=activity.review_level, reason="改"
                    )
            elif move == "reopen":
                services.activity_reopen(
                    actor=self.rng.choice(self.reviewers), activity=activity, reason="复核"
                )
            else:
                pending = list(activity.coorganisers.filter(status=CoOrganiserStatus.PENDING))
                if pending:
                    coorganiser = self.rng.choice(pending)
                    services.coorganiser_respond(
                        actor=self.staff[coorganiser.unit_id],
                        coorganiser=coorganiser,
                        confirm=self.rng.random() < 0.7,
                    )
        except ActivityError:
            pass


def _direct_sets(world: World) -> dict[int, set[int]]:
    """{unit: approved activities credited to the unit itself} — organiser or confirmed."""
    own: dict[int, set[int]] = defaultdict(set)
    approved = Activity.objects.filter(status=Status.APPROVED)
    for pk, unit_id in approved.values_list("pk", "unit_id"):
        own[unit_id].add(pk)
    for activity_id, unit_id in CoOrganiser.objects.filter(
        activity__status=Status.APPROVED, status=CoOrganiserStatus.CONFIRMED
    ).values_list("activity_id", "unit_id"):
        own[unit_id].add(activity_id)
    return own


def _rows():
    tasks = set(
        TaskRollup.objects.filter(activities__gt=0).values_list(
            "unit_id", "task_id", "month", "activities", "participants", "quantity"
        )
    )
    units = set(
        UnitRollup.objects.exclude(activities=0, reviews=0).values_list(
            "unit_id",
            "campaign_id",
            "month",
            "line",
            "activities",
            "participants",
            "reported_on_time",
            "reviews",
            "reviews_on_time",
            "returns",
        )
    )
    waiting = set(
        WaitingRollup.objects.exclude(submissions=0).values_list(
            "unit_id", "campaign_id", "day", "submissions"
        )
    )
    return tasks, units, waiting


def _waiting_by_day(unit) -> dict:
    """{day its wait began: submissions of `unit`'s subtree waiting}, from the records."""
    days: dict = defaultdict(int)
    for since in Activity.objects.filter(
        status=Status.SUBMITTED, unit__path__startswith=unit.path
    ).values_list("waiting_since", flat=True):
        days[timezone.localdate(since)] += 1
    return dict(days)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_roll_ups_agree_with_the_records_after_random_transitions(seed):
    world = World(seed)
    for _ in range(150):
        world.step()
    period = period_of(world.campaign)
    task_ids = [t.pk for t in world.tasks]
    unit_ids = [u.pk for u in world.units]
    rolled = subtree_task_figures(unit_ids, period, task_ids)
    totals = unit_totals(unit_ids, period)
    own = _direct_sets(world)
    assert Activity.objects.filter(status=Status.APPROVED).exists(), "the walk approved nothing"
    assert Activity.objects.filter(status=Status.SUBMITTED).exists(), "nothing left waiting"
    campaign = world.campaign

    for unit in world.units:
        # The roll-ups equal a direct count over the approved records.
        direct = task_figures(unit, task_ids)
        for task_id in task_ids:
            kept = rolled.get((unit.pk, task_id))
            assert (kept if kept and kept.activities else None) == direct.get(task_id), (
                unit.code,
                task_id,
            )
        # A parent's activities are its own plus its children's, each once.
        below = [u for u in world.units if u.path.startswith(unit.path)]
        expected = set().union(*(own[u.pk] for u in below))
        got = totals.get(unit.pk)
        assert (got.activities if got else 0) == len(expected), unit.code
        # Submissions waiting, by the day their wait began; so the overdue count.
        waiting = _waiting_by_day(unit)
        kept = dict(
            WaitingRollup.objects.filter(unit=unit)
            .exclude(submissions=0)
            .values_list("day", "submissions")
        )
        assert kept == waiting, unit.code
        for today in {*waiting, *(day + datetime.timedelta(days=8) for day in waiting)}:
            overdue = sum(
                n
                for day, n in waiting.items()
                if day < overdue_since(campaign.review_deadline_days, today)
            )
            assert overdue_count(unit, campaign, today) == overdue, (unit.code, today)

    # Rebuilding from scratch writes the same rows as keeping them up to date.
    before = _rows()
    rollups_rebuild()
    assert _rows() == before


class TestLaterChanges:
    """Changes made after approvals never leave the roll-ups disagreeing with the records."""

    @pytest.fixture
    def approved(self, staff, reviewer, draft):
        activity = services.activity_submit(actor=staff, activity=draft)
        return services.activity_approve(actor=reviewer, activity=activity, level=1)

    def test_a_due_date_moved_after_approval_is_taken_back_as_counted(
        self, tree, reviewer, targets, approved
    ):
        target = targets["A1"]
        target.due_on = datetime.date(2010, 1, 1)  # now the report would be late
        target.save()
        services.activity_reopen(actor=reviewer, activity=approved, reason="复核")

        totals = UnitRollup.objects.filter(unit=tree.branch_a1)
        assert {(t.activities, t.reported_on_time) for t in totals} <= {(0, 0)}

    def test_moving_the_campaign_start_keeps_task_and_headline_figures_equal(
        self, tree, campaign, task, approved
    ):
        campaign.starts_on = datetime.date(2010, 7, 1)  # after the June activity
        campaign.save()
        period = period_of(campaign)

        figures = subtree_task_figures([tree.committee_a.pk], period, [task.pk])
        totals = unit_totals([tree.committee_a.pk], period)
        assert figures[(tree.committee_a.pk, task.pk)].activities == 1
        assert totals[tree.committee_a.pk].activities == 1
        assert task_figures(tree.committee_a, [task.pk])[task.pk].activities == 1

    def test_a_tasks_line_cannot_change_once_activities_count_toward_it(self, task, approved):
        with pytest.raises(CampaignError, match="line"):
            task_update(task=task, fields={"line": "union"})
