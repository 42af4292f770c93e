"""Commitment sets and fulfilment reports through the API: the permission matrix (every role ×
action, in and out of scope, anonymous), the review with the level read (409 when stale), and
the database and review events behind each answer."""

import pytest

from activities.models import Action, Status
from evaluations.models import CommitmentSet, FulfilmentReport, ReviewEvent
from tests.evaluations.fulfilment_setup import (
    CommitmentFactory,
    CommitmentSetFactory,
    approved_activity,
)

ROLES = ("staff", "reviewer", "leader", "admin_user", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def _url(item, action=""):
    return f"/api/v1/commitment-sets/{item.pk}/" + (f"{action}/" if action else "")


def _refusal(role: str) -> int:
    return {"anonymous": 401, "outsider": 404}.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
def test_draft_read_add_submit(request, api, draft_set, due, role):
    client = api(_user(request, role))
    read = client.get(_url(draft_set))
    assert read.status_code == {"anonymous": 401, "outsider": 404}.get(role, 200)
    if read.status_code == 200:
        assert [item["promise"] for item in read.json()["items"]] == [
            "每月开展一次主题党日",
            "走访困难群众",
        ]
    body = {"promise": "建立志愿服务队", "measure": "1 支", "due_on": due.isoformat()}
    added = client.post(_url(draft_set, "items"), body, format="json")
    submitted = client.post(_url(draft_set, "submit"), {}, format="json")
    draft_set.refresh_from_db()
    if role == "staff":
        assert added.status_code == 201, added.content
        assert len(added.json()["items"]) == 3
        assert submitted.status_code == 200
        assert submitted.json()["status"] == Status.SUBMITTED
        assert draft_set.status == Status.SUBMITTED and draft_set.items.count() == 3
        assert ReviewEvent.objects.filter(commitment_set=draft_set, action=Action.SUBMIT).exists()
    else:
        assert added.status_code == _refusal(role)
        assert submitted.status_code == _refusal(role)
        assert draft_set.status == Status.DRAFT and draft_set.items.count() == 2
        if role not in {"anonymous", "outsider"}:
            assert added.json()["code"] == "not_allowed"


@pytest.mark.parametrize("role", ROLES)
def test_item_edit_and_delete(request, api, draft_set, role):
    client = api(_user(request, role))
    item = draft_set.items.order_by("position").first()
    url = _url(draft_set, f"items/{item.pk}")
    changed = client.patch(url, {"measure": "全年 12 次"}, format="json")
    item.refresh_from_db()
    if role == "staff":
        assert changed.status_code == 200, changed.content
        assert item.measure == "全年 12 次" and item.promise == "每月开展一次主题党日"
        assert client.delete(url).status_code == 204
        assert not draft_set.items.filter(pk=item.pk).exists()
        assert client.delete(url).status_code == 404
    else:
        assert changed.status_code == _refusal(role)
        assert item.measure == "12 次"
        assert client.delete(url).status_code == _refusal(role)
        assert draft_set.items.filter(pk=item.pk).exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 403),
        ("reviewer", 200),
        ("leader", 403),
        ("admin_user", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_approve(request, api, submitted_set, role, expected):
    answer = api(_user(request, role)).post(
        _url(submitted_set, "approve"), {"level": 1}, format="json"
    )
    assert answer.status_code == expected
    submitted_set.refresh_from_db()
    approved = submitted_set.status == Status.APPROVED
    assert approved == (expected == 200)
    assert (
        ReviewEvent.objects.filter(commitment_set=submitted_set, action=Action.APPROVE).exists()
        == approved
    )


def test_a_stale_level_is_a_conflict_and_return_needs_a_reason(api, submitted_set, reviewer):
    client = api(reviewer)
    stale = client.post(_url(submitted_set, "approve"), {"level": 2}, format="json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "transition_refused"
    blank = client.post(_url(submitted_set, "return"), {"level": 1, "reason": " "}, format="json")
    assert blank.status_code == 422
    back = client.post(
        _url(submitted_set, "return"), {"level": 1, "reason": "补充量化指标"}, format="json"
    )
    assert back.status_code == 200
    submitted_set.refresh_from_db()
    assert submitted_set.status == Status.RETURNED
    assert submitted_set.return_reason == "补充量化指标"


def test_withdraw_by_the_staff(api, submitted_set, staff, reviewer):
    assert api(reviewer).post(_url(submitted_set, "withdraw")).status_code == 403
    answer = api(staff).post(_url(submitted_set, "withdraw"))
    assert answer.status_code == 200
    submitted_set.refresh_from_db()
    assert submitted_set.status == Status.DRAFT


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 201),
        ("reviewer", 403),
        ("leader", 403),
        ("admin_user", 403),
        ("outsider", 422),
        ("anonymous", 401),
    ],
)
def test_create_a_draft_set(request, api, tree, running, role, expected):
    client = api(_user(request, role))
    body = {"unit": tree.branch_a1.pk, "campaign": running.pk}
    answer = client.post("/api/v1/commitment-sets/", body, format="json")
    assert answer.status_code == expected
    made = CommitmentSet.objects.filter(unit=tree.branch_a1, campaign=running)
    assert made.exists() == (expected == 201)
    if expected == 201:
        assert answer.json()["status"] == Status.DRAFT
        assert client.post("/api/v1/commitment-sets/", body, format="json").status_code == 200
        assert made.count() == 1


def test_the_list_is_scoped(api, draft_set, staff, outsider, reviewer):
    assert api(staff).get("/api/v1/commitment-sets/").json()["count"] == 1
    assert api(reviewer).get("/api/v1/commitment-sets/").json()["count"] == 1
    assert api(outsider).get("/api/v1/commitment-sets/").json()["count"] == 0


# --- Fulfilment reports ------------------------------------------------------------------------


@pytest.fixture
def commitment(tree, campaign):
    return CommitmentFactory(set=CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 201),
        ("reviewer", 403),
        ("leader", 403),
        ("admin_user", 403),
        ("outsider", 422),
        ("anonymous", 401),
    ],
)
def test_start_a_report(request, api, commitment, role, expected):
    answer = api(_user(request, role)).post(
        "/api/v1/fulfilment-reports/", {"commitment": commitment.pk}, format="json"
    )
    assert answer.status_code == expected
    assert FulfilmentReport.objects.filter(commitment=commitment).exists() == (expected == 201)


def test_a_report_from_draft_to_fulfilled(api, tree, commitment, staff, reviewer, outsider):
    client = api(staff)
    started = client.post(
        "/api/v1/fulfilment-reports/", {"commitment": commitment.pk}, format="json"
    )
    url = f"/api/v1/fulfilment-reports/{started.json()['id']}/"
    activity = approved_activity(tree.branch_a1, commitment.campaign)
    # Not a statement yet: the services refuse to submit.
    assert client.post(f"{url}submit/").status_code == 422
    saved = client.patch(url, {"statement": "已完成", "activities": [activity.pk]}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["activities"] == [activity.pk]
    # A PATCH of nothing changes nothing (the schema's fields are all optional).
    kept = client.patch(url, {}, format="json")
    assert kept.status_code == 200
    assert kept.json()["statement"] == "已完成" and kept.json()["activities"] == [activity.pk]
    assert api(outsider).get(url).status_code == 404
    assert api(reviewer).post(f"{url}submit/").status_code == 403
    assert client.post(f"{url}submit/").status_code == 200
    assert api(staff).post(f"{url}approve/", {"level": 1}, format="json").status_code == 403
    assert api(reviewer).post(f"{url}approve/", {"level": 2}, format="json").status_code == 409
    answer = api(reviewer).post(f"{url}approve/", {"level": 1}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == Status.APPROVED
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is not None
    report = FulfilmentReport.objects.get(commitment=commitment)
    actions = list(ReviewEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.APPROVE]


def test_a_report_returned_and_withdrawn(api, tree, commitment, staff, reviewer):
    client = api(staff)
    started = client.post(
        "/api/v1/fulfilment-reports/", {"commitment": commitment.pk}, format="json"
    )
    url = f"/api/v1/fulfilment-reports/{started.json()['id']}/"
    activity = approved_activity(tree.branch_a1, commitment.campaign)
    client.patch(url, {"statement": "已完成", "activities": [activity.pk]}, format="json")
    assert client.post(f"{url}submit/").status_code == 200
    assert client.post(f"{url}withdraw/").status_code == 200
    assert client.post(f"{url}submit/").status_code == 200
    back = api(reviewer).post(
        f"{url}return/", {"level": 1, "reason": "证明材料不足"}, format="json"
    )
    assert back.status_code == 200
    assert back.json()["return_reason"] == "证明材料不足"
    assert back.json()["status"] == Status.RETURNED
