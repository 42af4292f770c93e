"""The activity pages: my unit's activities, the draft form, the activity page, and the workflow
transitions posted from it (and from the review queue)."""

import datetime
import re

import pytest
from django.urls import reverse

from activities import services
from activities.models import Action, Activity, ActivityEvent, CoOrganiser, Status
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UserFactory,
)
from tests.pages import messages_of
from units.models import Role

INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _form_data(task=None, **overrides) -> dict:
    data = {
        "title": "七一主题党日",
        "starts_on": "2010-07-01",
        "ends_on": "2010-07-02",
        "place": "党员活动室",
        "participants_party_members": "12",
        "participants_workers": "3",
        "participants_youth": "0",
        "participants_women": "5",
        "participants_public": "30",
        "quantity": "",
        "description": "重温入党誓词",
        "outcome": "全体党员参加",
        "tasks": [task.pk] if task else [],
    }
    return {**data, **overrides}


def _submitted(staff, draft):
    return services.activity_submit(actor=staff, activity=draft)


def _approved(staff, reviewer, draft):
    return services.activity_approve(actor=reviewer, activity=_submitted(staff, draft), level=1)


def _assert_csp_clean(response) -> None:
    html = response.content.decode()
    for pattern in (INLINE_STYLE, INLINE_SCRIPT, EVENT_HANDLER):
        assert not pattern.search(html), pattern.search(html)


# --- My unit's activities --------------------------------------------------------------------


class TestList:
    def test_it_lists_the_units_activities_with_status_tasks_and_return_reason(
        self, client, tree, staff, reviewer, task, draft
    ):
        returned = ActivityFactory(
            campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
        )
        _submitted(staff, returned)
        services.activity_return(actor=reviewer, activity=returned, level=1, reason="缺少照片")
        elsewhere = ActivityFactory(campaign=task.campaign, unit=tree.branch_b1, title="别处活动")
        client.force_login(staff)

        response = client.get(reverse("activities:list"))

        assert response.status_code == 200
        html = response.content.decode()
        assert draft.title in html and returned.title in html
        assert elsewhere.title not in html
        assert task.title in html
        assert "缺少照片" in html
        assert "status-returned" in html and "status-draft" in html
        assert reverse("activities:create") + f"?unit={tree.branch_a1.pk}" in html
        _assert_csp_clean(response)

    def test_it_filters_by_status(self, client, tree, staff, task, draft):
        other = ActivityFactory(
            campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
        )
        _submitted(staff, other)
        client.force_login(staff)

        response = client.get(reverse("activities:list"), {"status": "submitted"})

        html = response.content.decode()
        assert other.title in html
        assert draft.title not in html
        counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
        assert counts[""] == 2 and counts["submitted"] == 1 and counts["draft"] == 1

    def test_it_ignores_an_unknown_status(self, client, staff, draft):
        client.force_login(staff)

        response = client.get(reverse("activities:list"), {"status": "nonsense"})

        assert response.status_code == 200
        assert draft.title in response.content.decode()

    def test_staff_of_several_units_choose_one(self, client, tree, staff, task, targets, draft):
        MembershipFactory(user=staff, unit=tree.union_a2, role=Role.STAFF)
        union_activity = ActivityFactory(
            campaign=task.campaign, unit=tree.union_a2, title="工会活动", tasks=[task]
        )
        client.force_login(staff)

        first = client.get(reverse("activities:list"))
        chosen = client.get(reverse("activities:list"), {"unit": tree.union_a2.pk})

        assert 'data-testid="unit-chooser"' in first.content.decode()
        assert draft.title in first.content.decode()
        assert union_activity.title not in first.content.decode()
        assert union_activity.title in chosen.content.decode()
        assert draft.title not in chosen.content.decode()

    def test_it_refuses_a_unit_that_is_not_theirs(self, client, tree, staff, draft):
        client.force_login(staff)

        response = client.get(reverse("activities:list"), {"unit": tree.branch_b1.pk})

        assert response.status_code == 404

    def test_someone_with_no_staff_role_sees_an_explanation(self, client, reviewer, draft):
        client.force_login(reviewer)

        response = client.get(reverse("activities:list"))

        assert response.status_code == 200
        assert draft.title not in response.content.decode()
        assert (
            "review queue" in response.content.decode().lower() or response.context["units"] == []
        )

    def test_it_pages_by_25(self, client, tree, staff, task, targets):
        for n in range(30):
            ActivityFactory(campaign=task.campaign, unit=tree.branch_a1, title=f"活动{n:02d}")
        client.force_login(staff)

        first = client.get(reverse("activities:list"))
        second = client.get(reverse("activities:list"), {"page": 2})

        assert len(first.context["rows"]) == 25
        assert len(second.context["rows"]) == 5

    @pytest.mark.parametrize("rows", [4, 12])
    def test_it_runs_a_constant_number_of_queries(
        self, client, tree, staff, task, targets, rows, django_assert_max_num_queries
    ):
        second_task = TargetTaskFactory(campaign=task.campaign, code="DJ-02")
        TargetFactory(unit=tree.branch_a1, task=second_task)
        for n in range(rows):
            activity = ActivityFactory(
                campaign=task.campaign,
                unit=tree.branch_a1,
                created_by=staff,
                tasks=[task, second_task],
                title=f"活动{n}",
            )
            CoOrganiser.objects.create(activity=activity, unit=tree.union_a2)
            theirs = ActivityFactory(campaign=task.campaign, unit=tree.union_a2, tasks=[task])
            CoOrganiser.objects.create(activity=theirs, unit=tree.branch_a1)
        client.force_login(staff)

        with django_assert_max_num_queries(14):
            response = client.get(reverse("activities:list"))

        assert len(response.context["rows"]) == 2 * rows


# --- Draft form ------------------------------------------------------------------------------


class TestCreate:
    def test_the_form_offers_only_tasks_the_unit_has_targets_for(
        self, client, tree, staff, task, targets
    ):
        untargeted = TargetTaskFactory(campaign=task.campaign, title="没有指标的任务")
        client.force_login(staff)

        response = client.get(reverse("activities:create"))

        assert response.status_code == 200
        html = response.content.decode()
        assert task.title in html
        assert untargeted.title not in html
        assert tree.union_a2.name in html  # a co-organiser choice
        assert tree.branch_b1.name not in html
        form = html.split('data-testid="activity-form"', 1)[1].split("</form>", 1)[0]
        assert form.count('name="csrfmiddlewaretoken"') == 1
        _assert_csp_clean(response)

    def test_it_creates_a_draft(self, client, tree, staff, task, targets):
        client.force_login(staff)

        response = client.post(
            reverse("activities:create"),
            _form_data(task, coorganisers=[tree.union_a2.pk], save_draft="1"),
        )

        activity = Activity.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("activities:detail", args=[activity.pk])
        assert activity.status == Status.DRAFT
        assert activity.unit == tree.branch_a1 and activity.campaign == task.campaign
        assert activity.created_by == staff
        assert activity.participants == 50
        assert activity.ends_on == datetime.date(2010, 7, 2)
        assert list(activity.tasks.all()) == [task]
        assert list(activity.coorganisers.values_list("unit", flat=True)) == [tree.union_a2.pk]
        assert not activity.events.exists()

    def test_save_and_submit_submits_it(self, client, tree, staff, reviewer, task, targets):
        client.force_login(staff)

        client.post(reverse("activities:create"), _form_data(task, save_submit="1"))

        activity = Activity.objects.get()
        assert activity.status == Status.SUBMITTED
        assert activity.review_unit == tree.committee_a
        assert list(activity.events.values_list("action", flat=True)) == [Action.SUBMIT]

    def test_save_and_submit_without_a_task_keeps_the_draft_and_says_why(
        self, client, staff, task, targets
    ):
        client.force_login(staff)

        response = client.post(
            reverse("activities:create"), _form_data(None, save_submit="1"), follow=True
        )

        activity = Activity.objects.get()
        assert activity.status == Status.DRAFT
        assert any("target task" in m for m in messages_of(response))

    def test_it_refuses_an_end_before_the_start(self, client, staff, task, targets):
        client.force_login(staff)

        response = client.post(reverse("activities:create"), _form_data(task, ends_on="2010-06-01"))

        assert response.status_code == 200
        assert response.context["form"].errors["ends_on"]
        assert not Activity.objects.exists()

    def test_it_refuses_a_task_without_a_target(self, client, staff, task, targets):
        untargeted = TargetTaskFactory(campaign=task.campaign)
        client.force_login(staff)

        response = client.post(
            reverse("activities:create"), _form_data(task, tasks=[untargeted.pk])
        )

        assert response.status_code == 200
        assert response.context["form"].errors["tasks"]
        assert not Activity.objects.exists()

    def test_it_refuses_a_coorganiser_outside_the_rules(self, client, tree, staff, task, targets):
        client.force_login(staff)

        response = client.post(
            reverse("activities:create"), _form_data(task, coorganisers=[tree.branch_b1.pk])
        )

        assert response.context["form"].errors["coorganisers"]
        assert not Activity.objects.exists()

    def test_it_says_so_when_no_campaign_is_open(self, client, staff, campaign):
        campaign.is_active = False
        campaign.save()
        client.force_login(staff)

        response = client.get(reverse("activities:create"))
        posted = client.post(reverse("activities:create"), _form_data())

        assert 'data-testid="no-campaign"' in response.content.decode()
        assert posted.status_code == 200
        assert not Activity.objects.exists()

    def test_staff_of_several_units_choose_the_unit(self, client, tree, staff, task, targets):
        MembershipFactory(user=staff, unit=tree.union_a2, role=Role.STAFF)
        client.force_login(staff)

        chooser = client.get(reverse("activities:create"))
        url = reverse("activities:create") + f"?unit={tree.union_a2.pk}"
        client.post(url, _form_data(task))

        assert 'data-testid="unit-chooser"' in chooser.content.decode()
        assert Activity.objects.get().unit == tree.union_a2

    def test_it_refuses_a_unit_that_is_not_theirs(self, client, tree, staff, task, targets):
        client.force_login(staff)
        url = reverse("activities:create") + f"?unit={tree.branch_b1.pk}"

        assert client.get(url).status_code == 404
        assert client.post(url, _form_data(task)).status_code == 404
        assert not Activity.objects.exists()

    def test_it_refuses_someone_who_is_no_units_staff(self, client, reviewer, task, targets):
        client.force_login(reviewer)

        assert client.get(reverse("activities:create")).status_code == 403
        assert client.post(reverse("activities:create"), _form_data(task)).status_code == 403
        assert not Activity.objects.exists()


class TestEdit:
    def test_it_saves_changes_to_a_draft(self, client, tree, staff, task, draft):
        client.force_login(staff)

        form = client.get(reverse("activities:edit", args=[draft.pk]))
        response = client.post(
            reverse("activities:edit", args=[draft.pk]), _form_data(task, title="改过的标题")
        )

        assert form.status_code == 200
        assert draft.title in form.content.decode()
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "改过的标题"
        assert draft.participants == 50
        assert draft.status == Status.DRAFT

    def test_it_refuses_an_edit_of_an_approved_activity(self, client, staff, reviewer, task, draft):
        _approved(staff, reviewer, draft)
        client.force_login(staff)

        shown = client.get(reverse("activities:edit", args=[draft.pk]), follow=True)
        posted = client.post(
            reverse("activities:edit", args=[draft.pk]),
            _form_data(task, title="偷偷改"),
            follow=True,
        )

        assert shown.redirect_chain[-1][0] == reverse("activities:detail", args=[draft.pk])
        assert "approved and locked" in " ".join(messages_of(shown))
        assert "approved and locked" in " ".join(messages_of(posted))
        draft.refresh_from_db()
        assert draft.title != "偷偷改"
        assert draft.status == Status.APPROVED

    def test_it_refuses_an_edit_while_waiting_for_review(self, client, staff, task, draft):
        _submitted(staff, draft)
        client.force_login(staff)

        response = client.post(
            reverse("activities:edit", args=[draft.pk]), _form_data(task, title="x"), follow=True
        )

        assert "waiting for review" in " ".join(messages_of(response))
        draft.refresh_from_db()
        assert draft.title != "x"

    def test_a_reviewer_who_can_see_it_may_not_edit_it(self, client, reviewer, task, draft):
        Activity.objects.filter(pk=draft.pk).update(status=Status.RETURNED)  # a draft is hidden
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:edit", args=[draft.pk]), _form_data(task, title="x")
        )

        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.title != "x"

    def test_an_outsider_gets_a_404(self, client, outsider, task, draft):
        client.force_login(outsider)

        assert client.get(reverse("activities:edit", args=[draft.pk])).status_code == 404


# --- Activity page ---------------------------------------------------------------------------


class TestDetail:
    def test_it_shows_the_activity_its_participants_and_timeline(
        self, client, tree, staff, reviewer, task, draft
    ):
        CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
        _submitted(staff, draft)
        services.activity_return(actor=reviewer, activity=draft, level=1, reason="请补充照片")
        client.force_login(staff)

        response = client.get(reverse("activities:detail", args=[draft.pk]))

        assert response.status_code == 200
        html = response.content.decode()
        assert draft.title in html and task.title in html and tree.union_a2.name in html
        assert "请补充照片" in html
        assert len(response.context["events"]) == 2
        assert html.count('data-testid="event"') == 2
        assert ("Party members", 10) in [(str(k), v) for k, v in response.context["participants"]]
        assert 'data-testid="edit"' in html and 'data-testid="submit"' in html
        assert 'data-testid="approve"' not in html
        _assert_csp_clean(response)

    def test_a_reviewer_sees_approve_and_return_with_the_level(
        self, client, staff, reviewer, draft
    ):
        _submitted(staff, draft)
        client.force_login(reviewer)

        response = client.get(reverse("activities:detail", args=[draft.pk]))

        html = response.content.decode()
        assert 'data-testid="approve"' in html and 'data-testid="return"' in html
        assert 'name="level" value="1"' in html
        assert 'data-testid="edit"' not in html
        assert response.context["days_waiting"] == 0

    def test_staff_see_withdraw_while_it_waits(self, client, staff, draft):
        _submitted(staff, draft)
        client.force_login(staff)

        html = client.get(reverse("activities:detail", args=[draft.pk])).content.decode()

        assert 'data-testid="withdraw"' in html
        assert 'data-testid="edit"' not in html and 'data-testid="upload"' not in html

    def test_a_reviewer_sees_reopen_once_approved(self, client, staff, reviewer, draft):
        _approved(staff, reviewer, draft)
        client.force_login(reviewer)

        html = client.get(reverse("activities:detail", args=[draft.pk])).content.decode()

        assert 'data-testid="reopen"' in html
        assert 'data-testid="approve"' not in html

    def test_a_leader_sees_it_without_any_button(self, client, staff, leader, draft):
        _submitted(staff, draft)
        client.force_login(leader)

        response = client.get(reverse("activities:detail", args=[draft.pk]))

        assert response.status_code == 200
        html = response.content.decode()
        for button in ("edit", "submit", "withdraw", "approve", "return", "reopen", "upload"):
            assert f'data-testid="{button}"' not in html

    def test_an_outsider_gets_a_404(self, client, outsider, draft):
        client.force_login(outsider)

        assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404

    @pytest.mark.parametrize("rows", [2, 6])
    def test_it_runs_a_constant_number_of_queries(
        self, client, staff, reviewer, tree, task, draft, rows, django_assert_max_num_queries
    ):
        for n in range(rows):
            extra = TargetTaskFactory(campaign=task.campaign)
            TargetFactory(unit=tree.branch_a1, task=extra)
            draft.tasks.add(extra)
            _submitted(staff, draft)
            services.activity_return(actor=reviewer, activity=draft, level=1, reason=f"第{n}次")
        CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
        CoOrganiser.objects.create(activity=draft, unit=tree.committee_a)
        client.force_login(staff)

        with django_assert_max_num_queries(14):
            response = client.get(reverse("activities:detail", args=[draft.pk]))

        assert len(response.context["events"]) == 2 * rows


# --- Transitions -----------------------------------------------------------------------------


class TestTransitions:
    def test_staff_submit_it(self, client, staff, reviewer, draft):
        client.force_login(staff)

        response = client.post(reverse("activities:submit", args=[draft.pk]), follow=True)

        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED
        assert draft.events.get().action == Action.SUBMIT
        assert response.redirect_chain[-1][0] == reverse("activities:detail", args=[draft.pk])
        assert "Submitted for review." in messages_of(response)

    def test_transitions_are_post_only(self, client, staff, draft):
        client.force_login(staff)

        for name in ("submit", "withdraw", "approve", "return", "reopen"):
            assert client.get(reverse(f"activities:{name}", args=[draft.pk])).status_code == 405
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_staff_withdraw_before_review(self, client, staff, draft):
        _submitted(staff, draft)
        client.force_login(staff)

        client.post(reverse("activities:withdraw", args=[draft.pk]))

        draft.refresh_from_db()
        assert draft.status == Status.DRAFT
        assert draft.events.last().action == Action.WITHDRAW

    def test_a_reviewer_approves_it_and_goes_back_to_the_queue(
        self, client, staff, reviewer, draft
    ):
        _submitted(staff, draft)
        client.force_login(reviewer)
        queue = reverse("activities:queue") + "?status=submitted"

        response = client.post(
            reverse("activities:approve", args=[draft.pk]),
            {"level": "1", "comment": "材料齐全", "next": queue},
        )

        assert response.status_code == 302
        assert response["Location"] == queue
        draft.refresh_from_db()
        assert draft.status == Status.APPROVED
        event = draft.events.last()
        assert (event.action, event.actor, event.comment) == (Action.APPROVE, reviewer, "材料齐全")

    def test_it_ignores_a_next_that_leaves_the_site(self, client, staff, reviewer, draft):
        _submitted(staff, draft)
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:approve", args=[draft.pk]),
            {"level": "1", "next": "https://evil.example.com/"},
        )

        assert response["Location"] == reverse("activities:detail", args=[draft.pk])

    def test_it_refuses_approval_by_staff(self, client, staff, draft):
        _submitted(staff, draft)
        client.force_login(staff)

        response = client.post(reverse("activities:approve", args=[draft.pk]), {"level": "1"})

        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED
        assert draft.events.count() == 1

    def test_it_refuses_approval_by_outsider(self, client, staff, outsider, draft):
        _submitted(staff, draft)
        client.force_login(outsider)

        response = client.post(reverse("activities:approve", args=[draft.pk]), {"level": "1"})

        assert response.status_code == 404
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED

    @pytest.mark.parametrize("level", [None, "", "abc", "0", "-1"])
    def test_a_missing_or_bad_level_is_a_400(self, client, staff, reviewer, draft, level):
        _submitted(staff, draft)
        client.force_login(reviewer)
        data = {} if level is None else {"level": level}

        approve = client.post(reverse("activities:approve", args=[draft.pk]), data)
        returned = client.post(
            reverse("activities:return", args=[draft.pk]), {**data, "reason": "x"}
        )

        assert approve.status_code == 400 and returned.status_code == 400
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED

    def test_a_stale_level_is_refused_with_a_message(self, client, staff, reviewer, draft):
        _submitted(staff, draft)
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:approve", args=[draft.pk]), {"level": "2"}, follow=True
        )

        assert "Another reviewer has already acted" in " ".join(messages_of(response))
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED

    def test_the_second_of_two_approvals_gets_a_message(self, client, staff, reviewer, draft):
        _submitted(staff, draft)
        client.force_login(reviewer)
        url = reverse("activities:approve", args=[draft.pk])

        client.post(url, {"level": "1"})
        again = client.post(url, {"level": "1"}, follow=True)

        assert again.status_code == 200
        assert "someone may have acted on it first" in " ".join(messages_of(again))
        assert draft.events.filter(action=Action.APPROVE).count() == 1

    def test_a_reviewer_returns_it_with_a_reason(self, client, staff, reviewer, draft):
        _submitted(staff, draft)
        client.force_login(reviewer)

        client.post(
            reverse("activities:return", args=[draft.pk]), {"level": "1", "reason": "缺少签到表"}
        )

        draft.refresh_from_db()
        assert draft.status == Status.RETURNED
        assert draft.return_reason == "缺少签到表"
        assert draft.events.last().comment == "缺少签到表"

    def test_return_without_a_reason_is_refused(self, client, staff, reviewer, draft):
        _submitted(staff, draft)
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:return", args=[draft.pk]),
            {"level": "1", "reason": "   "},
            follow=True,
        )

        assert "a reason is required" in " ".join(messages_of(response))
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED
        assert draft.return_reason == ""
        assert draft.events.count() == 1

    def test_a_reviewer_reopens_an_approved_activity_with_a_reason(
        self, client, staff, reviewer, draft
    ):
        _approved(staff, reviewer, draft)
        client.force_login(reviewer)

        refused = client.post(
            reverse("activities:reopen", args=[draft.pk]), {"reason": ""}, follow=True
        )
        draft.refresh_from_db()
        assert draft.status == Status.APPROVED
        assert "a reason is required" in " ".join(messages_of(refused))

        client.post(reverse("activities:reopen", args=[draft.pk]), {"reason": "数字有误"})
        draft.refresh_from_db()
        assert draft.status == Status.RETURNED
        assert draft.events.last().action == Action.REOPEN

    def test_staff_may_not_reopen(self, client, staff, reviewer, draft):
        _approved(staff, reviewer, draft)
        client.force_login(staff)

        response = client.post(reverse("activities:reopen", args=[draft.pk]), {"reason": "x"})

        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.status == Status.APPROVED

    def test_two_level_approval_passes_it_on(self, client, tree, staff, reviewer, targets):
        campaign = CampaignFactory(unit=tree.city, review_levels=2)
        task = TargetTaskFactory(campaign=campaign)
        TargetFactory(unit=tree.branch_a1, task=task)
        top = MembershipFactory(unit=tree.city, role=Role.REVIEWER).user
        activity = ActivityFactory(
            campaign=campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
        )
        _submitted(staff, activity)
        client.force_login(reviewer)

        response = client.post(
            reverse("activities:approve", args=[activity.pk]), {"level": "1"}, follow=True
        )
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED and activity.review_level == 2
        assert "passed to level 2" in " ".join(messages_of(response))

        # The level-1 reviewer is offered no level-2 decision, and a stale form is told why.
        page = client.get(reverse("activities:detail", args=[activity.pk]))
        assert not page.context["can_review"]
        refused = client.post(reverse("activities:approve", args=[activity.pk]), {"level": "2"})
        assert refused.status_code == 403
        assert "another reviewer must approve it at level 2" in refused.content.decode()

        client.force_login(top)
        client.post(reverse("activities:approve", args=[activity.pk]), {"level": "2"})
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED
        assert list(
            ActivityEvent.objects.filter(activity=activity).values_list("action", flat=True)
        ) == [Action.SUBMIT, Action.PASS_ON, Action.APPROVE]

        # The timeline names the pass-on's levels once (its label), the decisions their level.
        html = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
        passed_on = html.split('timeline-pass_on"')[1].split("</li>")[0]
        assert "Approved at level 1, passed to level 2" in passed_on
        assert "badge" not in passed_on
        approved = html.split('timeline-approve"')[1].split("</li>")[0]
        assert ">level 2</span>" in approved


# --- Admin -----------------------------------------------------------------------------------


def test_a_superuser_inspects_an_activity_in_the_admin_read_only(
    client, staff, reviewer, tree, draft
):
    CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
    _submitted(staff, draft)
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)

    listing = client.get(reverse("admin:activities_activity_changelist"))
    page = client.get(reverse("admin:activities_activity_change", args=[draft.pk]))
    posted = client.post(reverse("admin:activities_activity_change", args=[draft.pk]), {})

    assert listing.status_code == 200 and draft.title in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert tree.union_a2.name in html and "Submitted" in html
    assert posted.status_code == 403
    assert client.get(reverse("admin:activities_activity_add")).status_code == 403
