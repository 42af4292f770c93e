"""The filtered activity list (dashboards:activities): scope, each filter, and pages that never
count the whole result. The tree (tests/conftest.py) has CITY above committee A (branch A1, union
A2) and committee B (branch B1); the leader is on committee A, the outsider on committee B."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import selectors
from activities.models import Activity, CoOrganiser, CoOrganiserStatus, Status
from activities.selectors import activities_visible_to, subtree_scope, visible_scope
from dashboards.list_views import PAGE_SIZE
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetTaskFactory,
    UserFactory,
)
from units.models import Line, Role
from units.scope import Scope

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:activities")


@pytest.fixture
def log(staff, task):
    """Make an activity of `unit` (submitted unless `status` is given: a draft is its unit's
    alone), tagged with `task`."""

    def make(unit, title, *, tasks=None, **fields) -> Activity:
        fields.setdefault("campaign", task.campaign)
        fields.setdefault("status", Status.SUBMITTED)
        return ActivityFactory(
            unit=unit, created_by=staff, title=title, tasks=tasks or [task], **fields
        )

    return make


@pytest.fixture
def spread(tree, log):
    """One activity in each branch of the tree, newest first: B1, A2, A1."""
    return {
        "a1": log(tree.branch_a1, "机关支部活动", starts_on=datetime.date(2010, 6, 1)),
        "a2": log(tree.union_a2, "工会活动", starts_on=datetime.date(2010, 7, 1)),
        "b1": log(tree.branch_b1, "城关镇活动", starts_on=datetime.date(2010, 8, 1)),
    }


def _titles(response) -> list[str]:
    return [row.title for row in response.context["rows"]]


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


class TestScope:
    def test_a_leader_sees_their_subtree_and_nothing_of_another_committee(
        self, client, leader, spread
    ):
        response = _get(client, leader)

        assert response.status_code == 200
        assert _titles(response) == ["工会活动", "机关支部活动"]
        assert "城关镇活动" not in response.content.decode()

    def test_an_outsider_never_sees_committee_a_activities(self, client, outsider, spread):
        response = _get(client, outsider)

        assert _titles(response) == ["城关镇活动"]
        assert "机关支部活动" not in response.content.decode()

    def test_an_outsider_naming_committee_a_gets_a_404(self, client, outsider, tree, spread):
        assert _get(client, outsider, unit=tree.committee_a.pk).status_code == 404
        assert _get(client, outsider, unit="not-a-number").status_code == 404

    def test_a_coorganised_activity_shows_to_the_coorganising_units_staff(
        self, client, staff, tree, spread
    ):
        joint = spread["b1"]
        CoOrganiser.objects.create(activity=joint, unit=tree.branch_a1)

        response = _get(client, staff)
        assert "城关镇活动" in _titles(response)
        assert "城关镇活动" in _titles(_get(client, staff, unit=tree.branch_a1.pk))

    def test_a_declined_coorganisation_leaves_the_units_filter(
        self, client, city_admin, tree, spread
    ):
        CoOrganiser.objects.create(
            activity=spread["b1"], unit=tree.branch_a1, status=CoOrganiserStatus.DECLINED
        )

        response = _get(client, city_admin, unit=tree.branch_a1.pk)

        assert _titles(response) == ["机关支部活动"]

    def test_anonymous_users_are_sent_to_log_in(self, client, spread):
        response = client.get(URL)

        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestFilters:
    def test_the_unit_filter_keeps_a_units_subtree(self, client, city_admin, tree, spread):
        response = _get(client, city_admin, unit=tree.committee_a.pk)

        assert _titles(response) == ["工会活动", "机关支部活动"]
        assert response.context["chosen_unit"] == tree.committee_a

    def test_the_unit_text_search_matches_the_organisers_name_or_code(
        self, client, city_admin, tree, spread
    ):
        assert _titles(_get(client, city_admin, unit_q="工会")) == ["工会活动"]
        response = _get(client, city_admin, unit_q="b1")
        assert _titles(response) == ["城关镇活动"]
        # The matching units are offered as subtree filters.
        assert tree.branch_b1 in response.context["matching_units"]

    def test_an_outsiders_text_search_offers_none_of_committee_a(self, client, outsider, spread):
        response = _get(client, outsider, unit_q="机关")

        assert _titles(response) == []
        assert response.context["matching_units"] == []

    def test_the_campaign_filter(self, client, city_admin, tree, log, spread):
        other = CampaignFactory(unit=tree.city, name="2011 年创先争优")
        other_task = TargetTaskFactory(campaign=other)
        log(tree.branch_a1, "另一周期活动", campaign=other, tasks=[other_task])

        response = _get(client, city_admin, campaign=other.pk)

        assert _titles(response) == ["另一周期活动"]

    def test_the_line_filter_reads_the_tasks_line(
        self, client, city_admin, tree, task, log, spread
    ):
        union_task = TargetTaskFactory(campaign=task.campaign, line=Line.UNION, title="职工活动")
        log(tree.union_a2, "职工之家活动", tasks=[union_task, task])

        response = _get(client, city_admin, line=Line.UNION)

        assert _titles(response) == ["职工之家活动"]

    def test_the_task_filter(self, client, city_admin, tree, task, log, spread):
        second = TargetTaskFactory(campaign=task.campaign, title="志愿服务")
        log(tree.branch_a1, "志愿服务活动", tasks=[second])

        response = _get(client, city_admin, task=second.pk)

        assert _titles(response) == ["志愿服务活动"]

    def test_the_status_filter(self, client, city_admin, tree, log, spread):
        log(tree.branch_a1, "已通过的活动", status=Status.APPROVED)

        response = _get(client, city_admin, status=Status.APPROVED)

        assert _titles(response) == ["已通过的活动"]

    def test_the_date_range(self, client, city_admin, spread):
        response = _get(client, city_admin, starts_from="2010-06-15", starts_to="2010-07-31")

        assert _titles(response) == ["工会活动"]

    def test_a_bad_date_shows_the_error_and_no_rows(self, client, city_admin, spread):
        response = _get(client, city_admin, starts_from="2010-13-45")

        assert response.status_code == 200
        assert _titles(response) == []
        assert response.context["filter"].form.errors
        assert b'data-testid="export-xlsx"' not in response.content

    def test_filters_combine_and_the_export_links_carry_them(
        self, client, city_admin, tree, spread
    ):
        response = _get(
            client, city_admin, unit=tree.committee_a.pk, starts_from="2010-06-15", page=1
        )

        assert _titles(response) == ["工会活动"]
        html = response.content.decode()
        query = f"unit={tree.committee_a.pk}&amp;starts_from=2010-06-15"
        assert f'{reverse("dashboards:activities_xlsx")}?{query}"' in html
        assert f'{reverse("dashboards:activities_csv")}?{query}"' in html

    def test_rows_link_to_the_activity_page(self, client, leader, spread):
        response = _get(client, leader)

        assert reverse("activities:detail", args=[spread["a1"].pk]) in response.content.decode()


class TestRows:
    def test_a_row_shows_its_organiser_the_unit_above_its_tasks_and_dates(
        self, client, leader, tree, task, log
    ):
        second = TargetTaskFactory(campaign=task.campaign, title="志愿服务", sort_order=9)
        activity = log(
            tree.branch_a1,
            "<b>主题党日</b>",
            tasks=[second, task],
            starts_on=datetime.date(2010, 6, 1),
            ends_on=datetime.date(2010, 6, 3),
            place="礼堂 & 广场",
            participants=1234,
        )

        response = _get(client, leader, status=Status.SUBMITTED)

        html = response.content.decode()
        detail = reverse("activities:detail", args=[activity.pk])
        assert f'href="{detail}">&lt;b&gt;主题党日&lt;/b&gt;</a>' in html
        assert 'data-testid="status">' in html
        assert f'href="?status=submitted&amp;unit={tree.branch_a1.pk}"' in html
        assert f"{tree.branch_a1.name}</a> <span" in html
        assert f"· {tree.committee_a.name}</span>" in html
        assert html.index(task.title) < html.index("志愿服务")  # in catalogue order
        assert '<time datetime="2010-06-01">2010-06-01</time> – <time' in html
        assert "礼堂 &amp; 广场" in html
        assert "1234" in html

    def test_a_root_units_row_names_no_unit_above(self, client, city_admin, tree, log):
        log(tree.city, "市委活动")

        response = _get(client, city_admin)

        (row,) = response.context["rows"]
        assert row.parent_name is None
        assert row.task_titles


class TestFilterForm:
    def test_the_choices_are_the_users_campaigns_and_their_tasks(
        self, client, outsider, leader, tree, task
    ):
        hidden = CampaignFactory(unit=tree.committee_b, name="乙委周期")
        TargetTaskFactory(campaign=hidden, title="乙委任务")

        html = _get(client, leader).content.decode()

        assert f'<option value="{task.campaign.pk}">{task.campaign.name}</option>' in html
        assert f'<option value="{task.pk}">{task.title}</option>' in html
        assert "乙委周期" not in html and "乙委任务" not in html
        assert "乙委任务" in _get(client, outsider).content.decode()

    def test_a_chosen_campaign_narrows_the_tasks_and_stays_selected(
        self, client, city_admin, tree, task
    ):
        other = CampaignFactory(unit=tree.city, name="2011 年创先争优")
        other_task = TargetTaskFactory(campaign=other, title="另一周期任务")

        html = _get(client, city_admin, campaign=other.pk, task=other_task.pk).content.decode()

        assert f'<option value="{other.pk}" selected>' in html
        assert f'<option value="{other_task.pk}" selected>' in html
        assert task.title not in html

    def test_a_campaign_or_task_out_of_reach_is_refused(self, client, leader, tree, task):
        hidden = CampaignFactory(unit=tree.committee_b)
        hidden_task = TargetTaskFactory(campaign=hidden)

        response = _get(client, leader, campaign=hidden.pk, task=hidden_task.pk)

        assert response.status_code == 200
        assert set(response.context["filter"].form.errors) == {"campaign", "task"}
        assert _titles(response) == []


class TestPages:
    @pytest.fixture
    def sixty(self, tree, log):
        first = datetime.date(2010, 5, 1)
        return [
            log(tree.branch_a1, f"活动{n:02d}", starts_on=first + datetime.timedelta(days=n))
            for n in range(60)
        ]

    def test_pages_go_newest_first_by_previous_and_next(self, client, leader, sixty):
        first = _get(client, leader)
        third = _get(client, leader, page=3)

        assert _titles(first) == [f"活动{n:02d}" for n in range(59, 59 - PAGE_SIZE, -1)]
        assert first.context["page"].has_next and not first.context["page"].has_previous
        assert b'data-testid="page-next"' in first.content
        assert _titles(third) == [f"活动{n:02d}" for n in range(9, -1, -1)]
        assert third.context["page"].has_previous and not third.context["page"].has_next
        assert b'data-testid="page-next"' not in third.content

    def test_same_day_activities_order_by_newest_record(self, client, leader, tree, log):
        older = log(tree.branch_a1, "先录入")
        newer = log(tree.branch_a1, "后录入")

        response = _get(client, leader)

        assert [row.pk for row in response.context["rows"]] == [newer.pk, older.pk]

    def test_no_query_counts_the_result(self, client, leader, sixty):
        client.force_login(leader)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"page": 2, "unit_q": "机关"})

        assert response.status_code == 200
        assert len(_titles(response)) == PAGE_SIZE
        activity_queries = [q["sql"] for q in queries if "activities_activity" in q["sql"]]
        assert activity_queries
        assert not [sql for sql in activity_queries if "COUNT(" in sql.upper()]

    def test_a_page_past_the_end_is_empty_not_an_error(self, client, leader, sixty):
        response = _get(client, leader, page=9)

        assert response.status_code == 200
        assert _titles(response) == []
        assert b'data-testid="page-previous"' in response.content

    def test_the_query_count_does_not_grow_with_the_data(
        self, client, city_admin, tree, task, log, django_assert_max_num_queries
    ):
        def make(count: int) -> None:
            for n in range(count):
                unit = (tree.branch_a1, tree.union_a2, tree.branch_b1)[n % 3]
                activity = log(unit, f"活动{n}")
                CoOrganiser.objects.create(activity=activity, unit=tree.committee_b)

        params = {"unit": tree.city.pk, "status": Status.SUBMITTED, "unit_q": "党"}
        client.force_login(city_admin)
        make(10)
        with CaptureQueriesContext(connection) as small:
            client.get(URL, params)
        make(50)
        with django_assert_max_num_queries(len(small)):
            response = client.get(URL, params)
        assert len(_titles(response)) == PAGE_SIZE


class TestScopeQuery:
    """visible_scope is activities_visible_to in another shape: small subtrees go to the
    database as id lists, large ones as subqueries. Both shapes give the same rows."""

    @pytest.fixture(params=["id lists", "subqueries", "units listed, co-organisers queried"])
    def shape(self, request, monkeypatch):
        if request.param == "subqueries":
            monkeypatch.setattr(selectors, "NARROW_UNITS", 0)
        elif request.param.startswith("units listed"):
            monkeypatch.setattr(selectors, "NARROW_COORGANISED", 0)
        return request.param

    @pytest.fixture
    def world(self, tree, log):
        """An activity in every unit, each co-organised by a unit of the other committee, in
        every answer state."""
        units = [tree.city, tree.committee_a, tree.branch_a1, tree.union_a2]
        units += [tree.committee_b, tree.branch_b1]
        statuses = [CoOrganiserStatus.PENDING, CoOrganiserStatus.CONFIRMED]
        statuses.append(CoOrganiserStatus.DECLINED)
        for n, unit in enumerate(units):
            log(unit, f"{unit.code} 的活动")
            joint = log(unit, f"{unit.code} 的联合活动")
            other = tree.branch_b1 if unit.path.startswith(tree.committee_a.path) else tree.union_a2
            CoOrganiser.objects.create(activity=joint, unit=other, status=statuses[n % 3])
        return units

    def test_it_agrees_with_activities_visible_to_for_every_actor(
        self, shape, tree, world, staff, reviewer, leader, outsider, city_admin
    ):
        nobody = UserFactory(username="nobody")
        root = UserFactory(username="root", is_superuser=True)
        two_places = UserFactory(username="two_places")
        MembershipFactory(user=two_places, unit=tree.union_a2, role=Role.STAFF)
        MembershipFactory(user=two_places, unit=tree.branch_b1, role=Role.LEADER)

        for user in (staff, reviewer, leader, outsider, city_admin, nobody, root, two_places):
            expected = set(activities_visible_to(user).values_list("pk", flat=True))
            scope = visible_scope(Scope.of(user))
            found = set(Activity.objects.filter(scope.q).values_list("pk", flat=True))
            assert found == expected, user.username

    def test_a_units_filter_keeps_its_subtree_and_its_live_coorganisations(
        self, shape, tree, world
    ):
        for unit in world:
            below = {u.pk for u in world if u.path.startswith(unit.path)}
            expected = {
                a.pk
                for a in Activity.objects.prefetch_related("coorganisers")
                if a.unit_id in below
                or any(
                    c.unit_id in below and c.status != CoOrganiserStatus.DECLINED
                    for c in a.coorganisers.all()
                )
            }
            scope = subtree_scope(unit)
            found = set(Activity.objects.filter(scope.q).values_list("pk", flat=True))
            assert found == expected, unit.code

    def test_the_page_is_the_same_in_every_shape(self, shape, client, outsider, tree, world):
        response = _get(client, outsider, unit=tree.committee_b.pk)

        assert set(_titles(response)) == {
            "B 的活动",
            "B 的联合活动",
            "B1 的活动",
            "B1 的联合活动",
            "A 的联合活动",  # co-organised by branch B1: confirmed
            "A2 的联合活动",  # co-organised by branch B1: not answered yet
        }  # A1's, co-organised by branch B1 too, was declined


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-1"])
def test_a_campaign_parameter_that_is_no_id_is_no_500(client, staff, value):
    client.force_login(staff)

    for name in (
        "dashboards:activities",
        "dashboards:activities_csv",
        "dashboards:activities_xlsx",
    ):
        response = client.get(reverse(name), {"campaign": value})
        assert response.status_code in (200, 400), (name, response.status_code)
