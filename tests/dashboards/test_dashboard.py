"""The leader dashboard: its figures equal a direct count of approved records, it is scoped to
the units the user may see, its filters change the figures, it drills down and back up, and its
query count does not grow with the number of units or activities."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities import services
from activities.dashboard import filters_for
from activities.models import Activity, CoOrganiser, Status
from activities.rollups import rollups_rebuild
from campaigns.models import Campaign
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    TargetTaskFactory,
    UnitFactory,
    UserFactory,
)
from tests.figures import approved_in_subtree, task_figures
from units.models import Line, Role, UnitKind

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)


# --- Data: approvals across several units, made through the services --------------------------


def log(staff, unit, tasks, *, day=datetime.date(2010, 6, 1), party=10, coorganisers=()):
    return services.activity_create(
        actor=staff,
        unit=unit,
        campaign=tasks[0].campaign,
        data={"title": f"{unit.name}活动", "starts_on": day, "participants_party_members": party},
        tasks=tasks,
        coorganisers=coorganisers,
    )


def approve(staff, reviewer, activity):
    services.activity_submit(actor=staff, activity=activity)
    return services.activity_approve(actor=reviewer, activity=activity, level=1)


@dataclass
class Season:
    """What `season` made: the union task, the staff and reviewers who made it."""

    union_task: object
    union_staff: object
    staff_b1: object
    reviewer_b: object


@pytest.fixture
def season(tree, staff, reviewer, campaign, task, targets) -> Season:
    """Approved activities across committee_a and committee_b:

    - branch_a1: two in June (10 and 12 participants), one in July (8);
    - a joint activity of branch_a1 with union_a2 (20), confirmed: once for committee_a;
    - union_a2: one activity for the union task in August (6);
    - branch_b1: one in June (30);
    - not counted: a draft and a submission of branch_a1.
    """
    union_task = TargetTaskFactory(
        campaign=campaign, code="GJ-01", title="职工之家", line=Line.UNION
    )
    for unit in (tree.city, tree.committee_a, tree.union_a2):
        TargetFactory(unit=unit, task=union_task, value=Decimal(2))
    union_staff = UserFactory(username="staff_a2")
    MembershipFactory(user=union_staff, unit=tree.union_a2, role=Role.STAFF)
    staff_b1 = UserFactory(username="staff_b1")
    MembershipFactory(user=staff_b1, unit=tree.branch_b1, role=Role.STAFF)
    reviewer_b = UserFactory(username="reviewer_b")
    MembershipFactory(user=reviewer_b, unit=tree.committee_b, role=Role.REVIEWER)

    approve(staff, reviewer, log(staff, tree.branch_a1, [task], party=10))
    approve(staff, reviewer, log(staff, tree.branch_a1, [task], party=12))
    approve(
        staff, reviewer, log(staff, tree.branch_a1, [task], day=datetime.date(2010, 7, 3), party=8)
    )
    joint = log(staff, tree.branch_a1, [task], party=20, coorganisers=[tree.union_a2])
    services.coorganiser_respond(
        actor=union_staff, coorganiser=CoOrganiser.objects.get(activity=joint), confirm=True
    )
    approve(staff, reviewer, joint)
    approve(
        union_staff,
        reviewer,
        log(union_staff, tree.union_a2, [union_task], day=datetime.date(2010, 8, 9), party=6),
    )
    approve(staff_b1, reviewer_b, log(staff_b1, tree.branch_b1, [task], party=30))
    log(staff, tree.branch_a1, [task], party=99)
    services.activity_submit(actor=staff, activity=log(staff, tree.branch_a1, [task], party=99))
    return Season(union_task, union_staff, staff_b1, reviewer_b)


def dashboard_url(unit, **params) -> str:
    url = reverse("dashboards:unit", args=[unit.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def board_of(client, unit, **params):
    response = client.get(dashboard_url(unit, **params))
    assert response.status_code == 200
    return response.context["board"]


def direct(unit, *, months=None, task_ids=None, campaign=None):
    """Approved activities and participants of `unit`'s subtree, counted from the records."""
    rows = approved_in_subtree(unit)
    if campaign:
        rows = rows.filter(campaign=campaign)
    if months:
        rows = rows.filter(starts_on__month__in=months)
    if task_ids:
        rows = rows.filter(tasks__in=task_ids).distinct()
    count = rows.count()
    participants = Activity.objects.filter(pk__in=rows.values("pk")).aggregate(
        p=Sum("participants")
    )["p"]
    return count, participants or 0


# --- Figures agree with the records --------------------------------------------------------------


def test_the_headline_equals_a_direct_count_of_approved_activities(
    client, tree, leader, task, season
):
    client.force_login(leader)

    board = board_of(client, tree.committee_a)

    assert (board.headline.activities, board.headline.participants) == direct(tree.committee_a)
    # branch_a1's three, the joint one once, union_a2's one; the draft and submission not.
    assert direct(tree.committee_a) == (5, 10 + 12 + 8 + 20 + 6)


def test_a_co_organised_activity_counts_once_for_the_parent(client, tree, leader, task, season):
    client.force_login(leader)

    board = board_of(client, tree.committee_a)

    rows = {row.unit: row for row in board.ranking}
    assert rows[tree.branch_a1].totals.activities == 4
    assert rows[tree.union_a2].totals.activities == 2  # its own and the joint one
    assert board.headline.activities == 5  # not 4 + 2
    by_task = {row.task.pk: row for row in board.tasks}
    assert (
        by_task[task.pk].item.achieved
        == task_figures(tree.committee_a, [task.pk])[task.pk].activities
    )


def test_task_progress_equals_task_figures_against_the_subtree_targets(
    client, tree, leader, task, season
):
    client.force_login(leader)

    board = board_of(client, tree.committee_a)

    figures = task_figures(tree.committee_a, [task.pk, season.union_task.pk])
    by_task = {row.task.pk: row for row in board.tasks}
    party, union = by_task[task.pk], by_task[season.union_task.pk]
    assert party.item.achieved == figures[task.pk].activities == 4
    assert party.target == Decimal(12)  # committee_a, branch_a1 and union_a2: 4 each
    assert party.item.percent == 33
    assert union.item.achieved == figures[season.union_task.pk].activities == 1
    assert union.target == Decimal(4)  # committee_a and union_a2: 2 each
    assert board.headline.percent == round((4 / 12 * 100 + 1 / 4 * 100) / 2)
    html = client.get(dashboard_url(tree.committee_a)).content.decode()
    assert "33%" in html


def test_every_child_row_equals_a_direct_count(client, tree, city_admin, task, season):
    client.force_login(city_admin)

    board = board_of(client, tree.city)

    assert [row.unit for row in board.ranking] == [tree.committee_a, tree.committee_b]
    for row in board.ranking:
        assert (row.totals.activities, row.totals.participants) == direct(row.unit)
    assert (board.headline.activities, board.headline.participants) == direct(tree.city)


def test_the_page_shows_the_headline_figures(client, tree, leader, task, season):
    client.force_login(leader)

    html = client.get(dashboard_url(tree.committee_a)).content.decode()

    assert re.search(r'data-testid="figure-activities">\s*5\s*<', html)
    assert re.search(r'data-testid="figure-participants">\s*56\s*<', html)
    assert 'data-testid="ranking-row"' in html
    assert "dashboard-data" in html


def test_overdue_reviews_are_counted_and_linked_for_a_reviewer(
    client, tree, staff, reviewer, leader, task, season
):
    waiting = Activity.objects.get(status=Status.SUBMITTED)
    Activity.objects.filter(pk=waiting.pk).update(
        waiting_since=timezone.now() - datetime.timedelta(days=10)
    )
    rollups_rebuild()  # the wait was moved back by hand, not by a transition
    client.force_login(leader)
    response = client.get(dashboard_url(tree.committee_a))
    assert response.context["board"].headline.overdue_reviews == 1
    assert reverse("activities:queue") not in response.content.decode()

    client.force_login(reviewer)
    response = client.get(dashboard_url(tree.committee_a))
    assert response.context["board"].headline.overdue_reviews == 1
    assert f'href="{reverse("activities:queue")}"' in response.content.decode()


def test_the_json_for_the_charts_has_the_same_figures(client, tree, leader, task, season):
    client.force_login(leader)

    response = client.get(dashboard_url(tree.committee_a))

    data = response.context["data"]
    assert data["headline"]["activities"] == 5
    assert data["trend"]["months"][:4] == ["2010-05", "2010-06", "2010-07", "2010-08"]
    assert data["trend"]["activities"][:4] == [0, 3, 1, 1]
    assert sum(data["trend"]["participants"]) == 56


# --- Filters --------------------------------------------------------------------------------------


def test_a_month_counts_only_its_activities(client, tree, leader, task, season):
    client.force_login(leader)

    july = board_of(client, tree.committee_a, period="2010-07")
    june = board_of(client, tree.committee_a, period="2010-06")

    assert (july.headline.activities, july.headline.participants) == direct(
        tree.committee_a, months=[7]
    )
    assert july.headline.activities == 1
    assert (june.headline.activities, june.headline.participants) == (3, 42)
    by_task = {row.task.pk: row for row in june.tasks}
    assert by_task[task.pk].item.achieved == 3


def test_a_quarter_counts_its_months(client, tree, leader, task, season):
    client.force_login(leader)

    board = board_of(client, tree.committee_a, period="2010-Q3")

    assert (board.headline.activities, board.headline.participants) == direct(
        tree.committee_a, months=[7, 8, 9]
    )
    assert board.headline.activities == 2
    assert board.filters.period_value == "2010-Q3"


def test_pace_is_judged_over_the_campaign_whatever_the_period(client, tree, leader, task, season):
    client.force_login(leader)

    whole = board_of(client, tree.committee_a)
    july = board_of(client, tree.committee_a, period="2010-07")

    assert july.headline.percent < whole.headline.percent
    assert july.headline.pace == whole.headline.pace


def test_the_line_filter_keeps_that_line_only(client, tree, leader, task, season):
    client.force_login(leader)

    union = board_of(client, tree.committee_a, line=Line.UNION)

    assert [row.task.pk for row in union.tasks] == [season.union_task.pk]
    assert [row.line for row in union.lines] == [Line.UNION]
    assert (union.headline.activities, union.headline.participants) == direct(
        tree.committee_a, task_ids=[season.union_task.pk]
    )
    assert union.headline.activities == 1
    assert union.headline.percent == 25


def test_an_unknown_filter_value_falls_back_to_the_default(client, tree, leader, task, season):
    client.force_login(leader)

    board = board_of(client, tree.committee_a, line="nonsense", period="2010-Q9", campaign="x")

    assert board.filters.line == ""
    assert board.filters.period.kind == "campaign"
    assert board.headline.activities == 5


def test_the_newest_active_campaign_is_the_default(tree, campaign):
    closed = CampaignFactory(
        unit=tree.city, starts_on=datetime.date(2011, 1, 1), ends_on=datetime.date(2011, 12, 31)
    )
    Campaign.objects.filter(pk=closed.pk).update(is_active=False)
    newer = CampaignFactory(
        unit=tree.committee_a,
        starts_on=datetime.date(2010, 9, 1),
        ends_on=datetime.date(2010, 12, 31),
    )
    from campaigns.selectors import campaigns_covering

    campaigns = campaigns_covering(tree.branch_a1)
    assert filters_for(campaigns, {}).campaign == newer
    assert filters_for(campaigns, {"campaign": str(closed.pk)}).campaign == closed
    # committee_a's own campaign does not cover committee_b.
    assert newer not in campaigns_covering(tree.committee_b)


# --- Drill-down and breadcrumbs -------------------------------------------------------------------


def test_ranking_rows_drill_down_keeping_the_filters(client, tree, leader, campaign, season):
    client.force_login(leader)

    html = client.get(dashboard_url(tree.committee_a, line=Line.PARTY, period="2010-Q2"))
    content = html.content.decode()

    query = f"campaign={campaign.pk}&amp;period=2010-Q2&amp;line=party"
    for child in (tree.branch_a1, tree.union_a2):
        assert f'href="{dashboard_url(child)}?{query}"' in content


def test_the_scope_line_names_the_campaign_the_period_and_the_line(client, tree, leader, campaign):
    """The line under the filters says what the figures cover (the period was left blank once)."""
    client.force_login(leader)

    def scope_line(**params) -> str:
        html = client.get(dashboard_url(tree.committee_a, **params)).content.decode()
        found = re.search(r'<p class="[^"]*dashboard-scope">(.*?)</p>', html, re.S)
        return " ".join(found[1].split())

    with translation.override("en"):  # the test users' language
        party, whole, every_line = Line.PARTY.label, _("Whole campaign"), _("All lines")
        assert scope_line(line=Line.PARTY, period="2010-Q2").startswith(
            f"{campaign.name} · 2010 Q2 · {party} · "
        )
        assert scope_line().startswith(f"{campaign.name} · {whole} · {every_line} · ")


def test_breadcrumbs_go_back_up_to_the_top_unit_the_user_may_view(
    client, tree, leader, city_admin, campaign
):
    client.force_login(leader)
    response = client.get(dashboard_url(tree.branch_a1))
    assert response.context["breadcrumbs"] == [tree.committee_a]
    content = response.content.decode()
    assert f'href="{dashboard_url(tree.committee_a)}?campaign={campaign.pk}"' in content
    assert dashboard_url(tree.city) not in content

    client.force_login(city_admin)
    response = client.get(dashboard_url(tree.branch_a1))
    assert response.context["breadcrumbs"] == [tree.city, tree.committee_a]


# --- Scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["committee_b", "branch_b1", "city"])
def test_a_leader_of_one_committee_gets_404_outside_it(client, tree, leader, season, name):
    client.force_login(leader)

    response = client.get(dashboard_url(getattr(tree, name)))

    assert response.status_code == 404
    assert "城关镇" not in response.content.decode()


def test_an_outsider_never_sees_committee_a(client, tree, outsider, season):
    client.force_login(outsider)

    assert client.get(dashboard_url(tree.committee_a)).status_code == 404
    board = board_of(client, tree.committee_b)
    assert (board.headline.activities, board.headline.participants) == (1, 30)
    assert [row.unit for row in board.ranking] == [tree.branch_b1]


def test_staff_see_their_own_unit(client, tree, staff, task, season):
    client.force_login(staff)

    board = board_of(client, tree.branch_a1)

    assert board.headline.activities == 4
    assert client.get(dashboard_url(tree.committee_a)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, tree):
    response = client.get(dashboard_url(tree.city))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_unit_without_campaign_says_so(client, tree, city_admin):
    client.force_login(city_admin)

    response = client.get(dashboard_url(tree.committee_b))

    assert response.status_code == 200
    assert response.context["board"] is None
    assert 'data-testid="no-campaign"' in response.content.decode()


# --- Home -----------------------------------------------------------------------------------------


def test_home_opens_the_dashboard_of_the_users_top_unit(client, tree, leader):
    client.force_login(leader)

    response = client.get(reverse("dashboards:home"))

    assert response.status_code == 302
    assert response["Location"] == dashboard_url(tree.committee_a)


def test_home_offers_a_choice_between_several_top_units(client, tree):
    user = UserFactory()
    MembershipFactory(user=user, unit=tree.branch_a1, role=Role.LEADER)
    MembershipFactory(user=user, unit=tree.committee_b, role=Role.LEADER)
    client.force_login(user)

    response = client.get(reverse("dashboards:home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert dashboard_url(tree.branch_a1) in content
    assert dashboard_url(tree.committee_b) in content


def test_home_for_a_user_without_units_explains(client, db):
    client.force_login(UserFactory())

    response = client.get(reverse("dashboards:home"))

    assert response.status_code == 200
    assert 'data-testid="no-units"' in response.content.decode()


# --- Page hygiene ---------------------------------------------------------------------------------


def test_the_page_keeps_the_strict_csp(client, tree, leader, season):
    client.force_login(leader)

    response = client.get(dashboard_url(tree.committee_a))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html)
    assert '<script id="dashboard-data" type="application/json">' in html


def test_the_navbar_links_leaders_to_the_dashboard(client, tree, leader, staff):
    client.force_login(leader)
    assert f'href="{reverse("dashboards:home")}"' in client.get(reverse("home")).content.decode()

    client.force_login(staff)
    assert (
        f'href="{reverse("dashboards:home")}"' not in client.get(reverse("home")).content.decode()
    )


# --- Queries --------------------------------------------------------------------------------------


def _wide_committee(tree, reviewer, children: int, activities: int):
    """committee_a with `children` units below it (branch_a1 and union_a2 among them), each with
    a target, and `activities` approved activities spread over them."""
    campaign = CampaignFactory(unit=tree.city)
    task = TargetTaskFactory(campaign=campaign, line=Line.PARTY)
    other = TargetTaskFactory(campaign=campaign, line=Line.LEAGUE)
    units = [tree.branch_a1, tree.union_a2]
    units += [
        UnitFactory(parent=tree.committee_a, kind=UnitKind.PARTY_BRANCH)
        for _ in range(children - 2)
    ]
    worker = UserFactory()
    for unit in [tree.committee_a, *units]:
        TargetFactory(unit=unit, task=task)
        TargetFactory(unit=unit, task=other)
        if unit != tree.committee_a:
            MembershipFactory(user=worker, unit=unit, role=Role.STAFF)
    for n in range(activities):
        unit = units[n % len(units)]
        day = datetime.date(2010, 5 + n % 6, 1 + n % 20)
        approve(worker, reviewer, log(worker, unit, [task, other], day=day, party=n + 1))
    return campaign


@pytest.mark.parametrize("filters", [{}, {"line": "party", "period": "2010-Q3"}])
def test_the_query_count_does_not_grow_with_units_or_activities(
    client, tree, leader, reviewer, django_assert_max_num_queries, filters
):
    client.force_login(leader)
    small = _wide_committee(tree, reviewer, children=3, activities=5)
    with django_assert_max_num_queries(25) as small_queries:
        assert client.get(dashboard_url(tree.committee_a, campaign=small.pk, **filters))
    large = _wide_committee(tree, reviewer, children=12, activities=50)

    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(dashboard_url(tree.committee_a, campaign=large.pk, **filters))

    board = response.context["board"]
    assert len(board.ranking) == 12 + 1  # with the child the small set added
    party = large.tasks.filter(line=Line.PARTY)
    months = [7, 8, 9] if filters else None
    expected = direct(tree.committee_a, campaign=large, months=months, task_ids=party)
    assert (board.headline.activities, board.headline.participants) == expected


# --- Staff view ----------------------------------------------------------------------------------


def test_the_targets_page_shows_each_targets_pace(client, tree, staff, task, season):
    client.force_login(staff)

    response = client.get(reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]))

    html = response.content.decode()
    # branch_a1 reached its 4 activities: on track; the campaign is over, so short is at risk.
    assert re.search(r'pace-on_track" data-testid="pace">On track<', html)
    client.force_login(season.union_staff)
    html = client.get(reverse("campaigns:unit_targets", args=[tree.union_a2.pk])).content.decode()
    assert re.search(r'pace-at_risk" data-testid="pace">At risk<', html)
