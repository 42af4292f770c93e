"""The three standing figures (evaluations.standing_selectors): equal to a direct count over the
records after random commitments, follow-ups and ratings across the tree; a child's row equals
that child's own figures; three queries whatever the number of rows; and the workbench's
"appraisal poster to print" entry."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Status
from common.figures import rounded_percent
from evaluations import services
from evaluations.models import (
    Commitment,
    CommitmentSet,
    FollowUp,
    Rating,
)
from evaluations.poster_selectors import posters_to_print
from evaluations.standing_rollups import standing_rebuild
from evaluations.standing_selectors import standing
from tests.evaluations.standing_data import random_records, units_of
from tests.factories import CampaignFactory, MembershipFactory, UnitFactory, UserFactory
from units.models import Role, Unit, UnitKind
from units.scope import Scope

pytestmark = pytest.mark.django_db


def _direct(unit: Unit, campaign, today: datetime.date) -> dict:
    """The figures counted in Python over the records of the subtree."""
    items = [
        item
        for item in Commitment.objects.filter(campaign=campaign).select_related("set", "unit")
        if item.unit.path.startswith(unit.path) and item.set.status == Status.APPROVED
    ]
    due = [i for i in items if i.due_on < today or i.fulfilled_at is not None]
    kept = [i for i in due if i.fulfilled_at is not None]
    follow_ups = [
        f
        for f in FollowUp.objects.filter(campaign=campaign).select_related("unit")
        if f.unit.path.startswith(unit.path)
    ]
    f_due = [f for f in follow_ups if f.due_on < today or f.closed_at is not None]
    on_time = [f for f in f_due if f.closed_on_time]
    ratings = [
        r
        for r in Rating.objects.filter(campaign=campaign).select_related("unit")
        if r.unit.path.startswith(unit.path)
    ]
    good = [r for r in ratings if r.verdict in (2, 3)]
    return {
        "commitments": (len(kept), len(due), len(due) - len(kept)),
        "commitments_rate": rounded_percent(len(kept) / len(due)) if due else None,
        "follow_ups": (
            len(on_time),
            len(f_due),
            len([f for f in f_due if f.closed_at is None]),
        ),
        "follow_ups_rate": rounded_percent(len(on_time) / len(f_due)) if f_due else None,
        "ratings": len(ratings),
        "satisfaction": rounded_percent(len(good) / len(ratings)) if ratings else None,
    }


def _seen(row) -> dict:
    c, f, s = row.commitments, row.follow_ups, row.satisfaction
    return {
        "commitments": (c.kept, c.due, c.overdue),
        "commitments_rate": c.rate,
        "follow_ups": (f.on_time, f.due, f.overdue),
        "follow_ups_rate": f.rate,
        "ratings": s.ratings,
        "satisfaction": s.satisfaction_rate,
    }


@pytest.fixture
def running(tree):
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=60),
    )


@pytest.mark.parametrize("seed", [1, 7, 2010])
def test_the_figures_equal_a_direct_count_and_rows_agree_with_their_own(tree, running, seed):
    today = timezone.localdate()
    random_records(tree, running, random.Random(seed), today)
    for unit in units_of(tree):
        children = list(Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1))
        board = standing(unit, running, sorted(children, key=lambda c: c.path))
        assert _seen(board.whole) == _direct(unit, running, today)
        for row in board.rows:
            assert _seen(row) == _direct(row.unit, running, today)
            # The leaf's (or sub-tree's) own board says the same as its row in the roll-up.
            assert _seen(standing(row.unit, running).whole) == _seen(row)


def test_an_item_on_its_due_day_is_not_due_yet_and_one_kept_early_counts(tree, running):
    today = timezone.localdate()
    author = UserFactory()
    item_set = CommitmentSet.objects.create(
        unit=tree.branch_a1, campaign=running, status=Status.APPROVED, created_by=author
    )
    for due, fulfilled in [
        (today, None),  # due today: still on time, not counted
        (today - datetime.timedelta(days=1), None),  # overdue
        (today + datetime.timedelta(days=9), timezone.now()),  # kept early: counts
    ]:
        Commitment.objects.create(
            set=item_set,
            unit=tree.branch_a1,
            campaign=running,
            promise="p",
            measure="m",
            due_on=due,
            fulfilled_at=fulfilled,
        )
    kept = standing(tree.city, running).whole.commitments
    assert (kept.kept, kept.due, kept.overdue, kept.rate) == (1, 2, 1, 50)


def test_items_of_sets_not_approved_do_not_count(tree, running):
    author = UserFactory()
    units = (tree.branch_a1, tree.union_a2, tree.committee_b)
    for unit, status in zip(units, (Status.DRAFT, Status.SUBMITTED, Status.RETURNED), strict=True):
        item_set = CommitmentSet.objects.create(
            unit=unit, campaign=running, status=status, created_by=author
        )
        Commitment.objects.create(
            set=item_set,
            unit=unit,
            campaign=running,
            promise="p",
            measure="m",
            due_on=timezone.localdate() - datetime.timedelta(days=3),
        )
    whole = standing(tree.city, running).whole
    assert (whole.commitments.due, whole.commitments.overdue) == (0, 0)
    assert whole.commitments.rate is None


def test_too_few_ratings_are_marked(tree, running, settings):
    settings.APPRAISAL_MIN_RATINGS = 3
    link = services.appraisal_link(tree.branch_a1, running)
    for n in range(2):
        services.rating_submit(link, 3, "", f"d{n}")
    board = standing(tree.committee_a, running, [tree.branch_a1, tree.union_a2])
    assert board.whole.too_few_ratings
    services.rating_submit(link, 1, "", "d3")
    board = standing(tree.committee_a, running, [tree.branch_a1, tree.union_a2])
    assert not board.rows[0].too_few_ratings and board.rows[1].too_few_ratings
    assert board.rows[0].satisfaction.satisfaction_rate == 67


def test_three_queries_whatever_the_number_of_rows(tree, running, django_assert_num_queries):
    random_records(tree, running, random.Random(3), timezone.localdate())
    with django_assert_num_queries(3):
        standing(tree.committee_a, running, [tree.branch_a1])
    many = [tree.branch_a1, tree.union_a2]
    many += [UnitFactory(parent=tree.committee_a, kind=UnitKind.PARTY_BRANCH) for _ in range(8)]
    with django_assert_num_queries(3):
        board = standing(tree.committee_a, running, many)
    assert len(board.rows) == 10


# --- Appraisal posters to print -------------------------------------------------------------------


def test_staff_and_admins_are_offered_the_poster_until_the_first_rating(
    client, tree, staff, admin_user, running
):
    today = timezone.localdate()
    due = posters_to_print(Scope.of(staff), today)
    assert [(d.unit, d.campaign) for d in due] == [(tree.branch_a1, running)]
    assert [(d.unit, d.campaign) for d in posters_to_print(Scope.of(admin_user), today)] == [
        (tree.committee_a, running)
    ]
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    poster = reverse("evaluations:poster", args=[tree.branch_a1.pk, running.pk])
    assert poster in page
    assert client.get(poster).status_code == 200

    services.rating_submit(services.appraisal_link(tree.branch_a1, running), 3, "", "first")
    assert posters_to_print(Scope.of(staff), today) == []
    assert poster not in client.get(reverse("home")).content.decode()


def test_no_poster_outside_a_running_campaign_or_for_other_roles(
    client, tree, staff, reviewer, leader, outsider
):
    today = timezone.localdate()
    CampaignFactory(  # finished
        unit=tree.city,
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today - datetime.timedelta(days=1),
    )
    assert posters_to_print(Scope.of(staff), today) == []
    running = CampaignFactory(
        unit=tree.committee_b,  # covers committee_b's subtree only
        starts_on=today - datetime.timedelta(days=9),
        ends_on=today + datetime.timedelta(days=9),
    )
    assert posters_to_print(Scope.of(staff), today) == []
    assert posters_to_print(Scope.of(reviewer), today) == []
    assert posters_to_print(Scope.of(leader), today) == []
    shown = {(d.unit, d.campaign) for d in posters_to_print(Scope.of(outsider), today)}
    assert shown == {(tree.committee_b, running), (tree.branch_b1, running)}
    for user in (reviewer, leader):
        client.force_login(user)
        assert 'data-testid="wb-posters"' not in client.get(reverse("home")).content.decode()


def test_the_poster_entry_costs_the_same_queries_for_many_units(
    tree, running, django_assert_num_queries
):
    user = UserFactory()
    MembershipFactory(user=user, unit=tree.branch_a1, role=Role.STAFF)
    scope = Scope.of(user)
    scope.memberships  # noqa: B018 - read once, outside the count
    with django_assert_num_queries(3):
        assert len(posters_to_print(scope, timezone.localdate())) == 1
    for _n in range(6):
        MembershipFactory(
            user=user,
            unit=UnitFactory(parent=tree.committee_b, kind=UnitKind.PARTY_BRANCH),
            role=Role.ADMIN,
        )
    scope = Scope.of(user)
    scope.memberships  # noqa: B018
    with django_assert_num_queries(3):
        assert len(posters_to_print(scope, timezone.localdate())) == 7


# --- The kept roll-ups ----------------------------------------------------------------------------


def _all(tree, campaign):
    return {
        unit.pk: _seen(standing(unit, campaign).whole)
        for unit in Unit.objects.filter(path__startswith=tree.city.path)
    }


def test_the_roll_ups_kept_on_every_change_equal_a_rebuild(tree, running):
    random_records(tree, running, random.Random(11), timezone.localdate())
    kept = _all(tree, running)
    standing_rebuild()
    assert _all(tree, running) == kept


def test_a_reopened_set_and_a_deleted_follow_up_leave_the_figures(tree, running):
    random_records(tree, running, random.Random(4), timezone.localdate())
    for item_set in CommitmentSet.objects.filter(status=Status.APPROVED):
        item_set.status = Status.RETURNED
        item_set.save()
    FollowUp.objects.filter(unit=tree.branch_a1).first().delete()
    today = timezone.localdate()
    for unit in units_of(tree):
        assert _seen(standing(unit, running).whole) == _direct(unit, running, today)
    assert standing(tree.city, running).whole.commitments.due == 0


def test_a_moved_unit_takes_its_figures_along(tree, running):
    from units.services import unit_move

    today = timezone.localdate()
    random_records(tree, running, random.Random(8), today)
    unit_move(unit=tree.committee_a, new_parent=tree.committee_b)
    for unit in Unit.objects.all():
        assert _seen(standing(unit, running).whole) == _direct(unit, running, today)
