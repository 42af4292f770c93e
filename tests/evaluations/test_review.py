"""evaluations.review: commitment sets and fulfilment reports are reviewed by the activities' rule
(statuses, transitions) and units.routing's levels — the same reviewers, the same two levels."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from activities.models import Action, Status
from evaluations import review
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import Commitment, CommitmentSet, FulfilmentReport, ReviewEvent
from tests.conftest import _member
from tests.factories import MembershipFactory
from units.models import Role
from units.scope import Scope
from units.services import unit_move


@pytest.fixture
def commitments(tree, staff, campaign):
    made = CommitmentSet.objects.create(unit=tree.branch_a1, campaign=campaign, created_by=staff)
    Commitment.objects.create(
        set=made,
        unit=tree.branch_a1,
        campaign=campaign,
        promise="每月开展一次志愿服务",
        measure="12 次活动记录",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return made


def act(move, item, user, **kwargs):
    with transaction.atomic():
        return move(review.locked(item), actor=Scope.of(user), **kwargs)


def test_submit_waits_on_the_first_level_and_approval_publishes(commitments, staff, reviewer):
    submitted = act(review.submit, commitments, staff)
    assert submitted.status == Status.SUBMITTED
    assert submitted.review_level == 1
    assert submitted.review_unit.code == "A"  # the reviewers of committee_a, as for activities
    approved = act(review.approve, submitted, reviewer, level=1)
    assert approved.status == Status.APPROVED and approved.is_published
    events = list(ReviewEvent.objects.filter(commitment_set=commitments))
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in events] == [
        (Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, staff),
        (Action.APPROVE, Status.SUBMITTED, Status.APPROVED, reviewer),
    ]


def test_two_levels_pass_on_and_the_same_reviewer_cannot_approve_twice(
    tree, commitments, staff, reviewer, campaign
):
    campaign.review_levels = 2
    campaign.save()
    city_reviewer = _member(tree.city, Role.REVIEWER, "reviewer_city")
    # reviewer_a also reviews at the city: still, having passed it on, not a second time.
    MembershipFactory(user=reviewer, unit=tree.city, role=Role.REVIEWER)
    submitted = act(review.submit, commitments, staff)
    passed = act(review.approve, submitted, reviewer, level=1)
    assert (passed.status, passed.review_level, passed.review_unit.code) == (
        Status.SUBMITTED,
        2,
        "CITY",
    )
    with pytest.raises(NotAllowed):
        act(review.approve, passed, reviewer, level=2)
    with pytest.raises(TransitionRefused):
        act(review.approve, passed, city_reviewer, level=1)  # the level moved on
    approved = act(review.approve, passed, city_reviewer, level=2)
    assert approved.status == Status.APPROVED


def test_return_needs_a_reason_and_the_unit_resubmits(commitments, staff, reviewer):
    submitted = act(review.submit, commitments, staff)
    with pytest.raises(EvaluationError):
        act(review.send_back, submitted, reviewer, level=1, reason="  ")
    returned = act(review.send_back, submitted, reviewer, level=1, reason="时限不具体")
    assert (returned.status, returned.return_reason) == (Status.RETURNED, "时限不具体")
    again = act(review.submit, returned, staff)
    assert again.status == Status.SUBMITTED and again.return_reason == ""
    assert again.first_submitted_at == submitted.first_submitted_at


@pytest.mark.parametrize("who", ["staff", "outsider", "leader"])
def test_only_a_reviewer_above_reviews(request, commitments, staff, who):
    submitted = act(review.submit, commitments, staff)
    with pytest.raises(NotAllowed):
        act(review.approve, submitted, request.getfixturevalue(who), level=1)
    assert CommitmentSet.objects.get(pk=commitments.pk).status == Status.SUBMITTED


def test_only_the_units_staff_submit_and_withdraw(commitments, staff, reviewer, outsider):
    with pytest.raises(NotAllowed):
        act(review.submit, commitments, outsider)
    submitted = act(review.submit, commitments, staff)
    with pytest.raises(NotAllowed):
        act(review.withdraw, submitted, outsider)
    withdrawn = act(review.withdraw, submitted, staff)
    assert (withdrawn.status, withdrawn.review_unit) == (Status.DRAFT, None)


def test_a_fulfilment_report_waits_in_the_same_place(commitments, staff, reviewer):
    act(review.approve, act(review.submit, commitments, staff), reviewer, level=1)
    report = FulfilmentReport.objects.create(
        commitment=commitments.items.get(), statement="已完成", created_by=staff
    )
    submitted = act(review.submit, report, staff)
    assert submitted.review_unit.code == "A"
    assert review.may_review(Scope.of(reviewer), submitted)
    assert not review.may_review(Scope.of(staff), submitted)
    assert ReviewEvent.objects.filter(report=report).count() == 1


def test_a_unit_move_sends_waiting_sets_to_the_reviewers_now_above(
    tree, commitments, staff, reviewer, outsider
):
    submitted = act(review.submit, commitments, staff)
    assert submitted.review_unit == tree.committee_a
    unit_move(unit=tree.branch_a1, new_parent=tree.committee_b)
    moved = CommitmentSet.objects.get(pk=commitments.pk)
    assert (moved.status, moved.review_unit) == (Status.SUBMITTED, tree.committee_b)
    assert moved.waiting_since == submitted.waiting_since  # the wait goes on
    event = ReviewEvent.objects.filter(commitment_set=commitments).last()
    assert (event.action, event.actor, event.comment) == (Action.REROUTE, None, "城关镇党委")
    assert not review.may_review(Scope.of(reviewer), moved)
    assert review.may_review(Scope.of(outsider), moved)  # a reviewer of committee_b
