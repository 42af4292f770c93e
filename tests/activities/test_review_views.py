"""The reviewer's queue: scoping, order, filters, waiting badges, approve/return from a row, bulk
approval and the two-level workflow."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import review_views, selectors, services
from activities.models import Action, Activity, ActivityEvent, Status
from activities.progress import target_sums_forget
from common.paging import page_number
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UserFactory,
)
from tests.test_base_ui import _assert_csp_clean
from units.models import Line, Role

QUEUE = reverse("activities:queue")
BULK = reverse("activities:bulk_approve")


@pytest.fixture
def client(client):
    """In English, so that the outcome messages read as their msgids."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff_of(tree):
    """A staff member per unit code, made on first use."""
    made = {}

    def get(unit):
        if unit.code not in made:
            made[unit.code] = UserFactory(username=f"author_{unit.code.lower()}")
            MembershipFactory(user=made[unit.code], unit=unit, role=Role.STAFF)
        return made[unit.code]

    return get


@pytest.fixture
def submit(staff_of, task, targets):
    """Submit a new activity of `unit`, optionally back-dating when it started waiting."""

    def make(unit, *, days_ago: int = 0, tasks=None, **fields) -> Activity:
        author = staff_of(unit)
        fields.setdefault("campaign", task.campaign)
        activity = ActivityFactory(unit=unit, created_by=author, tasks=tasks or [task], **fields)
        activity = services.activity_submit(actor=author, activity=activity)
        if days_ago:
            when = timezone.now() - datetime.timedelta(days=days_ago)
            Activity.objects.filter(pk=activity.pk).update(submitted_at=when, waiting_since=when)
            activity.refresh_from_db()
        return activity

    return make


@pytest.fixture
def city_reviewer(tree):
    user = UserFactory(username="reviewer_city")
    MembershipFactory(user=user, unit=tree.city, role=Role.REVIEWER)
    return user


def _listed(response) -> list[int]:
    return [row["activity"].pk for row in response.context["rows"]]


def _outcomes(response) -> dict[int, tuple[bool, str]]:
    found = {o.activity.pk: (o.ok, o.message) for o in response.context["outcomes"]}
    for activity in response.context["missing"]:
        found[activity.pk] = (False, "missing")
    return found


def _bulk(client, *, ids=(), scope="selected", confirm=True, listed_at=None, **filters):
    """Post the bulk form as the queue page does: `listed_at` is when the page was shown."""
    listed_at = listed_at or timezone.now()
    data = {"scope": scope, "ids": [str(pk) for pk in ids], "listed_at": listed_at.isoformat()}
    data.update(filters)
    if confirm:
        data["confirm"] = "on"
    return client.post(BULK, data)


class TestScope:
    def test_it_lists_the_submissions_below_the_reviewer_only(
        self, client, tree, reviewer, outsider, submit
    ):
        a1, a2, b1 = submit(tree.branch_a1), submit(tree.union_a2), submit(tree.branch_b1)
        client.force_login(reviewer)

        response = client.get(QUEUE)

        assert response.status_code == 200
        assert sorted(_listed(response)) == sorted([a1.pk, a2.pk])
        assert b1.title not in response.content.decode()

    def test_a_city_reviewer_sees_every_submission(
        self, client, tree, reviewer, city_reviewer, submit
    ):
        made = [submit(tree.branch_a1), submit(tree.union_a2), submit(tree.branch_b1)]
        client.force_login(city_reviewer)

        response = client.get(QUEUE)

        assert sorted(_listed(response)) == sorted(a.pk for a in made)

    def test_it_leaves_out_drafts_and_decided_activities(self, client, tree, reviewer, submit):
        waiting = submit(tree.branch_a1)
        done = submit(tree.branch_a1)
        services.activity_approve(actor=reviewer, activity=done, level=1)
        ActivityFactory(campaign=waiting.campaign, unit=tree.branch_a1)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE)) == [waiting.pk]

    def test_it_lists_the_oldest_first(self, client, tree, reviewer, submit):
        newer = submit(tree.branch_a1, days_ago=1)
        oldest = submit(tree.union_a2, days_ago=6)
        middle = submit(tree.branch_a1, days_ago=3)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE)) == [oldest.pk, middle.pk, newer.pk]

    @pytest.mark.parametrize("actor", ["staff", "leader", "admin_user", "city_admin"])
    def test_it_refuses_the_queue_to_users_without_a_reviewer_role(
        self, client, request, tree, actor
    ):
        client.force_login(request.getfixturevalue(actor))

        assert client.get(QUEUE).status_code == 403

    def test_it_asks_anonymous_users_to_log_in(self, client, tree):
        response = client.get(QUEUE)

        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_the_page_has_no_inline_script_or_style(self, client, tree, reviewer, submit):
        submit(tree.branch_a1)
        client.force_login(reviewer)

        response = client.get(QUEUE)

        _assert_csp_clean(response)
        assert 'id="bulk-form"' in response.content.decode()

    def test_each_row_shows_the_unit_with_its_parent_and_the_tasks(
        self, client, tree, reviewer, submit, task
    ):
        submit(tree.branch_a1)
        client.force_login(reviewer)

        html = client.get(QUEUE).content.decode()

        assert tree.branch_a1.name in html and tree.committee_a.name in html
        assert task.title in html

    def test_a_rows_text_is_escaped(self, client, tree, reviewer, submit):
        submit(tree.branch_a1, title='<b>"党日"</b> & 学习')
        client.force_login(reviewer)

        html = client.get(QUEUE).content.decode()

        assert "<b>" not in html
        assert "&lt;b&gt;&quot;党日&quot;&lt;/b&gt; &amp; 学习</a>" in html
        assert 'aria-label="Select “&lt;b&gt;&quot;党日&quot;&lt;/b&gt; &amp; 学习”"' in html


class TestFilters:
    def test_it_filters_by_unit_name_or_code(self, client, tree, reviewer, submit):
        a1, a2 = submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"unit": "工会"})) == [a2.pk]
        assert _listed(client.get(QUEUE, {"unit": "a1"})) == [a1.pk]

    def test_it_includes_the_units_below_a_matched_unit_when_asked(
        self, client, tree, city_reviewer, submit
    ):
        a1, a2, b1 = submit(tree.branch_a1), submit(tree.union_a2), submit(tree.branch_b1)
        client.force_login(city_reviewer)

        assert _listed(client.get(QUEUE, {"unit": "机关党工委"})) == []
        below = _listed(client.get(QUEUE, {"unit": "机关党工委", "below": "on"}))
        assert sorted(below) == sorted([a1.pk, a2.pk])
        assert b1.pk not in below

    def test_it_filters_by_the_units_line(self, client, tree, reviewer, submit):
        submit(tree.branch_a1)
        a2 = submit(tree.union_a2)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"line": Line.UNION})) == [a2.pk]

    def test_it_filters_by_task_and_lists_a_many_task_activity_once(
        self, client, tree, reviewer, submit, task, campaign
    ):
        other = TargetTaskFactory(campaign=campaign, code="DJ-02", title="党员志愿服务")
        TargetFactory(unit=tree.branch_a1, task=other)
        both = submit(tree.branch_a1, tasks=[task, other])
        submit(tree.branch_a1)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"task": other.pk})) == [both.pk]
        assert len(_listed(client.get(QUEUE, {"task": task.pk}))) == 2

    def test_it_offers_only_the_tasks_of_campaigns_in_sight(
        self, client, tree, reviewer, submit, task
    ):
        hidden = TargetTaskFactory(campaign=CampaignFactory(unit=tree.committee_b), title="看不见")
        submit(tree.branch_a1)
        client.force_login(reviewer)

        response = client.get(QUEUE, {"task": hidden.pk})

        html = response.content.decode()
        assert f'<option value="{task.pk}">{task.title}</option>' in html
        assert hidden.title not in html
        assert "task" in response.context["filter"].form.errors

    def test_the_task_choices_follow_a_change_of_the_catalogue_at_once(
        self, client, tree, reviewer, submit, task, campaign
    ):
        """The choices are kept in the process (activities.progress.catalogues) under the
        campaign's targets_version: a task added, renamed or deleted shows on the next page."""
        submit(tree.branch_a1)
        client.force_login(reviewer)
        before = client.get(QUEUE).content.decode()
        assert f'<option value="{task.pk}">{task.title}</option>' in before

        added = TargetTaskFactory(campaign=campaign, code="DJ-09", title="新增任务")
        task.title = "改过名的任务"
        task.save()
        html = client.get(QUEUE).content.decode()
        assert f'<option value="{added.pk}">新增任务</option>' in html
        assert f'<option value="{task.pk}">改过名的任务</option>' in html

        added.delete()
        assert "新增任务" not in client.get(QUEUE).content.decode()

    def test_same_titled_tasks_of_two_campaigns_are_told_apart(
        self, client, tree, reviewer, submit, task, campaign
    ):
        later = CampaignFactory(unit=tree.city, name="2026年创先争优")
        again = TargetTaskFactory(campaign=later, code=task.code, title=task.title)
        TargetFactory(unit=tree.branch_a1, task=again)
        old, new = submit(tree.branch_a1), submit(tree.branch_a1, tasks=[again], campaign=later)
        client.force_login(reviewer)

        response = client.get(QUEUE)

        html = response.content.decode()
        for name, option in ((campaign.name, task), (later.name, again)):
            group = re.search(rf'<optgroup label="{name}">(.*?)</optgroup>', html, re.S)
            assert group and f'<option value="{option.pk}">' in group.group(1)
        named = re.findall(r'data-testid="review-campaign">([^<]+)<', html)
        assert sorted(named) == sorted([campaign.name, later.name])
        assert _listed(client.get(QUEUE, {"task": again.pk})) == [new.pk]
        assert old.pk in _listed(client.get(QUEUE, {"task": task.pk}))

    def test_it_filters_by_the_activity_date(self, client, tree, reviewer, submit):
        june = submit(tree.branch_a1, starts_on=datetime.date(2010, 6, 10))
        july = submit(tree.branch_a1, starts_on=datetime.date(2010, 7, 10))
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"starts_from": "2010-07-01"})) == [july.pk]
        assert _listed(client.get(QUEUE, {"starts_to": "2010-06-30"})) == [june.pk]
        assert _listed(
            client.get(QUEUE, {"starts_from": "2010-06-01", "starts_to": "2010-06-30"})
        ) == [june.pk]

    def test_it_shows_only_overdue_submissions_when_asked(self, client, tree, reviewer, submit):
        late = submit(tree.branch_a1, days_ago=8)
        submit(tree.branch_a1, days_ago=7)
        submit(tree.union_a2, days_ago=1)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"overdue": "on"})) == [late.pk]

    def test_it_shows_submissions_due_soon_and_either_wait_when_both_are_ticked(
        self, client, tree, reviewer, submit
    ):
        late = submit(tree.branch_a1, days_ago=8)
        soon = submit(tree.branch_a1, days_ago=6)
        submit(tree.union_a2, days_ago=1)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"due_soon": "on"})) == [soon.pk]
        with CaptureQueriesContext(connection) as queries:
            both = client.get(QUEUE, {"due_soon": "on", "overdue": "on"})
        assert _listed(both) == [late.pk, soon.pk]
        assert both.context["filter"].is_filtered
        deadlines = [q for q in queries if '"review_deadline_days" FROM' in q["sql"]]
        assert len(deadlines) == 1  # both waits from one reading of the campaigns' deadlines

    def test_overdue_follows_each_campaigns_own_deadline(self, client, tree, reviewer, submit):
        strict = CampaignFactory(unit=tree.city, review_deadline_days=3)
        strict_task = TargetTaskFactory(campaign=strict)
        TargetFactory(unit=tree.branch_a1, task=strict_task)
        late = submit(tree.branch_a1, days_ago=4, tasks=[strict_task], campaign=strict)
        submit(tree.branch_a1, days_ago=4)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"overdue": "on"})) == [late.pk]

    def test_it_looks_back_at_recent_returns_and_approvals(self, client, tree, reviewer, submit):
        returned = submit(tree.branch_a1)
        services.activity_return(actor=reviewer, activity=returned, level=1, reason="缺少照片")
        approved = submit(tree.union_a2)
        services.activity_approve(actor=reviewer, activity=approved, level=1)
        old = submit(tree.union_a2)
        services.activity_approve(actor=reviewer, activity=old, level=1)
        Activity.objects.filter(pk=old.pk).update(
            approved_at=timezone.now() - datetime.timedelta(days=40)
        )
        client.force_login(reviewer)

        response = client.get(QUEUE, {"status": Status.RETURNED})
        assert _listed(response) == [returned.pk]
        assert "缺少照片" in response.content.decode()
        assert 'id="bulk-form"' not in response.content.decode()
        assert _listed(client.get(QUEUE, {"status": Status.APPROVED})) == [approved.pk]

    def test_the_look_back_stays_in_the_reviewers_scope(self, client, tree, reviewer, submit):
        theirs = submit(tree.branch_b1)
        reviewer_b = UserFactory(username="reviewer_b")
        MembershipFactory(user=reviewer_b, unit=tree.committee_b, role=Role.REVIEWER)
        services.activity_approve(actor=reviewer_b, activity=theirs, level=1)
        client.force_login(reviewer)

        assert _listed(client.get(QUEUE, {"status": Status.APPROVED})) == []

    def test_a_bad_date_is_reported_not_a_crash(self, client, tree, reviewer, submit):
        submit(tree.branch_a1)
        client.force_login(reviewer)

        response = client.get(QUEUE, {"starts_from": "not-a-date"})

        assert response.status_code == 200
        assert response.context["filter"].form.errors

    def test_it_paginates_at_25_rows(self, client, tree, reviewer, submit):
        for _ in range(26):
            submit(tree.branch_a1)
        client.force_login(reviewer)

        first, second = client.get(QUEUE), client.get(QUEUE, {"page": 2})

        assert len(_listed(first)) == 25 and len(_listed(second)) == 1
        assert set(_listed(first)).isdisjoint(_listed(second))

    def test_it_counts_the_queue_and_its_pages_when_it_is_short(
        self, client, tree, reviewer, submit, monkeypatch
    ):
        monkeypatch.setattr(review_views, "PAGE_SIZE", 2)
        for _ in range(3):
            submit(tree.branch_a1)
        client.force_login(reviewer)

        html = client.get(QUEUE).content.decode()

        assert "3 submissions waiting, oldest first" in html
        assert "Page 1 of 2" in html
        assert "Approve all 3 matching" in html

    def test_it_stops_counting_a_long_queue_and_says_more_than(
        self, client, tree, reviewer, submit, monkeypatch, django_assert_max_num_queries
    ):
        monkeypatch.setattr(review_views, "PAGE_SIZE", 2)
        monkeypatch.setattr(review_views, "COUNT_LIMIT", 3)
        oldest_first = [submit(tree.branch_a1, days_ago=9 - n).pk for n in range(5)]
        client.force_login(reviewer)

        first = client.get(QUEUE)
        last = client.get(QUEUE, {"page": 3})

        html = first.content.decode()
        assert "More than 3 submissions waiting, oldest first" in html
        assert "Page 1</span>" in html and "Page 1 of" not in html
        assert 'data-testid="page-next"' in html
        assert _listed(first) == oldest_first[:2]
        # The count goes on to the end of the page shown, so the last page knows it is the last.
        assert _listed(last) == oldest_first[4:]
        assert 'data-testid="page-next"' not in last.content.decode()

    def test_the_look_back_says_more_than_too(self, client, tree, reviewer, submit, monkeypatch):
        monkeypatch.setattr(review_views, "COUNT_LIMIT", 1)
        for _ in range(2):
            services.activity_approve(actor=reviewer, activity=submit(tree.branch_a1), level=1)
        client.force_login(reviewer)

        html = client.get(QUEUE, {"status": Status.APPROVED}).content.decode()

        assert "More than 1 activities decided in the last 30 days, newest first" in html

    def test_a_page_past_the_end_shows_the_last_page(
        self, client, tree, reviewer, submit, monkeypatch
    ):
        """As after approving the only row of the last page: back on that page, it is gone."""
        monkeypatch.setattr(review_views, "PAGE_SIZE", 2)
        rows = [submit(tree.branch_a1, days_ago=9 - n).pk for n in range(3)]
        client.force_login(reviewer)

        response = client.get(QUEUE, {"page": 7})

        assert _listed(response) == rows[2:]
        assert response.context["page"].number == 2
        assert "Page 2 of 2" in response.content.decode()

    def test_an_empty_queue_is_one_empty_page(self, client, tree, reviewer):
        client.force_login(reviewer)

        response = client.get(QUEUE, {"page": 3})

        assert response.context["page"].number == 1
        assert 'data-testid="review-empty"' in response.content.decode()
        assert 'id="bulk-form"' not in response.content.decode()

    @pytest.mark.parametrize(
        ("value", "number"),
        [(None, 1), ("", 1), ("two", 1), ("0", 1), ("-3", 1), ("5", 5), ("10" * 20, 400)],
    )
    def test_a_page_number_is_read_leniently(self, value, number):
        assert page_number(value) == number


class TestWaitingBadge:
    @pytest.mark.parametrize(
        ("days", "state", "text"),
        [
            (1, "ok", "1 / 7"),
            (5, "due_soon", "5 / 7"),
            (7, "due_soon", "7 / 7"),
            (8, "overdue", "8 / 7"),
        ],
    )
    def test_it_compares_the_wait_with_the_review_deadline(
        self, client, tree, reviewer, submit, days, state, text
    ):
        submit(tree.branch_a1, days_ago=days)
        client.force_login(reviewer)

        html = client.get(QUEUE).content.decode()

        badge = re.search(
            r'data-testid="waiting-badge" data-state="(\w+)">(.*?)</span>', html, re.S
        )
        assert badge.group(1) == state
        assert text in badge.group(2)

    def test_a_submission_made_before_8_am_in_shanghai_is_counted_from_that_local_day(
        self, tree, reviewer, submit
    ):
        activity = submit(tree.branch_a1)
        # 07:30 on 1 June in Shanghai is still 31 May in UTC.
        activity.waiting_since = datetime.datetime(2010, 5, 31, 23, 30, tzinfo=datetime.UTC)

        row = review_views._waiting(activity, datetime.date(2010, 6, 8))

        assert row["days"] == 7
        assert row["state"] == "due_soon"


class TestRowActions:
    def test_approving_from_the_queue_returns_to_the_same_filtered_queue(
        self, client, tree, reviewer, submit
    ):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)
        here = client.get(QUEUE, {"line": Line.PARTY}).context["here"]

        response = client.post(
            reverse("activities:approve", args=[activity.pk]), {"level": 1, "next": here}
        )

        assert response.status_code == 302
        assert response["Location"] == here
        activity.refresh_from_db()
        assert activity.status == Status.APPROVED
        assert activity.events.filter(action=Action.APPROVE, actor=reviewer).count() == 1
        assert _listed(client.get(here)) == []

    def test_returning_from_the_queue_needs_a_reason_and_returns_to_the_queue(
        self, client, tree, reviewer, submit
    ):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)
        url = reverse("activities:return", args=[activity.pk])

        refused = client.post(url, {"level": 1, "next": QUEUE, "reason": "  "})
        activity.refresh_from_db()
        assert refused.status_code == 302 and refused["Location"] == QUEUE
        assert activity.status == Status.SUBMITTED
        assert activity.events.filter(action=Action.RETURN).count() == 0

        done = client.post(url, {"level": 1, "next": QUEUE, "reason": "请补充活动照片"})
        activity.refresh_from_db()
        assert done["Location"] == QUEUE
        assert activity.status == Status.RETURNED
        assert activity.return_reason == "请补充活动照片"

    def test_each_row_posts_its_review_level_and_the_way_back(self, client, tree, reviewer, submit):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        html = client.get(QUEUE, {"line": Line.PARTY}).content.decode()

        assert reverse("activities:approve", args=[activity.pk]) in html
        assert reverse("activities:return", args=[activity.pk]) in html
        assert 'name="level" value="1"' in html
        assert 'name="next" value="/activities/review/?line=party"' in html
        assert "<details" in html  # the return form folds away without script


class TestBulkApprove:
    def test_it_approves_the_selected_rows(self, client, tree, reviewer, submit):
        a, b, c = submit(tree.branch_a1), submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(reviewer)

        response = _bulk(client, ids=[a.pk, c.pk])

        assert response.status_code == 200
        assert _outcomes(response) == {a.pk: (True, "Approved"), c.pk: (True, "Approved")}
        statuses = dict(Activity.objects.values_list("pk", "status"))
        assert statuses == {a.pk: Status.APPROVED, b.pk: Status.SUBMITTED, c.pk: Status.APPROVED}
        assert ActivityEvent.objects.filter(action=Action.APPROVE).count() == 2

    def test_approving_all_due_soon_leaves_the_rest_waiting(self, client, tree, reviewer, submit):
        soon = submit(tree.branch_a1, days_ago=6)
        late, fresh = submit(tree.branch_a1, days_ago=8), submit(tree.union_a2)
        client.force_login(reviewer)

        _bulk(client, scope="filtered", due_soon="on")

        statuses = dict(Activity.objects.values_list("pk", "status"))
        assert statuses[soon.pk] == Status.APPROVED
        assert statuses[late.pk] == statuses[fresh.pk] == Status.SUBMITTED

    def test_it_approves_the_filtered_set_and_nothing_else(self, client, tree, reviewer, submit):
        a1, a2 = submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(reviewer)

        response = _bulk(client, scope="filtered", line=Line.UNION)

        assert list(_outcomes(response)) == [a2.pk]
        a1.refresh_from_db()
        a2.refresh_from_db()
        assert (a1.status, a2.status) == (Status.SUBMITTED, Status.APPROVED)

    def test_a_task_out_of_sight_makes_the_filter_invalid_and_approves_nothing(
        self, client, tree, reviewer, submit
    ):
        hidden = TargetTaskFactory(campaign=CampaignFactory(unit=tree.committee_b))
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        response = _bulk(client, scope="filtered", task=str(hidden.pk))

        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert not ActivityEvent.objects.filter(action=Action.APPROVE).exists()

    def test_selected_ids_are_intersected_with_the_filter(self, client, tree, reviewer, submit):
        a1, a2 = submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(reviewer)

        _bulk(client, ids=[a1.pk, a2.pk], line=Line.UNION)

        a1.refresh_from_db()
        assert a1.status == Status.SUBMITTED
        assert Activity.objects.get(pk=a2.pk).status == Status.APPROVED

    def test_it_reports_an_item_someone_else_returned_meanwhile(
        self, client, tree, reviewer, city_reviewer, submit
    ):
        a, b, c = submit(tree.branch_a1), submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(reviewer)
        services.activity_return(actor=city_reviewer, activity=b, level=1, reason="重复填报")

        response = _bulk(client, ids=[a.pk, b.pk, c.pk])

        outcomes = _outcomes(response)
        assert outcomes[a.pk][0] and outcomes[c.pk][0]
        assert outcomes[b.pk] == (False, "missing")
        assert "someone may have acted on it first" in response.content.decode()
        b.refresh_from_db()
        assert b.status == Status.RETURNED
        assert b.events.filter(action=Action.APPROVE).count() == 0

    def test_it_reports_an_item_returned_while_the_batch_was_running(
        self, client, monkeypatch, tree, reviewer, city_reviewer, submit
    ):
        a, b, c = submit(tree.branch_a1), submit(tree.branch_a1), submit(tree.union_a2)
        real = services.activities_bulk_approve

        def returned_first(*, actor, activities):
            services.activity_return(actor=city_reviewer, activity=b, level=1, reason="重复填报")
            return real(actor=actor, activities=activities)

        monkeypatch.setattr(services, "activities_bulk_approve", returned_first)
        client.force_login(reviewer)

        response = _bulk(client, scope="filtered")

        outcomes = _outcomes(response)
        assert outcomes[a.pk] == (True, "Approved") and outcomes[c.pk] == (True, "Approved")
        assert outcomes[b.pk][0] is False
        assert "acted on it first" in outcomes[b.pk][1]
        b.refresh_from_db()
        assert b.status == Status.RETURNED
        assert response.context["refused"] == 1 and response.context["approved"] == 2

    def test_it_needs_the_confirmation(self, client, tree, reviewer, submit):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        response = _bulk(client, ids=[activity.pk], confirm=False, line=Line.PARTY)

        assert response.status_code == 302
        assert response["Location"] == f"{QUEUE}?line=party"
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED

    def test_approve_selected_with_nothing_selected_approves_nothing(
        self, client, tree, reviewer, submit
    ):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        response = _bulk(client, ids=[])

        assert response.status_code == 302
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED

    def test_it_caps_one_batch_and_says_how_many_are_left(
        self, client, monkeypatch, tree, reviewer, submit
    ):
        monkeypatch.setattr(review_views, "BULK_LIMIT", 2)
        oldest = [submit(tree.branch_a1, days_ago=5), submit(tree.branch_a1, days_ago=4)]
        newest = submit(tree.branch_a1, days_ago=1)
        client.force_login(reviewer)

        response = _bulk(client, scope="filtered")

        assert sorted(_outcomes(response)) == sorted(a.pk for a in oldest)
        assert response.context["left_over"] == 1
        newest.refresh_from_db()
        assert newest.status == Status.SUBMITTED

    def test_an_id_outside_the_users_scope_is_a_404(self, client, tree, reviewer, outsider, submit):
        mine, theirs = submit(tree.branch_a1), submit(tree.branch_b1)
        client.force_login(reviewer)

        response = _bulk(client, ids=[mine.pk, theirs.pk])

        assert response.status_code == 404
        assert not Activity.objects.filter(status=Status.APPROVED).exists()

    def test_a_non_reviewer_is_refused_and_nothing_changes(
        self, client, tree, staff, leader, submit
    ):
        activity = submit(tree.branch_a1)
        for user in (staff, leader):
            client.force_login(user)
            assert _bulk(client, scope="filtered").status_code == 403
            assert _bulk(client, ids=[activity.pk]).status_code == 403
        activity.refresh_from_db()
        assert activity.status == Status.SUBMITTED
        assert activity.events.count() == 1

    def test_it_is_post_only(self, client, tree, reviewer):
        client.force_login(reviewer)

        assert client.get(BULK).status_code == 405

    def test_the_result_page_has_no_inline_script_or_style(self, client, tree, reviewer, submit):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        _assert_csp_clean(_bulk(client, ids=[activity.pk]))


class TestTwoLevels:
    @pytest.fixture
    def two_level(self, campaign):
        campaign.review_levels = 2
        campaign.save(update_fields=["review_levels"])
        return campaign

    def test_a_level_1_approval_moves_it_to_the_level_2_queue(
        self, client, tree, two_level, reviewer, city_reviewer, submit
    ):
        activity = submit(tree.branch_a1)
        client.force_login(reviewer)

        response = _bulk(client, ids=[activity.pk])

        assert _outcomes(response) == {activity.pk: (True, "Passed to level 2")}
        activity.refresh_from_db()
        assert (activity.status, activity.review_level) == (Status.SUBMITTED, 2)
        assert activity.review_unit == tree.city
        assert activity.passed_on_by == reviewer
        assert _listed(client.get(QUEUE)) == []
        client.force_login(city_reviewer)
        queue = client.get(QUEUE)
        assert _listed(queue) == [activity.pk]
        assert "Level 2 of 2" in queue.content.decode()

        _bulk(client, ids=[activity.pk])

        activity.refresh_from_db()
        assert activity.status == Status.APPROVED
        assert activity.passed_on_by is None
        assert list(activity.events.values_list("action", "level")) == [
            (Action.SUBMIT, 1),
            (Action.PASS_ON, 1),
            (Action.APPROVE, 2),
        ]

    def test_the_same_person_cannot_approve_both_levels(
        self, client, tree, two_level, reviewer, city_reviewer, submit
    ):
        # The city reviewer may act at level 1 too (they sit above committee_a)...
        activity = submit(tree.branch_a1)
        client.force_login(city_reviewer)
        assert _outcomes(_bulk(client, ids=[activity.pk]))[activity.pk] == (
            True,
            "Passed to level 2",
        )

        # ...but not again at level 2, neither in bulk nor from the row.
        refused = _outcomes(_bulk(client, ids=[activity.pk]))[activity.pk]
        row = client.post(
            reverse("activities:approve", args=[activity.pk]), {"level": 2, "next": QUEUE}
        )

        assert refused == (False, "missing")  # no longer in their queue (see the next test)
        assert row.status_code == 403
        assert "another reviewer must approve it at level 2" in row.content.decode()
        activity.refresh_from_db()
        assert (activity.status, activity.review_level) == (Status.SUBMITTED, 2)
        assert activity.events.filter(action=Action.APPROVE).count() == 0

    def test_what_a_reviewer_passed_on_leaves_their_queue_for_another(
        self, client, tree, two_level, reviewer, city_reviewer, submit
    ):
        passed, other = submit(tree.branch_a1), submit(tree.union_a2)
        client.force_login(city_reviewer)
        _bulk(client, ids=[passed.pk])

        # Level 2 waits on the city, where they sit, but it is not theirs to decide again.
        assert _listed(client.get(QUEUE)) == [other.pk]
        assert selectors.review_queue(city_reviewer).count() == 1  # the workbench's count

        colleague = MembershipFactory(unit=tree.city, role=Role.REVIEWER).user
        client.force_login(colleague)
        assert _listed(client.get(QUEUE)) == [other.pk, passed.pk]  # level 2's wait is newer

        # Returned and submitted again, it starts afresh: theirs to decide at level 1 again.
        services.activity_return(actor=colleague, activity=passed, level=2, reason="补充照片")
        passed.refresh_from_db()
        services.activity_submit(actor=passed.created_by, activity=passed)
        client.force_login(city_reviewer)
        assert _listed(client.get(QUEUE)) == [other.pk, passed.pk]


class TestQueryCount:
    @pytest.mark.parametrize("rows", [4, 12])
    def test_the_queue_runs_a_constant_number_of_queries(
        self, client, tree, reviewer, submit, rows, django_assert_max_num_queries
    ):
        for index in range(rows):
            submit(tree.branch_a1 if index % 2 else tree.union_a2, days_ago=index)
        client.force_login(reviewer)
        client.get(QUEUE)  # the session's first read

        with django_assert_max_num_queries(QUEUE_QUERIES):
            response = client.get(QUEUE, {"line": Line.PARTY, "overdue": ""})
        assert len(_listed(response)) == rows // 2

    @pytest.mark.parametrize("rows", [4, 12])
    def test_the_look_back_runs_a_constant_number_of_queries(
        self, client, tree, reviewer, submit, rows, django_assert_max_num_queries
    ):
        for _ in range(rows):
            services.activity_approve(actor=reviewer, activity=submit(tree.branch_a1), level=1)
        client.force_login(reviewer)
        client.get(QUEUE)

        with django_assert_max_num_queries(QUEUE_QUERIES):
            response = client.get(QUEUE, {"status": Status.APPROVED})
        assert len(_listed(response)) == rows

    @pytest.mark.parametrize("campaigns", [1, 4])
    def test_a_worker_that_kept_no_tasks_reads_every_campaigns_in_one_query(
        self, client, tree, reviewer, submit, campaigns, django_assert_num_queries
    ):
        for index in range(campaigns - 1):
            extra = CampaignFactory(unit=tree.city, name=f"第{index}期创先争优")
            TargetTaskFactory(campaign=extra, code=f"EX-{index}", title=f"任务{index}")
        submit(tree.branch_a1)
        client.force_login(reviewer)
        client.get(QUEUE)
        target_sums_forget()  # as a worker that has served no queue yet

        with django_assert_num_queries(QUEUE_QUERIES + 1):
            response = client.get(QUEUE)
        assert len(response.context["filter"].filters["task"].extra["choices"]) == campaigns
        with django_assert_num_queries(QUEUE_QUERIES):
            client.get(QUEUE)


# Session read, user, the reviewer's memberships (read once for the request: role check, queue
# scope, task choices, navigation), the active campaigns in sight (their tasks kept in the
# process: one query more when not kept yet), count (no further than COUNT_LIMIT), rows, parents,
# tasks, unread count: the same for 4 rows or 12.
QUEUE_QUERIES = 10


def test_an_id_too_large_for_the_database_is_refused_not_a_crash(client, reviewer):
    client.force_login(reviewer)

    response = client.post(
        reverse("activities:bulk_approve"),
        {"scope": "selected", "ids": ["99999999999999999999"], "confirm": "on"},
    )

    assert response.status_code in (302, 400)


def test_all_filtered_leaves_what_arrived_after_the_page_was_shown(client, tree, reviewer, submit):
    seen = submit(tree.branch_a1)
    shown = timezone.now()
    later = submit(tree.union_a2)
    client.force_login(reviewer)

    response = _bulk(client, scope="filtered", listed_at=shown)

    assert [o.activity.pk for o in response.context["outcomes"]] == [seen.pk]
    later.refresh_from_db()
    assert later.status == Status.SUBMITTED


def test_all_filtered_without_the_page_time_approves_nothing(client, tree, reviewer, submit):
    activity = submit(tree.branch_a1)
    client.force_login(reviewer)

    client.post(BULK, {"scope": "filtered", "confirm": "on"})

    activity.refresh_from_db()
    assert activity.status == Status.SUBMITTED
