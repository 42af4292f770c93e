"""What a leader sees must not mislead: submissions waiting past the deadline count as late in the
review timeliness; other units' drafts are not theirs to see; a unit is linked only where the
viewer may open it; and a declined co-organisation counts for nobody, on every page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, CoOrganiser, Status
from activities.rollups import rollups_rebuild
from tests.dashboards.test_dashboard import approve, board_of, dashboard_url, log, season
from tests.factories import MembershipFactory, UserFactory
from units.models import Role

__all__ = ["season"]

pytestmark = pytest.mark.django_db


class TestReviewTimeliness:
    def test_a_submission_waiting_past_the_deadline_counts_as_late(
        self, client, tree, leader, task, season
    ):
        client.force_login(leader)
        before = board_of(client, tree.committee_a).headline
        assert before.review_timeliness == 100 and before.overdue_reviews == 0

        waiting = Activity.objects.get(status=Status.SUBMITTED)
        Activity.objects.filter(pk=waiting.pk).update(
            waiting_since=timezone.now() - datetime.timedelta(days=10)
        )
        rollups_rebuild()  # the wait was moved back by hand, not by a transition
        after = board_of(client, tree.committee_a).headline

        decided = 5  # committee_a's approvals in the season, all within the deadline
        assert after.overdue_reviews == 1
        assert after.review_timeliness == round(100 * decided / (decided + 1)) == 83

    def test_the_figure_says_how_it_is_computed(self, client, tree, leader, season):
        client.force_login(leader)

        html = client.get(dashboard_url(tree.committee_a)).content.decode()

        assert 'data-testid="review-timeliness-help"' in html
        assert "plus the submissions now waiting past the deadline" in html


class TestDrafts:
    def test_a_leaders_search_leaves_out_the_drafts_of_units_below(
        self, client, tree, staff, leader, task, season
    ):
        client.force_login(leader)

        response = client.get(reverse("dashboards:activities"))

        statuses = {row.status for row in response.context["rows"]}
        assert Status.DRAFT not in statuses
        assert Status.SUBMITTED in statuses and Status.APPROVED in statuses

    def test_the_units_own_staff_still_find_their_drafts(self, client, tree, staff, season):
        client.force_login(staff)

        response = client.get(reverse("dashboards:activities"), {"status": Status.DRAFT})

        assert [row.status for row in response.context["rows"]] == [Status.DRAFT]

    def test_a_draft_page_is_not_found_for_a_leader_above(self, client, tree, leader, season):
        draft = Activity.objects.get(status=Status.DRAFT)
        client.force_login(leader)

        assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404

    def test_a_named_coorganiser_sees_the_draft(self, client, tree, staff, season):
        draft = Activity.objects.get(status=Status.DRAFT)
        CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
        client.force_login(season.union_staff)

        assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 200

    def test_a_member_at_the_root_does_not_see_them_either(self, client, tree, city_admin, season):
        client.force_login(city_admin)

        response = client.get(reverse("dashboards:activities"), {"status": Status.DRAFT})

        assert response.context["rows"] == []


class TestLinks:
    @pytest.fixture
    def joint(self, tree, staff, task, targets):
        """branch_a1's activity co-organised with branch_b1 (under another committee)."""
        staff_b1 = UserFactory(username="staff_b1")
        MembershipFactory(user=staff_b1, unit=tree.branch_b1, role=Role.STAFF)
        activity = log(staff, tree.branch_a1, [task], party=5)
        CoOrganiser.objects.create(activity=activity, unit=tree.branch_b1)
        services.activity_submit(actor=staff, activity=activity)
        return activity, staff_b1

    def test_a_coorganisers_staff_see_the_unit_without_a_dead_link(self, client, tree, joint):
        activity, staff_b1 = joint
        client.force_login(staff_b1)

        html = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
        assert tree.branch_a1.name in html
        assert reverse("units:detail", args=[tree.branch_a1.pk]) not in html
        assert client.get(reverse("units:detail", args=[tree.branch_a1.pk])).status_code == 404

        search = client.get(reverse("dashboards:activities")).content.decode()
        assert tree.branch_a1.name in search
        assert f"unit={tree.branch_a1.pk}" not in search

    def test_the_organisers_own_staff_keep_the_link(self, client, tree, staff, joint):
        activity, _ = joint
        client.force_login(staff)

        html = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
        assert reverse("units:detail", args=[tree.branch_a1.pk]) in html
        search = client.get(reverse("dashboards:activities")).content.decode()
        assert f"unit={tree.branch_a1.pk}" in search


class TestDeclinedCoorganisation:
    def test_the_unit_page_and_the_dashboard_agree(
        self, client, tree, staff, reviewer, city_admin, task, targets, season
    ):
        declined = log(staff, tree.branch_a1, [task], party=7, coorganisers=[tree.union_a2])
        services.coorganiser_respond(
            actor=season.union_staff,
            coorganiser=CoOrganiser.objects.get(activity=declined),
            confirm=False,
        )
        approve(staff, reviewer, declined)
        client.force_login(season.union_staff)

        listing = client.get(reverse("activities:list"), {"unit": tree.union_a2.pk})
        approved_tab = next(t for t in listing.context["tabs"] if t["key"] == Status.APPROVED)
        client.force_login(city_admin)
        board = board_of(client, tree.committee_a)
        union_row = next(r for r in board.ranking if r.unit == tree.union_a2)

        assert approved_tab["count"] == union_row.totals.activities == 2
        client.force_login(season.union_staff)
        approved = client.get(
            reverse("activities:list"), {"unit": tree.union_a2.pk, "status": Status.APPROVED}
        )
        titles = [row["activity"].pk for row in approved.context["rows"]]
        assert declined.pk not in titles
        everything = client.get(reverse("activities:list"), {"unit": tree.union_a2.pk})
        assert declined.pk in [row["activity"].pk for row in everything.context["rows"]]
