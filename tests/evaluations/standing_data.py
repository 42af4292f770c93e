"""Random commitments, follow-ups and ratings across the test tree, for the standing figures'
tests (tests/evaluations/test_standing.py, tests/dashboards/test_standing_dashboard.py)."""

import datetime
import random

from django.utils import timezone

from activities.models import Status
from evaluations import services
from evaluations.models import Commitment, CommitmentSet, FollowUp, FollowUpStatus, LeaderComment
from tests.factories import UserFactory
from units.models import Unit


def units_of(tree) -> list[Unit]:
    return [tree.city, tree.committee_a, tree.branch_a1, tree.union_a2, tree.committee_b]


def random_records(
    tree, campaign, rng: random.Random, today: datetime.date, units: list[Unit] | None = None
) -> None:
    """Commitment sets (in any state) with items due around `today`, some fulfilled; leader
    comments with follow-ups, some closed (on time or not); ratings through each unit's link."""
    author = UserFactory()
    for unit in units or units_of(tree):
        status = rng.choice([Status.APPROVED, Status.APPROVED, Status.SUBMITTED, Status.DRAFT])
        item_set = CommitmentSet.objects.create(
            unit=unit, campaign=campaign, status=status, created_by=author
        )
        for position in range(rng.randint(2, 8)):
            due = today + datetime.timedelta(days=rng.randint(-20, 20))
            fulfilled = timezone.now() if rng.random() < 0.5 else None
            Commitment.objects.create(
                set=item_set,
                unit=unit,
                campaign=campaign,
                position=position,
                promise="p",
                measure="m",
                due_on=due,
                fulfilled_at=fulfilled,
                kept_on_time=None if fulfilled is None else rng.random() < 0.7,
            )
        for _n in range(rng.randint(1, 6)):
            comment = LeaderComment.objects.create(
                unit=unit, campaign=campaign, author=author, text="t"
            )
            closed = rng.random() < 0.5
            FollowUp.objects.create(
                comment=comment,
                unit=unit,
                campaign=campaign,
                due_on=today + datetime.timedelta(days=rng.randint(-20, 20)),
                status=FollowUpStatus.CLOSED if closed else rng.choice(list(FollowUpStatus)[:4]),
                closed_at=timezone.now() if closed else None,
                closed_on_time=(rng.random() < 0.6) if closed else None,
            )
        link = services.appraisal_link(unit, campaign)
        for n in range(rng.randint(0, 12)):
            services.rating_submit(link, rng.choice([1, 2, 3]), "", f"{unit.pk}-{n}")
