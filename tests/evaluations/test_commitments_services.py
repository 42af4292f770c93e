"""The services of commitment sets: drafting items under the rules, the set's review through
evaluations.review (return with reason, resubmit, one- and two-level approval), who may act."""

import datetime

import pytest
from django.utils import timezone

from activities.models import Action, Status
from evaluations import commitment_services as services
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import Commitment, PublicBoard, ReviewEvent
from tests.conftest import _member
from tests.evaluations.commitment_fixtures import *  # noqa: F403 (fixtures)
from tests.factories import CampaignFactory, TargetTaskFactory
from units.models import Role

pytestmark = pytest.mark.django_db


def test_staff_draft_a_set_once_per_campaign(staff, tree, running):
    first = services.draft_set(staff, tree.branch_a1, running)
    again = services.draft_set(staff, tree.branch_a1, running)
    assert first.pk == again.pk and first.status == Status.DRAFT


@pytest.mark.parametrize("who", ["reviewer", "leader", "admin_user", "outsider"])
def test_only_the_units_staff_draft(request, who, tree, running):
    with pytest.raises(NotAllowed):
        services.draft_set(request.getfixturevalue(who), tree.branch_a1, running)


def test_no_set_in_a_campaign_not_running_or_not_covering(staff, tree):
    finished = CampaignFactory(unit=tree.city)  # 2010
    with pytest.raises(EvaluationError):
        services.draft_set(staff, tree.branch_a1, finished)
    today = timezone.localdate()
    elsewhere = CampaignFactory(
        unit=tree.committee_b,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=9),
    )
    with pytest.raises(EvaluationError):
        services.draft_set(staff, tree.branch_a1, elsewhere)


def test_items_are_checked(staff, draft_set, running, due, running_task):
    with pytest.raises(EvaluationError, match="promised"):
        services.item_add(staff, draft_set, promise=" ", measure="x", due_on=due)
    with pytest.raises(EvaluationError, match="measured"):
        services.item_add(staff, draft_set, promise="x", measure="", due_on=due)
    with pytest.raises(EvaluationError, match="within the campaign"):
        services.item_add(
            staff,
            draft_set,
            promise="x",
            measure="y",
            due_on=running.ends_on + datetime.timedelta(1),
        )
    other_task = TargetTaskFactory(campaign=CampaignFactory(unit=running.unit))
    with pytest.raises(EvaluationError, match="task"):
        services.item_add(staff, draft_set, promise="x", measure="y", due_on=due, task=other_task)
    item = services.item_add(
        staff, draft_set, promise="x", measure="y", due_on=due, task=running_task
    )
    assert item.position == 3 and item.unit_id == draft_set.unit_id
    assert item.campaign_id == running.pk


def test_edit_delete_and_reorder(staff, draft_set, due):
    first, second = list(draft_set.items.order_by("position"))
    services.item_edit(staff, first, promise="改", measure="量", due_on=due)
    assert Commitment.objects.get(pk=first.pk).promise == "改"
    services.item_move(staff, second, -1)
    assert list(draft_set.items.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    services.item_delete(staff, first)
    assert list(draft_set.items.values_list("pk", flat=True)) == [second.pk]


def test_an_item_deleted_meanwhile_is_refused_not_an_error(staff, draft_set, due):
    first = draft_set.items.order_by("position").first()
    Commitment.objects.filter(pk=first.pk).delete()  # by another member of staff, meanwhile
    with pytest.raises(EvaluationError, match="deleted meanwhile"):
        services.item_edit(staff, first, promise="改", measure="量", due_on=due)
    with pytest.raises(EvaluationError, match="deleted meanwhile"):
        services.item_move(staff, first, -1)


def test_a_submitted_set_cannot_be_edited(staff, submitted_set, due):
    item = submitted_set.items.first()
    with pytest.raises(TransitionRefused):
        services.item_edit(staff, item, promise="改", measure="量", due_on=due)
    with pytest.raises(TransitionRefused):
        services.item_add(staff, submitted_set, promise="x", measure="y", due_on=due)
    with pytest.raises(TransitionRefused):
        services.item_delete(staff, item)


def test_others_cannot_edit(reviewer, draft_set, due):
    with pytest.raises(NotAllowed):
        services.item_add(reviewer, draft_set, promise="x", measure="y", due_on=due)


def test_submit_needs_an_item_and_future_due_dates(staff, tree, running):
    empty = services.draft_set(staff, tree.branch_a1, running)
    with pytest.raises(EvaluationError, match="at least one"):
        services.set_submit(staff, empty)
    today = timezone.localdate()
    services.item_add(staff, empty, promise="x", measure="y", due_on=today)
    with pytest.raises(EvaluationError, match="after today"):
        services.set_submit(staff, empty)
    assert ReviewEvent.objects.count() == 0


def test_return_with_reason_resubmit_and_approve(staff, reviewer, submitted_set, tree):
    assert submitted_set.status == Status.SUBMITTED
    assert submitted_set.review_unit == tree.committee_a
    with pytest.raises(EvaluationError):
        services.set_return(reviewer, submitted_set, 1, "  ")
    returned = services.set_return(reviewer, submitted_set, 1, "措施不具体")
    assert returned.status == Status.RETURNED and returned.return_reason == "措施不具体"
    item = returned.items.first()
    services.item_edit(
        staff, item, promise=item.promise, measure="每月 1 次，共 12 次", due_on=item.due_on
    )
    services.set_submit(staff, returned)
    approved = services.set_approve(reviewer, returned, 1)
    assert approved.status == Status.APPROVED and approved.is_published
    actions = list(submitted_set.events.values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.RETURN, Action.SUBMIT, Action.APPROVE]


def test_withdraw_before_review(staff, reviewer, submitted_set):
    withdrawn = services.set_withdraw(staff, submitted_set)
    assert withdrawn.status == Status.DRAFT and withdrawn.review_unit is None
    with pytest.raises(EvaluationError):
        services.set_withdraw(staff, withdrawn)
    with pytest.raises(NotAllowed):
        services.set_withdraw(reviewer, services.set_submit(staff, withdrawn))


def test_two_level_review(staff, reviewer, city_reviewer, submitted_set, tree):
    campaign = submitted_set.campaign
    campaign.review_levels = 2
    campaign.save()
    with pytest.raises(NotAllowed):  # level 2's reviewer may not act at level 1's turn? same tree
        services.set_approve(staff, submitted_set, 1)
    passed = services.set_approve(reviewer, submitted_set, 1)
    assert passed.status == Status.SUBMITTED and passed.review_level == 2
    assert passed.review_unit == tree.city
    with pytest.raises(NotAllowed):  # the level-1 reviewer does not approve it again
        services.set_approve(reviewer, passed, 2)
    with pytest.raises(TransitionRefused):  # a stale level
        services.set_approve(city_reviewer, passed, 1)
    with pytest.raises(NotAllowed):  # passed on: no longer withdrawable
        services.set_withdraw(staff, passed)
    done = services.set_approve(city_reviewer, passed, 2)
    assert done.status == Status.APPROVED


def test_staff_cannot_review_their_own_units_set(tree, staff, submitted_set):
    both = _member(tree.committee_a, Role.REVIEWER, "reviewer_and_staff")
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, unit=tree.branch_a1, role=Role.STAFF)
    with pytest.raises(NotAllowed, match="report for"):
        services.set_approve(both, submitted_set, 1)
    with pytest.raises(NotAllowed):
        services.set_return(both, submitted_set, 1, "no")


@pytest.mark.parametrize("who", ["leader", "admin_user", "outsider"])
def test_leaders_admins_and_outsiders_do_not_review(request, who, submitted_set):
    with pytest.raises(NotAllowed):
        services.set_approve(request.getfixturevalue(who), submitted_set, 1)


def test_the_board_is_made_once_with_an_unguessable_id(tree):
    board = services.board_for(tree.branch_a1)
    assert services.board_for(tree.branch_a1) == board
    assert len(board.public_id) >= 20 and str(tree.branch_a1.pk) != board.public_id
    assert PublicBoard.objects.count() == 1
