"""Target writes through the API: an administrator of the unit or above sets, changes and removes
its targets through campaigns.services (the target pages' rule, Scope.can_manage); everyone else
is refused — 403 when they see the unit, 404 (422 when named in a body) when they do not."""

import datetime
from decimal import Decimal

import pytest

from campaigns.models import Target
from tests.factories import TargetTaskFactory
from units.models import Line

ROLES = ("staff", "reviewer", "leader", "admin_user", "city_admin", "outsider", "anonymous")
MAY = {"admin_user", "city_admin"}


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def _refusal(role: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(role, 403)


@pytest.fixture
def new_task(campaign):
    return TargetTaskFactory(campaign=campaign, code="DJ-02", title="志愿服务", line=Line.PARTY)


@pytest.mark.parametrize("role", ROLES)
def test_create(request, api, tree, new_task, role):
    client = api(_user(request, role))
    body = {"unit": tree.branch_a1.pk, "task": new_task.pk, "value": 6, "due_on": "2010-12-01"}
    answer = client.post("/api/v1/targets/", body, format="json")
    found = Target.objects.filter(unit=tree.branch_a1, task=new_task).first()
    if role in MAY:
        assert answer.status_code == 201, answer.content
        assert answer.json()["value"] == 6
        assert found is not None and found.value == Decimal(6) and found.is_override
        assert found.history.count() == 1  # audited like the page's change
        again = client.post("/api/v1/targets/", {**body, "value": 8}, format="json")
        assert again.status_code == 200
        found.refresh_from_db()
        assert found.value == Decimal(8)
    else:
        expected = {"anonymous": 401, "outsider": 422}.get(role, 403)
        assert answer.status_code == expected
        assert found is None
        if role == "outsider":
            assert answer.json()["fields"] == {"unit": ["No such unit."]}
        elif role != "anonymous":
            assert answer.json()["code"] == "not_allowed"


@pytest.mark.parametrize("role", ROLES)
def test_change_and_delete(request, api, tree, targets, role):
    target = targets[tree.branch_a1.code]
    client = api(_user(request, role))
    url = f"/api/v1/targets/{target.pk}/"
    answer = client.patch(url, {"value": 9.5, "due_on": "2010-11-30"}, format="json")
    target.refresh_from_db()
    if role in MAY:
        assert answer.status_code == 200, answer.content
        assert answer.json()["due_on"] == "2010-11-30"
        assert target.value == Decimal("9.5")
        assert target.due_on == datetime.date(2010, 11, 30)
        assert client.delete(url).status_code == 204
        assert not Target.objects.filter(pk=target.pk).exists()
    else:
        assert answer.status_code == _refusal(role)
        assert target.value != Decimal("9.5")
        assert client.delete(url).status_code == _refusal(role)
        assert Target.objects.filter(pk=target.pk).exists()


def test_a_task_of_another_campaign_and_a_bad_value_are_refused(api, tree, admin_user, targets):
    client = api(admin_user)
    other = TargetTaskFactory(code="X-1")  # a campaign of a unit outside the tree
    body = {"unit": tree.branch_a1.pk, "task": other.pk, "value": 1, "due_on": "2010-12-01"}
    answer = client.post("/api/v1/targets/", body, format="json")
    assert answer.status_code == 422
    assert "task" in answer.json()["fields"]
    target = targets[tree.branch_a1.code]
    answer = client.patch(f"/api/v1/targets/{target.pk}/", {"value": -1}, format="json")
    assert answer.status_code == 400
    answer = client.patch(f"/api/v1/targets/{target.pk}/", {"value": "3"}, format="json")
    assert answer.status_code == 400


def test_a_target_activities_count_toward_is_not_removed(api, tree, admin_user, targets, draft):
    target = targets[tree.branch_a1.code]
    answer = api(admin_user).delete(f"/api/v1/targets/{target.pk}/")
    assert answer.status_code == 422
    assert answer.json()["code"] == "campaign_refused"
    assert Target.objects.filter(pk=target.pk).exists()
