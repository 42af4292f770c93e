"""Leader comments and follow-ups through the API: who may comment (a leader over the unit, not
its staff), who answers (the unit's staff) and who decides (a leader over the unit), in and out of
scope and anonymous; and the appraisal figures of a unit."""

import pytest

from evaluations.models import FollowUp, FollowUpEvent, FollowUpStatus, LeaderComment
from tests.evaluations.comment_fixtures import days

ROLES = ("staff", "reviewer", "leader", "admin_user", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 403),
        ("reviewer", 403),
        ("leader", 201),
        ("admin_user", 403),
        ("outsider", 422),
        ("anonymous", 401),
    ],
)
def test_comment(request, api, tree, campaign, role, expected):
    body = {
        "unit": tree.branch_a1.pk,
        "campaign": campaign.pk,
        "text": "台账规范，继续保持",
        "grade": 4,
        "follow_up_due": days(10).isoformat(),
    }
    answer = api(_user(request, role)).post("/api/v1/comments/", body, format="json")
    assert answer.status_code == expected
    made = LeaderComment.objects.filter(unit=tree.branch_a1)
    assert made.exists() == (expected == 201)
    if expected == 201:
        follow_up = FollowUp.objects.get(comment=made.get())
        assert answer.json()["follow_up"] == follow_up.pk
        assert FollowUpEvent.objects.filter(follow_up=follow_up).count() == 1


def test_a_blank_comment_is_refused_by_the_rules(api, tree, campaign, leader):
    body = {"unit": tree.branch_a1.pk, "campaign": campaign.pk, "text": "  "}
    answer = api(leader).post("/api/v1/comments/", body, format="json")
    assert answer.status_code == 422
    assert answer.json()["code"] == "evaluation_refused"


@pytest.mark.parametrize(
    ("role", "listed", "read"),
    [
        ("staff", 1, 200),
        ("reviewer", 1, 200),
        ("leader", 1, 200),
        ("admin_user", 1, 200),
        ("outsider", 0, 404),
        ("anonymous", None, 401),
    ],
)
def test_lists_are_scoped(request, api, follow_up, role, listed, read):
    client = api(_user(request, role))
    for url in ("/api/v1/comments/", "/api/v1/follow-ups/"):
        answer = client.get(url)
        if listed is None:
            assert answer.status_code == 401
        else:
            assert answer.json()["count"] == listed
    assert client.get(f"/api/v1/follow-ups/{follow_up.pk}/").status_code == read
    assert client.get(f"/api/v1/comments/{follow_up.comment_id}/").status_code == read


@pytest.mark.parametrize(
    ("role", "answer_code", "decide_code"),
    [
        ("staff", 200, 403),
        ("reviewer", 403, 403),
        ("leader", 403, 200),
        ("admin_user", 403, 403),
        ("outsider", 404, 404),
        ("anonymous", 401, 401),
    ],
)
def test_follow_up_moves(request, api, follow_up, staff, role, answer_code, decide_code):
    client = api(_user(request, role))
    url = f"/api/v1/follow-ups/{follow_up.pk}/"
    acknowledged = client.post(f"{url}acknowledge/")
    assert acknowledged.status_code == answer_code
    reported_answer = client.post(f"{url}report/", {"text": "已整改"}, format="json")
    assert reported_answer.status_code == answer_code
    follow_up.refresh_from_db()
    if answer_code == 200:
        assert follow_up.status == FollowUpStatus.REPORTED and follow_up.report == "已整改"
    else:
        assert follow_up.status == FollowUpStatus.OPEN
        # The staff report, so that the decision can be tried.
        api(staff).post(f"{url}report/", {"text": "已整改"}, format="json")
    closed = client.post(f"{url}close/")
    assert closed.status_code == decide_code
    follow_up.refresh_from_db()
    expected = FollowUpStatus.CLOSED if decide_code == 200 else FollowUpStatus.REPORTED
    assert follow_up.status == expected
    assert follow_up.events.filter(action="close").exists() == (decide_code == 200)


def test_send_back_and_a_conflict(api, reported, leader):
    client = api(leader)
    url = f"/api/v1/follow-ups/{reported.pk}/"
    back = client.post(f"{url}send-back/", {"reason": "材料不全"}, format="json")
    assert back.status_code == 200, back.content
    assert back.json()["status"] == FollowUpStatus.SENT_BACK
    again = client.post(f"{url}close/")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_refused"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("staff", 200), ("leader", 200), ("outsider", 404), ("anonymous", 401)],
)
def test_appraisal_figures(request, api, tree, campaign, role, expected):
    answer = api(_user(request, role)).get(f"/api/v1/units/{tree.branch_a1.pk}/appraisal/")
    assert answer.status_code == expected
    if expected == 200:
        data = answer.json()
        assert data["campaign"] == campaign.pk
        assert data["ratings"] == 0 and data["satisfaction_rate"] is None


@pytest.mark.parametrize("query", ["campaign=x", "campaign=0", "campaign=1&campaign=2"])
def test_appraisal_figures_refuse_a_parameter_not_as_the_schema_says(api, tree, staff, query):
    answer = api(staff).get(f"/api/v1/units/{tree.branch_a1.pk}/appraisal/?{query}")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
