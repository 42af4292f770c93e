"""A small campaign computed by hand (tests/evaluations/test_scores_engine.py): branch_a1 has a
record for every rule; union_a2 has a target and one late approved activity only.

branch_a1, by hand:
- TARGETS (40): T1 required, target 4, 2 approved → 50 %; T2 optional, target 2, 3 approved →
  150 % capped at 100 %; (2 × 0.5 + 1 × 1) ÷ 3 = 2/3 → 26.67.
- TIMELINESS (10): 4 of its 5 approved activities first submitted by the due date → 8.00.
- REVIEW_QUALITY (10): 6 decisions (5 approvals, 1 return) → 1 − 1/6 → 8.33.
- COMMITMENTS (10): 4 items of an approved set due, 3 fulfilled → 7.50.
- FOLLOW_UPS (10): 2 follow-ups due, 1 closed on time → 5.00.
- APPRAISAL (10): 6 satisfied, 2 basically, 2 dissatisfied → (6 + 1) ÷ 10 → 7.00.
- GRADES (10): grades 4 and 3 → 3.5 ÷ 4 → 8.75.
- ADJUSTMENTS (±5): approved +3 and +4 → 7, clamped to 5.00 (a draft +2 and a returned −1 don't
  count).
Total 76.25.
"""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils import timezone

from activities.models import Action, Activity, ActivityEvent, Status
from activities.rollups import rollups_rebuild
from evaluations import scoring
from evaluations.models import (
    Adjustment,
    AppraisalTally,
    Commitment,
    CommitmentSet,
    FollowUp,
    FollowUpStatus,
    LeaderComment,
    WithoutData,
)
from evaluations.standing_rollups import standing_rebuild
from tests.factories import ActivityFactory, TargetFactory, TargetTaskFactory, UserFactory

TODAY = datetime.date(2011, 1, 10)  # after the 2010 campaign: everything is due
ON_TIME = timezone.make_aware(datetime.datetime(2010, 6, 2, 10))
LATE = timezone.make_aware(datetime.datetime(2011, 1, 5, 10))


@dataclass
class Scored:
    campaign: object
    activities: list
    returned: Activity
    adjustments: list


def _approved(unit, campaign, tasks, first_submitted, author):
    activity = ActivityFactory(unit=unit, campaign=campaign, created_by=author, tasks=tasks)
    Activity.objects.filter(pk=activity.pk).update(
        status=Status.APPROVED, first_submitted_at=first_submitted, approved_at=first_submitted
    )
    return activity


def _event(activity, action, to_status):
    ActivityEvent.objects.create(
        activity=activity, action=action, from_status=Status.SUBMITTED, to_status=to_status
    )


def build(tree, campaign) -> Scored:
    author = UserFactory()
    t1 = TargetTaskFactory(campaign=campaign, code="T1", is_required=True)
    t2 = TargetTaskFactory(campaign=campaign, code="T2", is_required=False)
    TargetFactory(unit=tree.branch_a1, task=t1, value=Decimal(4))
    TargetFactory(unit=tree.branch_a1, task=t2, value=Decimal(2))
    TargetFactory(unit=tree.union_a2, task=t1, value=Decimal(4))
    a1 = tree.branch_a1
    activities = [
        _approved(a1, campaign, [t1], ON_TIME, author),
        _approved(a1, campaign, [t1], ON_TIME, author),
        _approved(a1, campaign, [t2], ON_TIME, author),
        _approved(a1, campaign, [t2], ON_TIME, author),
        _approved(a1, campaign, [t2], LATE, author),
    ]
    for activity in activities:
        _event(activity, Action.APPROVE, Status.APPROVED)
    _event(activities[0], Action.RETURN, Status.RETURNED)
    _approved(tree.union_a2, campaign, [t1], LATE, author)
    # A draft elsewhere counts for nothing.
    ActivityFactory(unit=a1, campaign=campaign, created_by=author, tasks=[t1])

    item_set = CommitmentSet.objects.create(
        unit=a1, campaign=campaign, status=Status.APPROVED, created_by=author
    )
    for n in range(4):
        Commitment.objects.create(
            set=item_set,
            unit=a1,
            campaign=campaign,
            position=n,
            promise=f"承诺{n}",
            measure="m",
            due_on=datetime.date(2010, 10, 1),
            fulfilled_at=ON_TIME if n < 3 else None,
            kept_on_time=True if n < 3 else None,
        )
    for n, (closed, on_time) in enumerate([(True, True), (False, None)]):
        comment = LeaderComment.objects.create(
            unit=a1, campaign=campaign, author=author, text=f"整改{n}"
        )
        FollowUp.objects.create(
            comment=comment,
            unit=a1,
            campaign=campaign,
            due_on=datetime.date(2010, 11, 1),
            status=FollowUpStatus.CLOSED if closed else FollowUpStatus.OPEN,
            closed_at=ON_TIME if closed else None,
            closed_on_time=on_time,
        )
    for grade in (4, 3):
        LeaderComment.objects.create(
            unit=a1, campaign=campaign, author=author, text="点评", grade=grade
        )
    AppraisalTally.objects.create(
        unit=a1,
        campaign=campaign,
        month=datetime.date(2010, 7, 1),
        satisfied=4,
        basically_satisfied=2,
        dissatisfied=1,
    )
    AppraisalTally.objects.create(
        unit=a1, campaign=campaign, month=datetime.date(2010, 8, 1), satisfied=2, dissatisfied=1
    )
    adjustments = [
        Adjustment.objects.create(
            unit=a1,
            campaign=campaign,
            points=Decimal(points),
            reason="r",
            status=status,
            created_by=author,
        )
        for points, status in (
            ("3", Status.APPROVED),
            ("4", Status.APPROVED),
            ("2", Status.DRAFT),
            ("-1", Status.RETURNED),
        )
    ]
    rollups_rebuild()
    standing_rebuild()
    return Scored(campaign, activities, activities[0], adjustments)


def spec(**changes) -> scoring.SchemeSpec:
    """The default scheme with the appraisal judged from 5 ratings, and `changes`."""
    base = scoring.default_spec()
    rules = tuple(
        replace(r, params={**r.params, "min_ratings": "5"}) if r.kind == "appraisal" else r
        for r in base.rules
    )
    return replace(base, rules=rules, **changes)


def with_policy(base: scoring.SchemeSpec, policy: str) -> scoring.SchemeSpec:
    """Every rule but ADJUSTMENTS with the without-data `policy`."""
    return replace(
        base,
        rules=tuple(
            r if r.kind == "adjustments" else replace(r, without_data=policy) for r in base.rules
        ),
    )


__all__ = ["TODAY", "Scored", "WithoutData", "build", "spec", "with_policy"]
