"""Campaign and target pages: they render, and the create/edit/assign flows change the database.

The tree (tests/conftest.py): CITY → A (A1 party branch, A2 trade union) and B (B1 party branch).
`campaign` is run by the city; `city_admin` manages it, `admin_user` administers A's subtree.
"""

import datetime
import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services as activity_services
from campaigns import services
from campaigns.models import Campaign, Metric, Phase, Target, TargetTask
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    TargetFactory,
    TargetTaskFactory,
    UserFactory,
)
from tests.pages import messages_of
from tests.test_base_ui import _assert_csp_clean as assert_csp_clean
from units.models import Line, UnitKind

INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
DUE = datetime.date(2010, 11, 30)


def _campaign_data(**overrides) -> dict:
    data = {
        "name": "2011 年党群共建创先争优",
        "starts_on": "2011-03-01",
        "ends_on": "2011-12-31",
        "review_deadline_days": 5,
        "review_levels": 2,
        "is_active": "on",
    }
    return {**data, **overrides}


def _task_data(**overrides) -> dict:
    data = {
        "code": "GJ-02",
        "line": Line.UNION,
        "title": "金秋助学·困难职工帮扶",
        "programme": "金秋助学",
        "description": "帮扶困难职工家庭",
        "metric": Metric.QUANTITY,
        "quantity_label": "户",
        "is_required": "",
        "sort_order": 2,
        "is_active": "on",
    }
    return {**data, **overrides}


# --- Campaigns -------------------------------------------------------------------------------


def test_the_list_shows_the_campaigns_covering_the_users_units(client, tree, staff, campaign):
    elsewhere = CampaignFactory(unit=tree.committee_b, name="城关镇活动")
    client.force_login(staff)

    response = client.get(reverse("campaigns:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert campaign.name in html
    assert elsewhere.name not in html
    assert reverse("campaigns:create") not in html


def test_the_detail_page_groups_the_catalogue_by_line(client, tree, city_admin, campaign, task):
    TargetTaskFactory(
        campaign=campaign,
        code="GJ-01",
        line=Line.UNION,
        title="金秋助学",
        programme="金秋助学",
        metric=Metric.QUANTITY,
        quantity_label="户",
        is_required=False,
    )
    Phase.objects.create(
        campaign=campaign,
        name="动员部署",
        starts_on=datetime.date(2010, 5, 1),
        deadline=datetime.date(2010, 5, 31),
    )
    client.force_login(city_admin)

    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "动员部署" in html and "2010-05-31" in html
    assert html.count('data-testid="catalogue-line"') == 2
    assert "Party building" in html and "Trade-union building" in html
    assert "Quantity (户)" in html
    assert "Required" in html and "Optional" in html
    assert "Brand programme: 金秋助学" in html
    for name in ("edit", "phase_create", "task_create", "targets_import", "targets_export"):
        assert reverse(f"campaigns:{name}", args=[campaign.pk]) in html
    assert reverse("campaigns:targets_assign", args=[task.pk]) in html
    assert not INLINE_STYLE.search(html)


def test_the_detail_page_hides_the_management_buttons_from_staff(client, staff, campaign, task):
    client.force_login(staff)

    response = client.get(reverse("campaigns:detail", args=[campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert task.title in html
    assert reverse("campaigns:edit", args=[campaign.pk]) not in html
    assert reverse("campaigns:task_edit", args=[task.pk]) not in html
    assert reverse("campaigns:targets_assign", args=[task.pk]) not in html


def test_an_admin_creates_a_campaign_run_by_a_unit_they_administer(client, tree, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("campaigns:create")).status_code == 200

    response = client.post(reverse("campaigns:create"), _campaign_data(unit=tree.committee_a.pk))

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:detail", args=[campaign.pk])
    assert campaign.unit == tree.committee_a
    assert (campaign.review_deadline_days, campaign.review_levels) == (5, 2)
    assert campaign.ends_on == datetime.date(2011, 12, 31)


def test_an_admin_cannot_create_a_campaign_for_a_unit_above_theirs(client, tree, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("campaigns:create"), _campaign_data(unit=tree.city.pk))

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Campaign.objects.exists()


def test_a_campaign_that_ends_before_it_starts_is_refused(client, city_admin, campaign):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        _campaign_data(starts_on="2011-05-01", ends_on="2011-04-01"),
    )

    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    campaign.refresh_from_db()
    assert campaign.starts_on == datetime.date(2010, 5, 1)


def test_an_admin_edits_the_campaign(client, city_admin, campaign):
    client.force_login(city_admin)
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 200

    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        _campaign_data(name="改名", is_active="", review_levels=1),
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.is_active, campaign.review_levels) == ("改名", False, 1)


# --- Phases ----------------------------------------------------------------------------------


def test_an_admin_adds_edits_and_deletes_a_phase(client, city_admin, campaign):
    client.force_login(city_admin)
    url = reverse("campaigns:phase_create", args=[campaign.pk])
    assert client.get(url).status_code == 200

    client.post(url, {"name": "组织实施", "starts_on": "2010-06-01", "deadline": "2010-10-31"})
    phase = campaign.phases.get()
    assert phase.deadline == datetime.date(2010, 10, 31)

    edit = reverse("campaigns:phase_edit", args=[phase.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "name": "组织实施",
            "starts_on": "2010-06-01",
            "deadline": "2010-11-15",
            "description": "x",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert (phase.deadline, phase.description) == (datetime.date(2010, 11, 15), "x")

    response = client.post(reverse("campaigns:phase_delete", args=[phase.pk]), follow=True)
    assert "“组织实施” has been deleted." in messages_of(response)
    assert not Phase.objects.exists()


def test_a_phase_is_deleted_only_by_post(client, city_admin, campaign):
    phase = Phase.objects.create(
        campaign=campaign, name="总结表彰", starts_on=DUE, deadline=datetime.date(2010, 12, 31)
    )
    client.force_login(city_admin)

    response = client.get(reverse("campaigns:phase_delete", args=[phase.pk]))

    assert response.status_code == 405
    assert Phase.objects.filter(pk=phase.pk).exists()


def test_a_phase_deadline_before_its_start_is_refused(client, city_admin, campaign):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:phase_create", args=[campaign.pk]),
        {"name": "组织实施", "starts_on": "2010-06-01", "deadline": "2010-05-01"},
    )

    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    assert not Phase.objects.exists()


# --- Tasks -----------------------------------------------------------------------------------


def test_an_admin_adds_a_task_to_the_catalogue(client, city_admin, campaign):
    client.force_login(city_admin)
    url = reverse("campaigns:task_create", args=[campaign.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _task_data())

    assert response.status_code == 302
    task = TargetTask.objects.get(campaign=campaign)
    assert (task.code, task.line, task.metric, task.quantity_label) == (
        "GJ-02",
        Line.UNION,
        Metric.QUANTITY,
        "户",
    )
    assert task.is_required is False
    assert task.history.count() == 1


def test_a_duplicate_task_code_is_refused_with_a_message(client, city_admin, campaign, task):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:task_create", args=[campaign.pk]), _task_data(code=task.code)
    )

    assert response.status_code == 400
    assert "This campaign already has a task with that code." in messages_of(response)
    assert campaign.tasks.count() == 1


def test_a_quantity_task_without_its_unit_label_is_refused(client, city_admin, campaign):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:task_create", args=[campaign.pk]), _task_data(quantity_label="")
    )

    assert response.status_code == 200
    assert "quantity_label" in response.context["form"].errors
    assert not TargetTask.objects.exists()


def test_an_admin_edits_a_task(client, city_admin, task):
    client.force_login(city_admin)
    url = reverse("campaigns:task_edit", args=[task.pk])
    assert client.get(url).status_code == 200

    response = client.post(url, _task_data(code="DJ-09", line=Line.PARTY, title="三会一课"))

    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.code, task.title, task.metric) == ("DJ-09", "三会一课", Metric.QUANTITY)


def test_the_metric_of_a_task_with_targets_cannot_change(client, city_admin, task, targets):
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:task_edit", args=[task.pk]),
        _task_data(code=task.code, line=Line.PARTY, title="新标题"),
    )

    assert response.status_code == 400
    assert any("metric can no longer change" in m for m in messages_of(response))
    task.refresh_from_db()
    assert (task.metric, task.title) == (Metric.ACTIVITIES, "主题党日")


# --- Bulk assignment -------------------------------------------------------------------------


def _assign(client, task, root, **overrides):
    data = {
        "root": root.pk,
        "kinds": [UnitKind.PARTY_BRANCH],
        "value": "6",
        "due_on": "2010-11-30",
        **overrides,
    }
    return client.post(reverse("campaigns:targets_assign", args=[task.pk]), data, follow=True)


def test_the_assign_page_offers_the_units_the_admin_holds(client, tree, admin_user, task):
    client.force_login(admin_user)

    response = client.get(reverse("campaigns:targets_assign", args=[task.pk]))

    assert response.status_code == 200
    roots = set(response.context["form"].fields["root"].queryset.values_list("code", flat=True))
    assert roots == {"A", "A1", "A2"}


def test_assigning_keeps_the_values_set_per_unit(client, tree, city_admin, task):
    client.force_login(city_admin)
    _assign(client, task, tree.city, value="4")
    services.target_set(unit=tree.branch_a1, task=task, value=Decimal(9), due_on=DUE)

    response = _assign(client, task, tree.city, value="5")

    assert response.status_code == 200
    assert (
        "Targets for “主题党日”: 0 created, 1 updated, 1 set per unit kept as they were."
        in messages_of(response)
    )
    values = dict(Target.objects.values_list("unit__code", "value"))
    assert values == {"A1": Decimal(9), "B1": Decimal(5)}


def test_assigning_may_replace_the_values_set_per_unit(client, tree, city_admin, task):
    services.target_set(unit=tree.branch_a1, task=task, value=Decimal(9), due_on=DUE)
    client.force_login(city_admin)

    response = _assign(client, task, tree.committee_a, value="5", replace_overrides="on")

    assert "Targets for “主题党日”: 0 created, 1 updated, 0 set per unit kept as they were." in (
        messages_of(response)
    )
    target = Target.objects.get(unit=tree.branch_a1)
    assert (target.value, target.is_override) == (Decimal(5), False)


def test_assigning_needs_at_least_one_kind(client, tree, city_admin, task):
    client.force_login(city_admin)

    response = _assign(client, task, tree.city, kinds=[])

    assert "kinds" in response.context["form"].errors
    assert not Target.objects.exists()


# --- One unit's targets ----------------------------------------------------------------------


def test_an_admin_sets_one_units_target(client, tree, admin_user, task):
    client.force_login(admin_user)
    url = reverse("campaigns:target_set", args=[tree.branch_a1.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"task": task.pk, "value": "12.5", "due_on": "2010-10-01"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "campaigns:unit_targets", args=[tree.branch_a1.pk]
    )
    assert "The target for “主题党日” has been set." in messages_of(response)
    target = Target.objects.get(unit=tree.branch_a1, task=task)
    assert (target.value, target.due_on, target.is_override) == (
        Decimal("12.5"),
        datetime.date(2010, 10, 1),
        True,
    )


def test_the_edit_link_fills_in_the_current_target(client, tree, admin_user, task, targets):
    client.force_login(admin_user)

    response = client.get(
        reverse("campaigns:target_set", args=[tree.branch_a1.pk]) + f"?task={task.pk}"
    )

    form = response.context["form"]
    assert form.initial["task"] == task.pk
    assert form.initial["value"] == Decimal(4)


def test_setting_a_target_on_an_inactive_unit_shows_the_refusal(client, tree, city_admin, task):
    from units.services import unit_deactivate

    unit_deactivate(unit=tree.branch_b1)
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:target_set", args=[tree.branch_b1.pk]),
        {"task": task.pk, "value": "3", "due_on": "2010-10-01"},
    )

    assert response.status_code == 400
    assert any("inactive" in message for message in messages_of(response))
    assert not Target.objects.exists()


def test_the_history_shows_who_changed_a_target_and_when(client, tree, admin_user, task):
    client.force_login(admin_user)
    url = reverse("campaigns:target_set", args=[tree.branch_a1.pk])
    client.post(url, {"task": task.pk, "value": "3", "due_on": "2010-10-01"})
    client.post(url, {"task": task.pk, "value": "8", "due_on": "2010-11-01"})
    target = Target.objects.get(unit=tree.branch_a1, task=task)

    response = client.get(reverse("campaigns:target_history", args=[target.pk]))

    assert response.status_code == 200
    records = list(response.context["records"])
    assert [(r.value, r.history_user) for r in records] == [
        (Decimal(8), admin_user),
        (Decimal(3), admin_user),
    ]
    html = response.content.decode()
    assert "2010-11-01" in html and "2010-10-01" in html
    assert admin_user.get_full_name() in html


def _approved_activity(tree, staff, reviewer, task, **fields):
    activity = ActivityFactory(
        campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task], **fields
    )
    activity_services.activity_submit(actor=staff, activity=activity)
    return activity_services.activity_approve(actor=reviewer, activity=activity, level=1)


def test_the_unit_targets_page_shows_progress_so_far(client, tree, staff, reviewer, task, targets):
    _approved_activity(tree, staff, reviewer, task)
    ActivityFactory(campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task])
    client.force_login(reviewer)

    response = client.get(reverse("campaigns:unit_targets", args=[tree.committee_a.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_STYLE.search(html)
    # One approved activity of four counts for the committee; the draft does not.
    assert re.search(r"<strong>1</strong> / 4\s*<span[^>]*>Approved activities</span>", html)
    assert "cx-bar-25" in html
    assert 'aria-valuenow="25"' in html
    assert reverse("campaigns:target_history", args=[targets["A"].pk]) in html
    assert reverse("campaigns:target_set", args=[tree.committee_a.pk]) not in html


def test_the_unit_targets_page_rounds_the_bar_and_offers_edits_to_admins(
    client, tree, staff, reviewer, admin_user, campaign
):
    task = TargetTaskFactory(campaign=campaign, metric=Metric.PARTICIPANTS, is_required=False)
    TargetFactory(unit=tree.branch_a1, task=task, value=Decimal(30))
    _approved_activity(tree, staff, reviewer, task, participants=11)  # 36.7 % → the 35 % bar
    client.force_login(admin_user)

    response = client.get(reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]))

    html = response.content.decode()
    assert "<strong>11</strong> / 30" in html
    assert "cx-bar-35" in html
    assert "Optional" in html
    assert f"{reverse('campaigns:target_set', args=[tree.branch_a1.pk])}?task={task.pk}" in html


def test_the_unit_targets_page_skips_closed_campaigns(client, tree, staff, task, targets):
    closed = CampaignFactory(unit=tree.city, name="已结束的活动", is_active=False)
    old_task = TargetTaskFactory(campaign=closed, title="旧任务")
    TargetFactory(unit=tree.branch_a1, task=old_task)
    client.force_login(staff)

    response = client.get(reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]))

    html = response.content.decode()
    assert task.title in html
    assert "旧任务" not in html


def _targets_for(unit, campaign, count: int) -> None:
    for _ in range(count):
        TargetFactory(unit=unit, task=TargetTaskFactory(campaign=campaign))


def test_the_unit_targets_page_runs_a_fixed_number_of_queries(
    client, tree, admin_user, campaign, django_assert_max_num_queries
):
    second = CampaignFactory(unit=tree.committee_a)
    _targets_for(tree.branch_a1, campaign, 2)
    _targets_for(tree.branch_a1, second, 2)
    client.force_login(admin_user)
    url = reverse("campaigns:unit_targets", args=[tree.branch_a1.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    _targets_for(tree.branch_a1, campaign, 4)
    _targets_for(tree.branch_a1, second, 4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count('data-testid="target"') == 12


def test_the_unit_page_links_to_its_targets(client, tree, staff):
    client.force_login(staff)

    response = client.get(reverse("units:detail", args=[tree.branch_a1.pk]))

    assert reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]) in response.content.decode()


def test_every_campaign_page_is_csp_clean(client, tree, city_admin, campaign, task, targets):
    phase = Phase.objects.create(campaign=campaign, name="动员部署", starts_on=DUE, deadline=DUE)
    client.force_login(city_admin)
    urls = [
        reverse("campaigns:list"),
        reverse("campaigns:create"),
        reverse("campaigns:detail", args=[campaign.pk]),
        reverse("campaigns:edit", args=[campaign.pk]),
        reverse("campaigns:phase_create", args=[campaign.pk]),
        reverse("campaigns:phase_edit", args=[phase.pk]),
        reverse("campaigns:task_create", args=[campaign.pk]),
        reverse("campaigns:task_edit", args=[task.pk]),
        reverse("campaigns:targets_assign", args=[task.pk]),
        reverse("campaigns:targets_import", args=[campaign.pk]),
        reverse("campaigns:unit_targets", args=[tree.branch_a1.pk]),
        reverse("campaigns:target_set", args=[tree.branch_a1.pk]),
        reverse("campaigns:target_history", args=[targets["A1"].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response)


def test_the_django_admin_lists_campaigns_tasks_and_targets_with_history(client, targets, task):
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    target = targets["A1"]

    for url in (
        reverse("admin:campaigns_campaign_changelist"),
        reverse("admin:campaigns_campaign_change", args=[task.campaign_id]),
        reverse("admin:campaigns_targettask_changelist"),
        reverse("admin:campaigns_target_changelist"),
        reverse("admin:campaigns_target_history", args=[target.pk]),
    ):
        assert client.get(url).status_code == 200, url
