"""The rules of campaigns.services: campaigns, the task catalogue and targets.

The tree (tests/conftest.py): CITY → A (A1 party branch, A2 trade union) and B (B1 party branch).
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns import services
from campaigns.exceptions import CampaignError
from campaigns.models import Metric, Target, TargetTask
from tests.factories import CampaignFactory, TargetFactory, TargetTaskFactory, UnitFactory
from units.models import Line, UnitKind
from units.services import unit_deactivate

DUE = datetime.date(2010, 11, 30)
BRANCHES = [UnitKind.PARTY_BRANCH]


def _values(task) -> dict[str, tuple[Decimal, bool]]:
    return {
        code: (value, override)
        for code, value, override in Target.objects.filter(task=task).values_list(
            "unit__code", "value", "is_override"
        )
    }


# --- Bulk assignment -------------------------------------------------------------------------


def test_bulk_assignment_gives_every_unit_of_the_kinds_in_the_subtree_a_target(tree, task):
    result = services.targets_assign(
        task=task, root=tree.city, kinds=BRANCHES, value=Decimal(6), due_on=DUE
    )

    assert (result.created, result.updated, result.kept) == (2, 0, 0)
    assert _values(task) == {"A1": (Decimal(6), False), "B1": (Decimal(6), False)}
    assert set(Target.objects.values_list("due_on", flat=True)) == {DUE}


def test_bulk_assignment_stays_inside_the_chosen_subtree(tree, task):
    services.targets_assign(
        task=task,
        root=tree.committee_a,
        kinds=[UnitKind.PARTY_BRANCH, UnitKind.TRADE_UNION],
        value=Decimal(3),
        due_on=DUE,
    )

    assert set(_values(task)) == {"A1", "A2"}


def test_bulk_assignment_updates_earlier_bulk_values_and_keeps_values_set_per_unit(tree, task):
    services.targets_assign(task=task, root=tree.city, kinds=BRANCHES, value=Decimal(4), due_on=DUE)
    services.target_set(unit=tree.branch_a1, task=task, value=Decimal(9), due_on=DUE)

    result = services.targets_assign(
        task=task, root=tree.city, kinds=BRANCHES, value=Decimal(5), due_on=DUE
    )

    assert (result.created, result.updated, result.kept) == (0, 1, 1)
    assert _values(task) == {"A1": (Decimal(9), True), "B1": (Decimal(5), False)}


def test_bulk_assignment_replaces_values_set_per_unit_when_asked(tree, task):
    services.target_set(unit=tree.branch_a1, task=task, value=Decimal(9), due_on=DUE)

    result = services.targets_assign(
        task=task,
        root=tree.city,
        kinds=BRANCHES,
        value=Decimal(5),
        due_on=DUE,
        replace_overrides=True,
    )

    assert (result.created, result.updated, result.kept) == (1, 1, 0)
    assert _values(task) == {"A1": (Decimal(5), False), "B1": (Decimal(5), False)}


def test_bulk_assignment_skips_inactive_units(tree, task):
    unit_deactivate(unit=tree.branch_b1)

    result = services.targets_assign(
        task=task, root=tree.city, kinds=BRANCHES, value=Decimal(2), due_on=DUE
    )

    assert result.created == 1
    assert set(_values(task)) == {"A1"}


def test_bulk_assignment_under_a_unit_outside_the_campaign_is_refused(tree):
    task = TargetTaskFactory(campaign=CampaignFactory(unit=tree.committee_a))

    with pytest.raises(CampaignError, match="outside the campaign"):
        services.targets_assign(
            task=task, root=tree.committee_b, kinds=BRANCHES, value=Decimal(2), due_on=DUE
        )

    assert not Target.objects.exists()


# --- One unit's target -----------------------------------------------------------------------


def test_setting_a_target_creates_or_updates_it_as_set_per_unit(tree, task):
    TargetFactory(unit=tree.branch_a1, task=task, value=Decimal(4))

    target = services.target_set(unit=tree.branch_a1, task=task, value=Decimal(7), due_on=DUE)
    created = services.target_set(unit=tree.union_a2, task=task, value=Decimal(1), due_on=DUE)

    target.refresh_from_db()
    assert (target.value, target.due_on, target.is_override) == (Decimal(7), DUE, True)
    assert created.is_override
    assert Target.objects.count() == 2


def test_a_target_for_a_unit_outside_the_campaign_is_refused(tree):
    task = TargetTaskFactory(campaign=CampaignFactory(unit=tree.committee_a))

    with pytest.raises(CampaignError, match="outside the campaign"):
        services.target_set(unit=tree.branch_b1, task=task, value=Decimal(1), due_on=DUE)

    assert not Target.objects.exists()


def test_a_target_for_an_inactive_unit_is_refused(tree, task):
    dormant = unit_deactivate(unit=tree.branch_b1)

    with pytest.raises(CampaignError, match="inactive"):
        services.target_set(unit=dormant, task=task, value=Decimal(1), due_on=DUE)

    assert not Target.objects.exists()


def test_a_negative_target_is_refused(tree, task):
    with pytest.raises(ValidationError):
        services.target_set(unit=tree.branch_a1, task=task, value=Decimal(-1), due_on=DUE)

    assert not Target.objects.exists()


def test_every_change_to_a_target_writes_a_history_row(tree, task):
    services.targets_assign(task=task, root=tree.city, kinds=BRANCHES, value=Decimal(4), due_on=DUE)
    target = services.target_set(unit=tree.branch_a1, task=task, value=Decimal(8), due_on=DUE)

    history = list(target.history.order_by("history_date", "history_id"))

    assert [h.history_type for h in history] == ["+", "~"]
    assert [(h.value, h.is_override) for h in history] == [
        (Decimal(4), False),
        (Decimal(8), True),
    ]


# --- Catalogue -------------------------------------------------------------------------------


def _task_fields(**overrides) -> dict:
    fields = {
        "code": "GJ-01",
        "line": Line.UNION,
        "title": "创建工人先锋号",
        "programme": "工人先锋号",
        "description": "",
        "metric": Metric.ACTIVITIES,
        "quantity_label": "",
        "is_required": True,
        "sort_order": 1,
        "is_active": True,
    }
    return {**fields, **overrides}


def test_a_duplicate_task_code_is_refused(campaign, task):
    with pytest.raises(CampaignError, match="already has a task"):
        services.task_create(campaign=campaign, fields=_task_fields(code=task.code))

    assert campaign.tasks.count() == 1


def test_the_same_task_code_may_be_used_in_another_campaign(tree, task):
    other = CampaignFactory(unit=tree.city)

    created = services.task_create(campaign=other, fields=_task_fields(code=task.code))

    assert created.campaign == other


def test_renaming_a_task_to_a_taken_code_is_refused(campaign, task):
    second = services.task_create(campaign=campaign, fields=_task_fields())

    with pytest.raises(CampaignError, match="already has a task"):
        services.task_update(task=second, fields={"code": task.code})

    second.refresh_from_db()
    assert second.code == "GJ-01"


def test_the_metric_cannot_change_once_targets_exist(tree, task):
    TargetFactory(unit=tree.branch_a1, task=task)

    with pytest.raises(CampaignError, match="metric"):
        services.task_update(task=task, fields={"metric": Metric.PARTICIPANTS})

    task.refresh_from_db()
    assert task.metric == Metric.ACTIVITIES


def test_the_metric_may_change_while_no_target_exists(task):
    services.task_update(task=task, fields={"metric": Metric.PARTICIPANTS})

    task.refresh_from_db()
    assert task.metric == Metric.PARTICIPANTS


def test_a_quantity_task_needs_its_unit_label(campaign):
    with pytest.raises(ValidationError):
        services.task_create(campaign=campaign, fields=_task_fields(metric=Metric.QUANTITY))

    assert not TargetTask.objects.exists()


def test_a_campaign_cannot_end_before_it_starts(tree):
    fields = {
        "name": "2011 年",
        "starts_on": datetime.date(2011, 5, 1),
        "ends_on": datetime.date(2011, 4, 1),
    }

    with pytest.raises(ValidationError):
        services.campaign_create(unit=tree.city, fields=fields)


def test_a_target_counted_by_activities_cannot_be_removed(tree, task, draft):
    target = Target.objects.get(unit=tree.branch_a1, task=task)

    with pytest.raises(CampaignError):
        services.target_delete(target=target)

    assert Target.objects.filter(pk=target.pk).exists()


def test_a_target_nothing_counts_toward_can_be_removed(tree, task):
    target = TargetFactory(unit=UnitFactory(parent=tree.committee_b, code="B2"), task=task)

    services.target_delete(target=target)

    assert not Target.objects.filter(pk=target.pk).exists()
