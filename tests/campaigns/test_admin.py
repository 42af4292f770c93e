"""The Django admin writes through campaigns.services (issue 12 §4): real POSTs as a superuser.
What the roll-ups depend on can't be changed there, a target in use is not deleted, and what the
services allow still works."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Target, TargetTask
from tests.factories import CampaignFactory, TargetTaskFactory
from tests.pages import messages_of
from units.models import Line

pytestmark = pytest.mark.django_db


def _task_data(task: TargetTask, **overrides) -> dict:
    data = {
        "code": task.code,
        "line": task.line,
        "title": task.title,
        "programme": task.programme,
        "description": task.description,
        "metric": task.metric,
        "quantity_label": task.quantity_label,
        "is_required": "on" if task.is_required else "",
        "sort_order": task.sort_order,
        "is_active": "on" if task.is_active else "",
        **overrides,
    }
    return {name: value for name, value in data.items() if value != ""}


def test_a_tasks_line_is_read_only_once_activities_count_toward_it(root, task, draft):
    url = reverse("admin:campaigns_targettask_change", args=[task.pk])
    page = root.get(url)
    assert page.status_code == 200
    assert 'name="line"' not in page.content.decode()
    assert 'name="metric"' not in page.content.decode()  # targets are set for it

    response = root.post(url, _task_data(task, line=Line.UNION, title="主题党日（新）"))

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.line == Line.PARTY  # the roll-ups keep the activity under its line
    assert task.title == "主题党日（新）"  # what may change, changes


def test_a_tasks_line_changes_while_nothing_counts_toward_it(root, campaign):
    task = TargetTaskFactory(campaign=campaign, line=Line.PARTY)
    url = reverse("admin:campaigns_targettask_change", args=[task.pk])
    assert 'name="line"' in root.get(url).content.decode()

    response = root.post(url, _task_data(task, line=Line.UNION))

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.line == Line.UNION
    assert task.history.count() == 2  # the history still sees the change, and who made it
    assert task.history.first().history_user.username == "root"


def test_a_task_is_not_deleted_in_the_admin(root, task):
    response = root.post(
        reverse("admin:campaigns_targettask_delete", args=[task.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert TargetTask.objects.filter(pk=task.pk).exists()


def test_a_target_in_use_is_not_deleted(root, targets, draft):
    target = targets["A1"]

    response = root.post(
        reverse("admin:campaigns_target_delete", args=[target.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert response.url == reverse("admin:campaigns_target_change", args=[target.pk])
    assert Target.objects.filter(pk=target.pk).exists()
    assert any("Activities count toward this target" in m for m in messages_of(response))


def test_a_target_not_in_use_is_deleted(root, targets, draft):
    target = targets["B1"]

    response = root.post(
        reverse("admin:campaigns_target_delete", args=[target.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


def test_the_bulk_delete_of_targets_is_not_offered(root, targets):
    page = root.get(reverse("admin:campaigns_target_changelist"))
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()


def test_a_targets_value_changes_and_its_unit_does_not(root, tree, targets):
    target = targets["A1"]
    url = reverse("admin:campaigns_target_change", args=[target.pk])

    response = root.post(
        url, {"value": "9", "due_on": "2010-11-30", "unit": tree.branch_b1.pk, "task": 0}
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.value, target.due_on) == (Decimal(9), datetime.date(2010, 11, 30))
    assert target.unit == tree.branch_a1
    assert target.is_override  # set by hand: a bulk assignment leaves it alone


def test_a_target_outside_the_campaign_is_refused_with_a_message(root, tree):
    task = TargetTaskFactory(campaign=CampaignFactory(unit=tree.committee_b))
    url = reverse("admin:campaigns_target_add")

    response = root.post(
        url,
        {"unit": tree.branch_a1.pk, "task": task.pk, "value": "3", "due_on": "2010-11-30"},
    )

    assert response.status_code == 302
    assert response.url == url
    assert not Target.objects.filter(task=task).exists()
    assert any("is outside the campaign" in m for m in messages_of(response))


def test_a_campaigns_unit_is_read_only(root, tree, campaign):
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    assert 'name="unit"' not in root.get(url).content.decode()

    response = root.post(
        url,
        {
            "name": "新名称",
            "unit": tree.committee_b.pk,
            "starts_on": "2010-05-01",
            "ends_on": "2010-12-31",
            "review_deadline_days": 7,
            "review_levels": 1,
            "is_active": "on",
            "phases-TOTAL_FORMS": 0,
            "phases-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get(pk=campaign.pk)
    assert (campaign.name, campaign.unit) == ("新名称", tree.city)


def test_a_campaigns_phases_are_written_by_the_services(root, campaign):
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])

    response = root.post(
        url,
        {
            "name": campaign.name,
            "starts_on": "2010-05-01",
            "ends_on": "2010-12-31",
            "review_deadline_days": 7,
            "review_levels": 1,
            "is_active": "on",
            "phases-TOTAL_FORMS": 2,
            "phases-INITIAL_FORMS": 0,
            "phases-0-name": "动员部署",
            "phases-0-starts_on": "2010-05-01",
            "phases-0-deadline": "2010-05-31",
            "phases-1-name": "倒置",
            "phases-1-starts_on": "2010-06-30",
            "phases-1-deadline": "2010-06-01",
        },
    )

    assert response.status_code == 200  # the second phase ends before it starts
    assert not campaign.phases.exists()
    response = root.post(
        url,
        {
            "name": campaign.name,
            "starts_on": "2010-05-01",
            "ends_on": "2010-12-31",
            "review_deadline_days": 7,
            "review_levels": 1,
            "is_active": "on",
            "phases-TOTAL_FORMS": 1,
            "phases-INITIAL_FORMS": 0,
            "phases-0-name": "动员部署",
            "phases-0-starts_on": "2010-05-01",
            "phases-0-deadline": "2010-05-31",
        },
    )
    assert response.status_code == 302
    assert list(campaign.phases.values_list("name", flat=True)) == ["动员部署"]
