"""The workflow's permission matrix through the API: each role × action, in and out of scope.

Roles (tests/conftest.py): staff of branch_a1; reviewer, leader and admin on committee_a (above
branch_a1); outsider holding every role on committee_b (out of scope); anonymous. A draft is its
unit's until submitted: those above do not see it (404)."""

import pytest

from activities.models import Status

ROLES = ("staff", "reviewer", "leader", "admin_user", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def _url(activity, action=""):
    return f"/api/v1/activities/{activity.pk}/" + (f"{action}/" if action else "")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 200),
        ("reviewer", 404),
        ("leader", 404),
        ("admin_user", 404),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_draft_read_edit_submit(request, api, draft, role, expected):
    client = api(_user(request, role))
    assert client.get(_url(draft)).status_code == expected
    answer = client.patch(_url(draft), {"title": "改过的标题"}, format="json")
    assert answer.status_code == expected
    answer = client.post(_url(draft, "submit"), {}, format="json")
    assert answer.status_code == expected
    draft.refresh_from_db()
    if expected == 200:
        assert draft.title == "改过的标题"
        assert draft.status == Status.SUBMITTED
    else:
        assert draft.status == Status.DRAFT
        assert answer.json()["code"] in {"not_found", "not_authenticated"}


@pytest.mark.parametrize(
    ("role", "read", "approve"),
    [
        ("staff", 200, 403),
        ("reviewer", 200, 200),
        ("leader", 200, 403),
        ("admin_user", 200, 403),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_submitted_read_and_approve(request, api, submitted, role, read, approve):
    client = api(_user(request, role))
    assert client.get(_url(submitted)).status_code == read
    answer = client.post(_url(submitted, "approve"), {"level": 1}, format="json")
    assert answer.status_code == approve
    submitted.refresh_from_db()
    assert submitted.status == (Status.APPROVED if approve == 200 else Status.SUBMITTED)
    if approve == 403:
        assert answer.json()["code"] == "not_allowed"


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
def test_return_needs_a_reviewer(request, api, submitted, role, expected):
    client = api(_user(request, role))
    body = {"level": 1, "reason": "照片不清楚"}
    answer = client.post(_url(submitted, "return"), body, format="json")
    assert answer.status_code == expected
    submitted.refresh_from_db()
    if expected == 200:
        assert submitted.status == Status.RETURNED
        assert submitted.return_reason == "照片不清楚"
        assert answer.json()["status"] == Status.RETURNED
    else:
        assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 200),
        ("reviewer", 403),
        ("leader", 403),
        ("admin_user", 403),
        ("outsider", 404),
        ("anonymous", 401),
    ],
)
def test_withdraw_is_staffs(request, api, submitted, role, expected):
    answer = api(_user(request, role)).post(_url(submitted, "withdraw"))
    assert answer.status_code == expected
    submitted.refresh_from_db()
    assert (submitted.status == Status.DRAFT) == (expected == 200)


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
def test_reopen_needs_a_reviewer_above(request, api, approved, role, expected):
    answer = api(_user(request, role)).post(
        _url(approved, "reopen"), {"reason": "数字有误"}, format="json"
    )
    assert answer.status_code == expected
    approved.refresh_from_db()
    assert (approved.status == Status.RETURNED) == (expected == 200)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 201),
        ("reviewer", 403),
        ("leader", 403),
        ("admin_user", 403),
        ("outsider", 422),  # the unit is not one they can see: refused as no such unit
        ("anonymous", 401),
    ],
)
def test_create_is_staffs(request, api, tree, task, targets, role, expected):
    body = {
        "unit": tree.branch_a1.pk,
        "title": "主题党日",
        "starts_on": "2010-06-03",
        "participants_party_members": 12,
        "tasks": [task.pk],
    }
    answer = api(_user(request, role)).post("/api/v1/activities/", body, format="json")
    assert answer.status_code == expected, answer.content
    if expected == 201:
        data = answer.json()
        assert data["status"] == Status.DRAFT
        assert data["tasks"] == [task.pk]
        assert data["participants"] == 12
    if role == "outsider":
        assert "unit" in answer.json()["fields"]


def test_approved_is_locked_for_its_staff(api, approved, staff):
    answer = api(staff).patch(_url(approved), {"title": "x"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "transition_refused"


def test_the_queue_lists_what_waits_for_the_reviewer(api, submitted, reviewer, staff, outsider):
    listed = api(reviewer).get("/api/v1/reviews/").json()
    assert [row["id"] for row in listed["results"]] == [submitted.pk]
    assert listed["results"][0]["review_level"] == 1
    assert len(api(staff).get("/api/v1/reviews/").json()["results"]) == 0
    assert len(api(outsider).get("/api/v1/reviews/").json()["results"]) == 0


def test_lists_hold_only_what_is_in_scope(api, submitted, staff, outsider, leader):
    assert len(api(outsider).get("/api/v1/activities/").json()["results"]) == 0
    assert len(api(leader).get("/api/v1/activities/").json()["results"]) == 1
    mine = api(staff).get("/api/v1/activities/", {"status": "submitted"}).json()
    assert [row["id"] for row in mine["results"]] == [submitted.pk]
    assert len(api(staff).get("/api/v1/activities/", {"status": "draft"}).json()["results"]) == 0
