"""The review workflow's transitions, allowed and refused, and the events they write."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities import services
from activities.exceptions import ActivityError, TransitionRefused
from activities.models import Action, ActivityEvent, CoOrganiser, CoOrganiserStatus, Status
from activities.selectors import can_review, review_queue
from activities.services import NotAllowed
from tests.factories import MembershipFactory, TargetTaskFactory, UserFactory
from units.models import Role
from units.scope import Scope

pytestmark = pytest.mark.django_db


def _events(activity):
    return list(activity.events.values_list("action", "from_status", "to_status", "level"))


def _submitted(staff, draft):
    return services.activity_submit(actor=staff, activity=draft)


def _approved(staff, reviewer, draft):
    activity = _submitted(staff, draft)
    return services.activity_approve(actor=reviewer, activity=activity, level=1)


class TestDrafts:
    def test_it_creates_a_draft_for_staff_with_tasks_and_participant_total(
        self, tree, staff, task, targets
    ):
        activity = services.activity_create(
            actor=staff,
            unit=tree.branch_a1,
            campaign=task.campaign,
            data={
                "title": "七一主题党日",
                "starts_on": datetime.date(2010, 7, 1),
                "participants_party_members": 12,
                "participants_public": 30,
            },
            tasks=[task],
        )
        activity.refresh_from_db()
        assert activity.status == Status.DRAFT
        assert activity.participants == 42
        assert list(activity.tasks.all()) == [task]
        assert activity.created_by == staff

    def test_it_refuses_a_draft_by_someone_not_staff_of_the_unit(
        self, tree, reviewer, task, targets
    ):
        with pytest.raises(NotAllowed):
            services.activity_create(
                actor=reviewer,
                unit=tree.branch_a1,
                campaign=task.campaign,
                data={"title": "x", "starts_on": datetime.date(2010, 7, 1)},
            )

    def test_it_refuses_a_task_the_unit_has_no_target_for(self, tree, staff, campaign, targets):
        other = TargetTaskFactory(campaign=campaign, code="GJ-09")
        with pytest.raises(ActivityError, match="no target"):
            services.activity_create(
                actor=staff,
                unit=tree.branch_a1,
                campaign=campaign,
                data={"title": "x", "starts_on": datetime.date(2010, 7, 1)},
                tasks=[other],
            )

    def test_it_refuses_an_end_before_the_start(self, tree, staff, draft):
        with pytest.raises(Exception, match="end before"):
            services.activity_update(
                actor=staff, activity=draft, data={"ends_on": datetime.date(2010, 1, 1)}
            )
        draft.refresh_from_db()
        assert draft.ends_on is None

    def test_it_refuses_an_edit_of_an_approved_activity(self, staff, reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(TransitionRefused, match="locked"):
            services.activity_update(actor=staff, activity=activity, data={"title": "改过的"})
        activity.refresh_from_db()
        assert activity.title != "改过的"

    def test_it_refuses_an_edit_while_waiting_for_review(self, staff, draft):
        activity = _submitted(staff, draft)
        with pytest.raises(TransitionRefused):
            services.activity_update(actor=staff, activity=activity, data={"title": "改过的"})

    def test_it_names_only_units_under_the_same_parent_as_coorganisers(self, tree, staff, draft):
        services.activity_update(actor=staff, activity=draft, data={}, coorganisers=[tree.union_a2])
        assert list(draft.coorganisers.values_list("unit__code", "status")) == [
            ("A2", CoOrganiserStatus.PENDING)
        ]
        with pytest.raises(ActivityError, match="cannot co-organise"):
            services.activity_update(
                actor=staff, activity=draft, data={}, coorganisers=[tree.branch_b1]
            )
        assert draft.coorganisers.count() == 1


class TestTransitions:
    def test_submit_moves_a_draft_to_the_nearest_reviewers(self, tree, staff, reviewer, draft):
        activity = _submitted(staff, draft)
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.review_level == 1
        assert activity.review_unit == tree.committee_a
        assert activity.waiting_since is not None
        assert _events(activity) == [(Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, 1)]
        assert activity.events.get().actor == staff

    def test_submit_without_tasks_is_refused(self, staff, draft):
        draft.tasks.clear()
        with pytest.raises(ActivityError, match="at least one"):
            services.activity_submit(actor=staff, activity=draft)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert not draft.events.exists()

    def test_it_refuses_submission_by_a_reviewer(self, reviewer, draft):
        with pytest.raises(NotAllowed):
            services.activity_submit(actor=reviewer, activity=draft)
        assert not draft.events.exists()

    def test_it_refuses_submitting_twice(self, staff, draft):
        _submitted(staff, draft)
        with pytest.raises(TransitionRefused):
            services.activity_submit(actor=staff, activity=draft)
        assert draft.events.count() == 1

    def test_approve_locks_it_and_writes_the_event(self, staff, reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED
        assert activity.approved_at is not None
        assert not activity.is_editable
        assert _events(activity)[-1] == (Action.APPROVE, Status.SUBMITTED, Status.APPROVED, 1)

    def test_it_refuses_approval_by_staff(self, staff, draft):
        activity = _submitted(staff, draft)
        with pytest.raises(NotAllowed):
            services.activity_approve(actor=staff, activity=activity, level=1)
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.events.count() == 1

    def test_it_refuses_approval_by_outsider(self, staff, outsider, draft):
        activity = _submitted(staff, draft)
        with pytest.raises(NotAllowed):
            services.activity_approve(actor=outsider, activity=activity, level=1)
        assert activity.events.count() == 1

    def test_it_refuses_approval_by_a_reviewer_of_the_unit_itself(self, tree, staff, draft):
        own = UserFactory()
        MembershipFactory(user=own, unit=tree.branch_a1, role=Role.REVIEWER)
        activity = _submitted(staff, draft)
        with pytest.raises(NotAllowed):
            services.activity_approve(actor=own, activity=activity, level=1)

    def test_a_reviewer_higher_up_may_act_for_the_level(self, tree, staff, draft):
        city_reviewer = UserFactory()
        MembershipFactory(user=city_reviewer, unit=tree.city, role=Role.REVIEWER)
        activity = _submitted(staff, draft)
        services.activity_approve(actor=city_reviewer, activity=activity, level=1)
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED

    def test_it_refuses_approving_a_draft(self, reviewer, draft):
        with pytest.raises(TransitionRefused):
            services.activity_approve(actor=reviewer, activity=draft, level=1)

    def test_return_needs_a_reason(self, staff, reviewer, draft):
        activity = _submitted(staff, draft)
        for reason in ("", "   "):
            with pytest.raises(ActivityError, match="reason"):
                services.activity_return(actor=reviewer, activity=activity, level=1, reason=reason)
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.events.count() == 1

    def test_return_then_fix_and_resubmit(self, staff, reviewer, draft):
        activity = _submitted(staff, draft)
        services.activity_return(actor=reviewer, activity=activity, level=1, reason="缺少照片")
        activity.refresh_from_db()
        assert activity.status == Status.RETURNED
        assert activity.return_reason == "缺少照片"
        services.activity_update(actor=staff, activity=activity, data={"place": "会议室"})
        services.activity_submit(actor=staff, activity=activity)
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.return_reason == ""
        assert [e[0] for e in _events(activity)] == [Action.SUBMIT, Action.RETURN, Action.SUBMIT]
        assert activity.events.get(action=Action.RETURN).comment == "缺少照片"

    def test_withdraw_before_review(self, staff, draft):
        activity = _submitted(staff, draft)
        services.activity_withdraw(actor=staff, activity=activity)
        activity.refresh_from_db()
        assert activity.status == Status.DRAFT
        assert activity.review_unit is None
        assert _events(activity)[-1] == (Action.WITHDRAW, Status.SUBMITTED, Status.DRAFT, 1)

    def test_it_refuses_withdrawal_by_a_reviewer(self, staff, reviewer, draft):
        activity = _submitted(staff, draft)
        with pytest.raises(NotAllowed):
            services.activity_withdraw(actor=reviewer, activity=activity)

    def test_it_refuses_withdrawal_after_approval(self, staff, reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(TransitionRefused):
            services.activity_withdraw(actor=staff, activity=activity)

    def test_reopen_needs_a_reason_and_returns_it_to_the_unit(self, staff, reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(ActivityError, match="reason"):
            services.activity_reopen(actor=reviewer, activity=activity, reason="")
        services.activity_reopen(actor=reviewer, activity=activity, reason="数据有误")
        activity.refresh_from_db()
        assert activity.status == Status.RETURNED
        assert activity.approved_at is None
        assert _events(activity)[-1] == (Action.REOPEN, Status.APPROVED, Status.RETURNED, 1)

    def test_it_refuses_reopen_by_staff(self, staff, reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(NotAllowed):
            services.activity_reopen(actor=staff, activity=activity, reason="想改")
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED

    def test_events_are_immutable(self, staff, draft):
        _submitted(staff, draft)
        event = ActivityEvent.objects.get()
        event.comment = "changed"
        with pytest.raises(ValueError):
            event.save()
        with pytest.raises(ValueError):
            event.delete()


class TestTwoLevels:
    @pytest.fixture
    def city_reviewer(self, tree):
        user = UserFactory(username="reviewer_city")
        MembershipFactory(user=user, unit=tree.city, role=Role.REVIEWER)
        return user

    @pytest.fixture
    def two_level(self, campaign):
        campaign.review_levels = 2
        campaign.save()
        return campaign

    def test_level_one_approval_passes_it_to_level_two(
        self, tree, two_level, staff, reviewer, city_reviewer, draft
    ):
        activity = _approved(staff, reviewer, draft)
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.review_level == 2
        assert activity.review_unit == tree.city
        assert _events(activity)[-1] == (Action.PASS_ON, Status.SUBMITTED, Status.SUBMITTED, 1)
        services.activity_approve(actor=city_reviewer, activity=activity, level=2)
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED
        assert _events(activity)[-1] == (Action.APPROVE, Status.SUBMITTED, Status.APPROVED, 2)

    def test_the_level_one_reviewer_cannot_approve_level_two(
        self, two_level, staff, reviewer, city_reviewer, draft
    ):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(NotAllowed, match="another reviewer must approve it at level 2"):
            services.activity_approve(actor=reviewer, activity=activity, level=2)

    def test_one_person_cannot_approve_both_levels(
        self, two_level, staff, reviewer, city_reviewer, draft
    ):
        activity = _submitted(staff, draft)
        services.activity_approve(actor=city_reviewer, activity=activity, level=1)
        activity.refresh_from_db()
        # The page offers no decision the service would refuse (one rule: passed_on_by).
        assert not can_review(Scope.of(city_reviewer), activity)
        with pytest.raises(NotAllowed, match="another reviewer"):
            services.activity_approve(actor=city_reviewer, activity=activity, level=2)

    def test_a_stale_level_is_refused(self, two_level, staff, reviewer, city_reviewer, draft):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(TransitionRefused, match="already acted"):
            services.activity_approve(actor=city_reviewer, activity=activity, level=1)

    def test_withdrawal_is_refused_after_level_one(
        self, two_level, staff, reviewer, city_reviewer, draft
    ):
        activity = _approved(staff, reviewer, draft)
        with pytest.raises(TransitionRefused):
            services.activity_withdraw(actor=staff, activity=activity)

    def test_without_reviewers_above_level_one_its_approval_is_final(
        self, two_level, staff, reviewer, draft
    ):
        activity = _approved(staff, reviewer, draft)
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED


class TestBulkApprove:
    def test_it_reports_each_outcome(self, tree, staff, reviewer, outsider, task, targets, draft):
        first = _submitted(staff, draft)
        second = services.activity_create(
            actor=staff,
            unit=tree.branch_a1,
            campaign=task.campaign,
            data={"title": "第二次", "starts_on": datetime.date(2010, 7, 2)},
            tasks=[task],
        )
        second = _submitted(staff, second)
        services.activity_return(actor=reviewer, activity=second, level=1, reason="重复")
        outcomes = services.activities_bulk_approve(actor=reviewer, activities=[first, second])
        assert [(o.activity.pk, o.ok) for o in outcomes] == [(first.pk, True), (second.pk, False)]
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == (Status.APPROVED, Status.RETURNED)

    def test_it_approves_nothing_for_a_non_reviewer(self, staff, leader, draft):
        activity = _submitted(staff, draft)
        outcomes = services.activities_bulk_approve(actor=leader, activities=[activity])
        assert not outcomes[0].ok
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED

    def test_from_the_queue_it_approves_the_selection_and_reports_what_left_it(
        self, tree, staff, reviewer, task, targets, draft
    ):
        first = _submitted(staff, draft)
        second = _submitted(
            staff,
            services.activity_create(
                actor=staff,
                unit=tree.branch_a1,
                campaign=task.campaign,
                data={"title": "第二次", "starts_on": datetime.date(2010, 7, 2)},
                tasks=[task],
            ),
        )
        services.activity_withdraw(actor=staff, activity=second)
        queue = review_queue(Scope.of(reviewer))

        result = services.queue_bulk_approve(
            actor=reviewer, queue=queue, ids=[first.pk, second.pk], listed_at=None, limit=200
        )

        assert [(o.activity.pk, o.ok) for o in result.outcomes] == [(first.pk, True)]
        assert result.missing == [second]
        assert (result.approved, result.passed_on, result.refused) == (1, 0, 1)
        assert result.left_over == 0

    def test_from_the_queue_it_takes_what_had_arrived_up_to_the_limit(
        self, tree, staff, reviewer, task, targets, draft
    ):
        first = _submitted(staff, draft)
        listed_at = timezone.now()
        queue = review_queue(Scope.of(reviewer))

        nothing = services.queue_bulk_approve(
            actor=reviewer, queue=queue, ids=None, listed_at=listed_at, limit=0
        )
        assert (nothing.outcomes, nothing.left_over) == ([], 1)
        result = services.queue_bulk_approve(
            actor=reviewer,
            queue=queue,
            ids=None,
            listed_at=listed_at - datetime.timedelta(days=1),
            limit=200,
        )
        assert result.outcomes == []  # it arrived after the page was shown
        result = services.queue_bulk_approve(
            actor=reviewer, queue=queue, ids=None, listed_at=listed_at, limit=200
        )
        assert [o.activity.pk for o in result.outcomes] == [first.pk]
        first.refresh_from_db()
        assert first.status == Status.APPROVED


class TestCoOrganisers:
    def test_staff_of_the_coorganiser_confirm(self, tree, staff, draft):
        services.activity_update(actor=staff, activity=draft, data={}, coorganisers=[tree.union_a2])
        union_staff = UserFactory()
        MembershipFactory(user=union_staff, unit=tree.union_a2, role=Role.STAFF)
        coorganiser = CoOrganiser.objects.get()
        with pytest.raises(NotAllowed):
            services.coorganiser_respond(actor=staff, coorganiser=coorganiser, confirm=True)
        services.coorganiser_respond(actor=union_staff, coorganiser=coorganiser, confirm=True)
        coorganiser.refresh_from_db()
        assert coorganiser.status == CoOrganiserStatus.CONFIRMED
        assert coorganiser.responded_by == union_staff
        with pytest.raises(TransitionRefused):
            services.coorganiser_respond(actor=union_staff, coorganiser=coorganiser, confirm=False)


class TestOwnWorkAndCampaignLimits:
    @pytest.fixture
    def staff_and_reviewer(self, tree):
        """Staff of branch_a1 who also reviews on committee_a: common in small units."""
        user = UserFactory(username="both_hats")
        MembershipFactory(user=user, unit=tree.branch_a1, role=Role.STAFF)
        MembershipFactory(user=user, unit=tree.committee_a, role=Role.REVIEWER)
        return user

    def test_nobody_reviews_an_activity_of_a_unit_they_report_for(
        self, staff, reviewer, staff_and_reviewer, draft
    ):
        activity = _submitted(staff, draft)
        with pytest.raises(NotAllowed, match="report for"):
            services.activity_approve(actor=staff_and_reviewer, activity=activity, level=1)
        with pytest.raises(NotAllowed, match="report for"):
            services.activity_return(
                actor=staff_and_reviewer, activity=activity, level=1, reason="x"
            )
        assert activity.events.count() == 1
        assert list(review_queue(staff_and_reviewer)) == []
        assert list(review_queue(reviewer)) == [activity]

    def test_an_activity_outside_the_campaign_dates_is_refused(self, staff, draft):
        with pytest.raises(ActivityError, match="within the campaign"):
            services.activity_update(
                actor=staff, activity=draft, data={"starts_on": datetime.date(1990, 1, 1)}
            )
        draft.refresh_from_db()
        assert draft.starts_on == datetime.date(2010, 6, 1)

    def test_a_closed_campaign_takes_no_more_changes(self, staff, campaign, draft):
        campaign.is_active = False
        campaign.save()
        for change in (
            lambda: services.activity_update(actor=staff, activity=draft, data={"place": "x"}),
            lambda: services.activity_submit(actor=staff, activity=draft),
        ):
            with pytest.raises(ActivityError, match="closed"):
                change()
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_participants_beyond_any_real_activity_are_refused(self, staff, draft):
        with pytest.raises(ValidationError):
            services.activity_update(
                actor=staff, activity=draft, data={"participants_public": 2**31}
            )
