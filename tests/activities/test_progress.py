"""Progress counts approved activities only, and a co-organised activity once per total."""

import datetime
from decimal import Decimal

import pytest

from activities import services
from activities.models import CoOrganiser
from activities.progress import targets_progress
from campaigns.models import Metric
from campaigns.selectors import targets_of
from tests.factories import MembershipFactory, TargetFactory, TargetTaskFactory, UserFactory
from tests.figures import task_figures
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def union_staff(tree):
    user = UserFactory(username="staff_a2")
    MembershipFactory(user=user, unit=tree.union_a2, role=Role.STAFF)
    return user


def _log(staff, unit, task, *, title="活动", party=10, coorganisers=()):
    return services.activity_create(
        actor=staff,
        unit=unit,
        campaign=task.campaign,
        data={
            "title": title,
            "starts_on": datetime.date(2010, 6, 1),
            "participants_party_members": party,
        },
        tasks=[task],
        coorganisers=coorganisers,
    )


def _approve(staff, reviewer, activity):
    services.activity_submit(actor=staff, activity=activity)
    return services.activity_approve(actor=reviewer, activity=activity, level=1)


def test_only_approved_activities_count(tree, staff, reviewer, task, targets):
    approved = _log(staff, tree.branch_a1, task, title="已通过")
    _approve(staff, reviewer, approved)
    _log(staff, tree.branch_a1, task, title="草稿")
    submitted = _log(staff, tree.branch_a1, task, title="待审")
    services.activity_submit(actor=staff, activity=submitted)
    figures = task_figures(tree.branch_a1, [task.pk])
    assert figures[task.pk].activities == 1
    assert figures[task.pk].participants == 10


def test_a_coorganised_activity_of_two_siblings_counts_once_for_their_parent(
    tree, staff, reviewer, union_staff, task, targets
):
    joint = _log(
        staff, tree.branch_a1, task, title="联合活动", party=20, coorganisers=[tree.union_a2]
    )
    services.coorganiser_respond(
        actor=union_staff, coorganiser=CoOrganiser.objects.get(), confirm=True
    )
    _approve(staff, reviewer, joint)

    for unit in (tree.branch_a1, tree.union_a2, tree.committee_a, tree.city):
        figures = task_figures(unit, [task.pk])[task.pk]
        assert (figures.activities, figures.participants) == (1, 20), unit.code
    assert task_figures(tree.committee_b, [task.pk]) == {}


def test_an_unconfirmed_coorganiser_gets_no_credit(
    tree, staff, reviewer, union_staff, task, targets
):
    joint = _log(staff, tree.branch_a1, task, coorganisers=[tree.union_a2])
    services.coorganiser_respond(
        actor=union_staff, coorganiser=CoOrganiser.objects.get(), confirm=False
    )
    _approve(staff, reviewer, joint)
    assert task_figures(tree.union_a2, [task.pk]) == {}
    assert task_figures(tree.committee_a, [task.pk])[task.pk].activities == 1


def test_reopening_takes_it_out_of_the_figures(tree, staff, reviewer, task, targets):
    activity = _approve(staff, reviewer, _log(staff, tree.branch_a1, task))
    services.activity_reopen(actor=reviewer, activity=activity, reason="数据有误")
    assert task_figures(tree.committee_a, [task.pk]) == {}


def test_progress_follows_the_task_metric(tree, staff, reviewer, campaign, task, targets):
    loans = TargetTaskFactory(
        campaign=campaign, code="FJ-03", metric=Metric.QUANTITY, quantity_label="万元"
    )
    TargetFactory(unit=tree.branch_a1, task=loans, value=Decimal(50))
    activity = services.activity_create(
        actor=staff,
        unit=tree.branch_a1,
        campaign=campaign,
        data={"title": "小额贷款", "starts_on": datetime.date(2010, 6, 1), "quantity": Decimal(20)},
        tasks=[task, loans],
    )
    _approve(staff, reviewer, activity)
    progress = {
        p.target.task.code: p
        for p in targets_progress(tree.branch_a1, list(targets_of(tree.branch_a1, campaign)))
    }
    assert progress["FJ-03"].achieved == Decimal(20)
    assert progress["FJ-03"].percent == 40
    assert progress["DJ-01"].achieved == 1
    assert progress["DJ-01"].percent == 25


def test_task_figures_take_one_query_whatever_the_number_of_tasks(
    tree, staff, reviewer, campaign, targets, django_assert_num_queries
):
    tasks = [TargetTaskFactory(campaign=campaign) for _ in range(6)]
    with django_assert_num_queries(1):
        task_figures(tree.city, [t.pk for t in tasks])
