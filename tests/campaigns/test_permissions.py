"""Who may open and change which campaign, catalogue and target.

A campaign out of sight is a 404 on every page; one in sight that the user may not manage is a
403. Targets are set by admins on the unit or above. The database is checked after each refusal.
"""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Campaign, Phase, Target, TargetTask
from tests.factories import CampaignFactory, TargetFactory, TargetTaskFactory
from units.models import UnitKind

NON_MANAGERS = ["staff", "reviewer", "leader", "admin_user", "outsider"]


@pytest.fixture
def scene(tree, campaign, task):
    """Committee A's own campaign with a phase, a task and a target, beside the city campaign."""
    own = CampaignFactory(unit=tree.committee_a, name="机关党工委活动")
    phase = Phase.objects.create(
        campaign=own,
        name="动员部署",
        starts_on=datetime.date(2010, 5, 1),
        deadline=datetime.date(2010, 5, 31),
    )
    own_task = TargetTaskFactory(campaign=own, code="A-01")
    target = TargetFactory(unit=tree.branch_a1, task=own_task)
    city_phase = Phase.objects.create(
        campaign=campaign,
        name="组织实施",
        starts_on=datetime.date(2010, 6, 1),
        deadline=datetime.date(2010, 10, 31),
    )
    return {
        "tree": tree,
        "own": own,
        "phase": phase,
        "task": own_task,
        "target": target,
        "city": campaign,
        "city_phase": city_phase,
        "city_task": task,
    }


def _snapshot() -> tuple:
    return (
        sorted(Campaign.objects.values_list("pk", "name", "is_active", "review_levels")),
        sorted(Phase.objects.values_list("pk", "name", "deadline")),
        sorted(TargetTask.objects.values_list("pk", "code", "title", "metric")),
        sorted(Target.objects.values_list("pk", "unit_id", "task_id", "value", "is_override")),
    )


_CAMPAIGN = {
    "name": "改名",
    "starts_on": "2010-05-01",
    "ends_on": "2010-12-31",
    "review_deadline_days": 7,
    "review_levels": 1,
}
_PHASE = {"name": "改名", "starts_on": "2010-05-01", "deadline": "2010-06-30"}
_TASK = {"code": "X-01", "line": "party", "title": "改名", "metric": "activities", "sort_order": 0}

# (url name, which object of the scene gives the url's pk, methods, POST data)
MANAGE = [
    ("edit", "campaign", ["get", "post"], _CAMPAIGN),
    ("phase_create", "campaign", ["get", "post"], _PHASE),
    ("phase_edit", "phase", ["get", "post"], _PHASE),
    ("phase_delete", "phase", ["post"], {}),
    ("task_create", "campaign", ["get", "post"], _TASK),
    ("task_edit", "task", ["get", "post"], _TASK),
]


def _requests(client, name: str, pk: int, methods: list[str], data: dict):
    url = reverse(f"campaigns:{name}", args=[pk])
    for method in methods:
        response = client.post(url, data) if method == "post" else client.get(url)
        yield f"{method.upper()} {name}", response


def _objects(scene, which: str) -> dict:
    own = {"campaign": scene["own"], "phase": scene["phase"], "task": scene["task"]}
    city = {"campaign": scene["city"], "phase": scene["city_phase"], "task": scene["city_task"]}
    return {"own": own[which], "city": city[which]}


@pytest.mark.parametrize(("name", "which", "methods", "data"), MANAGE)
def test_an_outsider_gets_404_on_committee_a_campaign_management(
    client, scene, outsider, name, which, methods, data
):
    client.force_login(outsider)
    before = _snapshot()

    for label, response in _requests(client, name, _objects(scene, which)["own"].pk, methods, data):
        assert response.status_code == 404, label

    assert _snapshot() == before


@pytest.mark.parametrize(("name", "which", "methods", "data"), MANAGE)
@pytest.mark.parametrize("actor", NON_MANAGERS)
def test_only_admins_on_the_organising_unit_manage_the_city_campaign(
    request, client, scene, actor, name, which, methods, data
):
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot()

    for label, response in _requests(
        client, name, _objects(scene, which)["city"].pk, methods, data
    ):
        assert response.status_code == 403, label

    assert _snapshot() == before


@pytest.mark.parametrize(("name", "which", "methods", "data"), MANAGE)
@pytest.mark.parametrize("actor", ["staff", "reviewer", "leader"])
def test_staff_reviewers_and_leaders_do_not_manage_their_committees_campaign(
    request, client, scene, actor, name, which, methods, data
):
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot()

    for label, response in _requests(client, name, _objects(scene, which)["own"].pk, methods, data):
        assert response.status_code == 403, label

    assert _snapshot() == before


def test_the_committees_admin_manages_its_campaign(client, scene, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("campaigns:edit", args=[scene["own"].pk]), _CAMPAIGN)

    assert response.status_code == 302
    scene["own"].refresh_from_db()
    assert scene["own"].name == "改名"


def test_an_outsider_cannot_see_committee_a_campaign(client, scene, outsider):
    client.force_login(outsider)

    assert client.get(reverse("campaigns:detail", args=[scene["own"].pk])).status_code == 404
    listing = client.get(reverse("campaigns:list")).content.decode()
    assert scene["own"].name not in listing
    assert scene["city"].name in listing


@pytest.mark.parametrize("actor", ["staff", "reviewer", "leader"])
def test_only_admins_start_a_campaign(request, client, tree, actor):
    client.force_login(request.getfixturevalue(actor))
    data = {**_CAMPAIGN, "unit": tree.committee_a.pk}

    assert client.get(reverse("campaigns:create")).status_code == 403
    assert client.post(reverse("campaigns:create"), data).status_code == 403
    assert not Campaign.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client, scene):
    for url in (
        reverse("campaigns:list"),
        reverse("campaigns:detail", args=[scene["own"].pk]),
        reverse("campaigns:unit_targets", args=[scene["tree"].branch_a1.pk]),
        reverse("campaigns:targets_export", args=[scene["own"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --- Targets ---------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_committee_a_targets(client, scene, outsider):
    tree = scene["tree"]
    client.force_login(outsider)
    before = _snapshot()
    task, target = scene["task"], scene["target"]
    set_data = {"task": scene["city_task"].pk, "value": "9", "due_on": "2010-10-01"}
    assign_data = {
        "root": tree.committee_b.pk,
        "kinds": [UnitKind.PARTY_BRANCH],
        "value": "9",
        "due_on": "2010-10-01",
    }

    responses = [
        client.get(reverse("campaigns:targets_assign", args=[task.pk])),
        client.post(reverse("campaigns:targets_assign", args=[task.pk]), assign_data),
        client.get(reverse("campaigns:unit_targets", args=[tree.branch_a1.pk])),
        client.get(reverse("campaigns:target_set", args=[tree.branch_a1.pk])),
        client.post(reverse("campaigns:target_set", args=[tree.branch_a1.pk]), set_data),
        client.get(reverse("campaigns:target_history", args=[target.pk])),
        client.get(reverse("campaigns:targets_export", args=[scene["own"].pk])),
        client.get(reverse("campaigns:targets_import", args=[scene["own"].pk])),
        client.post(reverse("campaigns:targets_import_confirm", args=[scene["own"].pk])),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    assert _snapshot() == before


@pytest.mark.parametrize("actor", ["staff", "reviewer", "leader"])
def test_only_admins_set_targets(request, client, scene, actor):
    tree = scene["tree"]
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot()
    task = scene["city_task"]

    responses = [
        client.get(reverse("campaigns:targets_assign", args=[task.pk])),
        client.get(reverse("campaigns:target_set", args=[tree.branch_a1.pk])),
        client.post(
            reverse("campaigns:target_set", args=[tree.branch_a1.pk]),
            {"task": task.pk, "value": "9", "due_on": "2010-10-01"},
        ),
        client.get(reverse("campaigns:targets_export", args=[scene["city"].pk])),
        client.get(reverse("campaigns:targets_import", args=[scene["city"].pk])),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert _snapshot() == before


@pytest.mark.parametrize("actor", ["staff", "reviewer", "leader", "admin_user"])
def test_anyone_who_sees_the_unit_sees_its_targets_and_their_history(request, client, scene, actor):
    client.force_login(request.getfixturevalue(actor))
    target = scene["target"]

    assert client.get(reverse("campaigns:unit_targets", args=[target.unit_id])).status_code == 200
    assert client.get(reverse("campaigns:target_history", args=[target.pk])).status_code == 200


def test_an_admin_sets_targets_only_in_their_subtree(client, scene, admin_user):
    tree, task = scene["tree"], scene["city_task"]
    client.force_login(admin_user)
    data = {"task": task.pk, "value": "9", "due_on": "2010-10-01"}

    inside = client.post(reverse("campaigns:target_set", args=[tree.union_a2.pk]), data)
    above = client.post(reverse("campaigns:target_set", args=[tree.city.pk]), data)
    beside = client.post(reverse("campaigns:target_set", args=[tree.branch_b1.pk]), data)

    assert (inside.status_code, above.status_code, beside.status_code) == (302, 404, 404)
    assert list(Target.objects.filter(task=task).values_list("unit__code", flat=True)) == ["A2"]


def test_an_admin_cannot_assign_below_a_unit_outside_their_subtree(client, scene, admin_user):
    tree, task = scene["tree"], scene["city_task"]
    client.force_login(admin_user)

    response = client.post(
        reverse("campaigns:targets_assign", args=[task.pk]),
        {
            "root": tree.city.pk,
            "kinds": [UnitKind.PARTY_BRANCH],
            "value": "9",
            "due_on": "2010-10-01",
        },
    )

    assert response.status_code == 200
    assert "root" in response.context["form"].errors
    assert not Target.objects.filter(task=task).exists()


def test_an_outsider_assigns_city_targets_only_below_their_own_unit(client, scene, outsider):
    tree, task = scene["tree"], scene["city_task"]
    client.force_login(outsider)

    response = client.post(
        reverse("campaigns:targets_assign", args=[task.pk]),
        {
            "root": tree.committee_b.pk,
            "kinds": [UnitKind.PARTY_BRANCH],
            "value": "9",
            "due_on": "2010-10-01",
        },
    )

    assert response.status_code == 302
    assert list(Target.objects.filter(task=task).values_list("unit__code", flat=True)) == ["B1"]


def test_a_target_cannot_be_set_for_a_task_of_a_campaign_not_covering_the_unit(
    client, scene, city_admin
):
    tree = scene["tree"]
    client.force_login(city_admin)

    response = client.post(
        reverse("campaigns:target_set", args=[tree.branch_b1.pk]),
        {"task": scene["task"].pk, "value": "9", "due_on": "2010-10-01"},
    )

    assert response.status_code == 200
    assert "task" in response.context["form"].errors
    assert not Target.objects.filter(unit=tree.branch_b1).exists()
