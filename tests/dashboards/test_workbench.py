"""The workbench (工作台) on the start page: a panel per role, counts scoped to the user's units,
and a query count that does not grow with the data."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity
from activities.rollups import waiting_counted
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Line, Role, UnitKind

TODAY = timezone.localdate()


@pytest.fixture
def running(tree):
    """A campaign of the city running now (started 60 days ago) with one party task, a target of
    4 activities for every unit due in 10 days."""
    campaign = CampaignFactory(
        unit=tree.city,
        name="本年度创先争优",
        starts_on=TODAY - datetime.timedelta(days=60),
        ends_on=TODAY + datetime.timedelta(days=60),
    )
    task = TargetTaskFactory(campaign=campaign, code="DJ-NOW", title="主题党日", line=Line.PARTY)
    for unit in (tree.city, tree.committee_a, tree.branch_a1, tree.committee_b, tree.branch_b1):
        TargetFactory(unit=unit, task=task, due_on=TODAY + datetime.timedelta(days=10))
    return task


def log(user, unit, task, title="活动", coorganisers=()):
    return services.activity_create(
        actor=user,
        unit=unit,
        campaign=task.campaign,
        data={"title": title, "starts_on": TODAY - datetime.timedelta(days=1)},
        tasks=[task],
        coorganisers=coorganisers,
    )


def submitted(user, unit, task, *, waited_days: int = 0, title="待审活动"):
    activity = log(user, unit, task, title=title)
    services.activity_submit(actor=user, activity=activity)
    if waited_days:  # moved back in time, its roll-up with it
        began = Activity.objects.get(pk=activity.pk).waiting_since
        since = began - datetime.timedelta(days=waited_days)
        Activity.objects.filter(pk=activity.pk).update(waiting_since=since)
        waiting_counted(activity, ended=began, began=since)
    return activity


def returned(user, reviewer, unit, task, reason="照片不清晰，请补充"):
    activity = log(user, unit, task, title="被退回的活动")
    services.activity_submit(actor=user, activity=activity)
    return services.activity_return(actor=reviewer, activity=activity, level=1, reason=reason)


def bench(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.context["bench"], response.content.decode()


# --- Staff ---------------------------------------------------------------------------------------


def test_staff_see_returned_activities_with_the_reason_and_their_drafts(
    client, tree, staff, reviewer, outsider, running
):
    returned(staff, reviewer, tree.branch_a1, running)
    log(staff, tree.branch_a1, running, title="草稿一")
    log(staff, tree.branch_a1, running, title="草稿二")
    log(outsider, tree.branch_b1, running, title="别人的草稿")

    panel, html = bench(client, staff)

    assert (panel.staff.returned_count, panel.staff.draft_count) == (1, 2)
    assert "照片不清晰，请补充" in html
    assert "草稿一" in html and "别人的草稿" not in html
    assert f'href="{reverse("activities:create")}"' in html  # the 填报活动 button
    assert panel.reviewer is None and panel.leader is None and panel.admin is None


def test_staff_see_co_organisation_requests_to_answer(client, tree, staff, running):
    sibling_staff = UserFactory()
    MembershipFactory(user=sibling_staff, unit=tree.union_a2, role=Role.STAFF)
    TargetFactory(unit=tree.union_a2, task=running)
    log(sibling_staff, tree.union_a2, running, title="联合主题活动", coorganisers=[tree.branch_a1])

    panel, html = bench(client, staff)

    assert panel.staff.request_count == 1
    assert "联合主题活动" in html


def test_staff_see_their_targets_due_soon_that_are_behind_pace(client, tree, staff, running):
    panel, html = bench(client, staff)

    # 4 activities due in 10 days, none approved: behind.
    assert [(p.target.unit, p.target.task) for p in panel.staff.targets] == [
        (tree.branch_a1, running)
    ]
    assert "主题党日" in html


def test_a_target_on_track_or_due_later_is_not_listed(client, tree, staff, reviewer, running):
    target = running.targets.get(unit=tree.branch_a1)
    target.value = Decimal(1)
    target.save()
    activity = log(staff, tree.branch_a1, running)
    services.activity_submit(actor=staff, activity=activity)
    services.activity_approve(actor=reviewer, activity=activity, level=1)

    panel, html = bench(client, staff)

    assert panel.staff.targets == []
    assert 'data-testid="targets-none"' in html


# --- Reviewers -----------------------------------------------------------------------------------


def test_reviewers_see_waiting_submissions_by_urgency(
    client, tree, staff, reviewer, outsider, running
):
    submitted(staff, tree.branch_a1, running, waited_days=9, title="超期的")  # deadline 7
    submitted(staff, tree.branch_a1, running, waited_days=8)
    submitted(staff, tree.branch_a1, running, waited_days=6)  # within 2 days of it
    submitted(staff, tree.branch_a1, running, waited_days=0)
    submitted(outsider, tree.branch_b1, running, waited_days=9)  # committee_b's queue

    panel, html = bench(client, reviewer)

    waiting = panel.reviewer
    assert (waiting.overdue, waiting.due_soon, waiting.on_time, waiting.total) == (2, 1, 1, 4)
    assert [row.state for row in waiting.oldest] == ["overdue", "overdue", "due_soon", "ok"]
    assert "超期的" in html
    campaign = running.campaign  # each row says whose it is, and in which campaign
    assert html.count(f"{tree.branch_a1.name} · {campaign.name}") == 4
    assert 'data-testid="count-overdue"' in html


def test_the_urgency_counts_agree_with_the_queue(client, tree, staff, reviewer, running):
    for days in (0, 3, 5, 6, 7, 8, 30):
        submitted(staff, tree.branch_a1, running, waited_days=days)

    panel, html = bench(client, reviewer)
    queue = reverse("activities:queue")
    overdue = client.get(queue, {"overdue": "on"}).context["page"].count
    due_soon = client.get(queue, {"due_soon": "on"}).context["page"].count

    assert (panel.reviewer.overdue, panel.reviewer.due_soon) == (overdue, due_soon) == (2, 3)
    assert panel.reviewer.total == 7
    assert f'href="{queue}?overdue=on"' in html and f'href="{queue}?due_soon=on"' in html


# --- Leaders -------------------------------------------------------------------------------------


def test_leaders_see_their_subtrees_headline_and_units_behind(
    client, tree, leader, staff, reviewer, running
):
    submitted(staff, tree.branch_a1, running, waited_days=9)

    panel, html = bench(client, leader)

    board = panel.leader.board
    assert panel.leader.unit == tree.committee_a
    assert board.filters.campaign == running.campaign
    assert board.headline.overdue_reviews == 1
    assert [row.unit for row in board.behind] == [tree.branch_a1]
    assert f'href="{reverse("dashboards:unit", args=[tree.committee_a.pk])}"' in html
    assert tree.committee_b.name not in html


def test_the_leaders_workbench_reads_memberships_and_campaigns_once(client, tree, leader, running):
    """The list of the user's units serves the scope; the leader's panel and the draft scores
    pick their campaigns from those the campaigns panel read."""
    client.force_login(leader)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    tables = [re.search(r'\bFROM "?(\w+)', q["sql"]).group(1) for q in queries]
    assert tables.count("units_membership") == 1
    assert tables.count("campaigns_campaign") == 1


# --- Admins --------------------------------------------------------------------------------------


def test_admins_see_what_is_incomplete_in_their_subtree(client, tree, admin_user, staff, running):
    TargetTaskFactory(
        campaign=running.campaign, code="GJ-NONE", title="无目标任务", line=Line.UNION
    )
    below_b = UnitFactory(parent=tree.committee_b, kind=UnitKind.PARTY_BRANCH)

    panel, html = bench(client, admin_user)

    admin = panel.admin
    # committee_a, union_a2 lack staff (branch_a1 has `staff`); nothing outside committee_a.
    assert admin.without_staff_count == 2
    assert {u.pk for u in admin.without_staff} == {tree.committee_a.pk, tree.union_a2.pk}
    # No reviewer anywhere: every unit of the subtree below the tree's top lacks one.
    assert admin.without_reviewer_count == 3
    # committee_a's reviewer would sit on the city, which is not this admin's to set up.
    assert admin.reviewer_beyond_reach == {tree.committee_a.pk}
    assert html.count('data-testid="ask-above"') == 1
    # The campaign is the city's, not the admin's: its tasks are not theirs to set up.
    assert admin.tasks_without_targets_count == 0
    assert below_b.name not in html


def test_a_reviewer_above_and_targets_complete_the_set_up(client, tree, city_admin, reviewer):
    panel, _html = bench(client, city_admin)
    # `reviewer` on committee_a reviews branch_a1 and union_a2; nobody reviews the rest.
    assert {u.pk for u in panel.admin.without_reviewer} == {
        tree.committee_a.pk,
        tree.committee_b.pk,
        tree.branch_b1.pk,
    }

    assert panel.admin.reviewer_beyond_reach == set()  # the city's admin can name them all

    MembershipFactory(unit=tree.city, role=Role.REVIEWER)
    panel, _html = bench(client, city_admin)
    assert panel.admin.without_reviewer_count == 0


def test_the_set_up_counts_open_the_same_units_on_the_organisations_page(
    client, tree, city_admin, staff, reviewer
):
    panel, html = bench(client, city_admin)
    page = reverse("units:tree")

    for need, count, shown in (
        ("staff", panel.admin.without_staff_count, panel.admin.without_staff),
        ("reviewer", panel.admin.without_reviewer_count, panel.admin.without_reviewer),
    ):
        assert f'href="{page}?needs={need}"' in html
        listed = [row["unit"] for row in client.get(page, {"needs": need}).context["rows"]]
        assert len(listed) == count > 0
        assert listed[: len(shown)] == shown


def test_tasks_of_the_admins_campaigns_without_targets_are_listed(client, tree, city_admin):
    campaign = CampaignFactory(unit=tree.city)
    TargetTaskFactory(campaign=campaign, title="无目标任务")
    TargetFactory(unit=tree.branch_a1, task=TargetTaskFactory(campaign=campaign))

    panel, html = bench(client, city_admin)

    assert panel.admin.tasks_without_targets_count == 1
    assert "无目标任务" in html


# --- Campaigns and scope -------------------------------------------------------------------------


def test_campaigns_are_shown_as_running_or_finished(client, tree, staff, running):
    finished = CampaignFactory(unit=tree.city, name="2010年党群共建创先争优活动")

    panel, html = bench(client, staff)

    assert panel.campaigns.running == [running.campaign]
    assert panel.campaigns.finished == [finished]
    assert 'data-testid="campaign-running"' in html and 'data-testid="campaign-finished"' in html


def test_an_outsider_sees_none_of_committee_as_work(
    client, tree, staff, reviewer, outsider, running
):
    returned(staff, reviewer, tree.branch_a1, running)
    submitted(staff, tree.branch_a1, running, waited_days=9)

    panel, html = bench(client, outsider)

    assert panel.staff.returned_count == 0
    assert panel.reviewer.total == 0
    assert panel.leader.unit == tree.committee_b
    assert tree.committee_a.name not in html
    assert "被退回的活动" not in html and "待审活动" not in html


def test_a_user_without_roles_is_told_so(client, db):
    panel, html = bench(client, UserFactory())

    assert panel.empty
    assert 'data-testid="workbench-empty"' in html


def test_the_workbench_requires_a_login(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Queries -------------------------------------------------------------------------------------


def _more(tree, staff, sibling_staff, reviewer, running, n: int) -> None:
    """`n` more of everything the panels count: drafts, returns, submissions, units, requests."""
    for i in range(n):
        log(staff, tree.branch_a1, running, title=f"草稿{i}")
        returned(staff, reviewer, tree.branch_a1, running)
        submitted(staff, tree.branch_a1, running, waited_days=i * 2)
        log(sibling_staff, tree.union_a2, running, title=f"联合{i}", coorganisers=[tree.branch_a1])
        unit = UnitFactory(parent=tree.committee_a, kind=UnitKind.PARTY_BRANCH)
        TargetFactory(unit=unit, task=running)
        MembershipFactory(user=staff, unit=unit, role=Role.STAFF)
        TargetTaskFactory(campaign=running.campaign, line=Line.WOMEN)


@pytest.mark.parametrize("role", ["staff", "reviewer", "leader", "admin"])
def test_the_query_count_does_not_grow_with_the_data(
    client,
    tree,
    staff,
    reviewer,
    leader,
    running,
    role,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    user = {"staff": staff, "reviewer": reviewer, "leader": leader}.get(role)
    if user is None:
        user = UserFactory()
        MembershipFactory(user=user, unit=tree.city, role=Role.ADMIN)
    client.force_login(user)
    sibling_staff = UserFactory()
    MembershipFactory(user=sibling_staff, unit=tree.union_a2, role=Role.STAFF)
    TargetFactory(unit=tree.union_a2, task=running)
    _more(tree, staff, sibling_staff, reviewer, running, 1)
    client.get(reverse("home"))  # the process-wide caches (navigation, target sums) warm up
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("home"))
    queries = len(few)  # each request empties the connection's log
    _more(tree, staff, sibling_staff, reviewer, running, 6)
    client.get(reverse("home"))

    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))

    assert response.status_code == 200


def test_the_leaders_unit_is_read_with_the_memberships_not_again(client, tree, leader, running):
    """The start page lists the user's memberships with their units: the leader panel takes its
    unit from them; the only read of units is that of the children (for the ones behind)."""
    client.force_login(leader)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home"))
    assert page.context["bench"].leader.unit == tree.committee_a
    reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "units_unit"')
    ]
    assert len(reads) == 1 and "LIKE" in reads[0]  # committee_a's children
