"""Who may do what to an activity, as a matrix: each actor × action on an activity of branch_a1
(in committee_a's scope) and on one of branch_b1 (committee_b's).

Out of scope is a 404 for every page and action. In scope but in the wrong role is a 403. After
every refusal the activity, its evidence and its events are checked to be untouched; after every
success, the change and its one event."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from activities import services
from activities.models import Activity, ActivityEvent, Evidence, Status
from tests.factories import ActivityFactory, MembershipFactory, UserFactory
from units.models import Role

OK, FORBIDDEN, NOT_FOUND, REFUSED = "ok", 403, 404, "refused"
ACTIONS = ("view", "edit_get", "edit_post", "submit", "approve", "return", "bulk", "download")

# fmt: off
# On branch_a1's activity (committee_a's scope):
# Editing and submitting act on a draft, which is its unit's alone until submitted: to the
# units above it is not there (404).
IN_SCOPE = {
    #              view  edit_get   edit_post  submit     approve    return     bulk       download
    "staff":      (OK,   OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "reviewer":   (OK,   NOT_FOUND, NOT_FOUND, NOT_FOUND, OK,        OK,        OK,        OK),
    "leader":     (OK,   NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "admin_user": (OK,   NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    "outsider":   (NOT_FOUND,) * 8,
}
# On branch_b1's activity: out of everyone's scope but the outsider's, who holds every role
# on committee_b and branch_b1 — but being staff of branch_b1, may not review its activity: a
# bulk approval reports it refused.
OUT_OF_SCOPE = {
    "staff":      (NOT_FOUND,) * 8,
    "reviewer":   (NOT_FOUND,) * 8,
    "leader":     (NOT_FOUND,) * 8,
    "admin_user": (NOT_FOUND,) * 8,
    "outsider":   (OK,   OK,        OK,        OK,        FORBIDDEN, FORBIDDEN, REFUSED,   OK),
}
# fmt: on

CASES = [
    pytest.param(actor, scope, action, expected, id=f"{scope}-{actor}-{action}-{expected}")
    for scope, matrix in (("in_scope", IN_SCOPE), ("out_of_scope", OUT_OF_SCOPE))
    for actor, row in matrix.items()
    for action, expected in zip(ACTIONS, row, strict=True)
]

# The state each action needs the activity in.
NEEDS_SUBMITTED = {"view", "approve", "return", "bulk", "download"}

# What a successful action leaves behind: (status, new events).
AFTER = {
    "view": (Status.SUBMITTED, 0),
    "edit_get": (Status.DRAFT, 0),
    "edit_post": (Status.DRAFT, 0),
    "submit": (Status.SUBMITTED, 1),
    "approve": (Status.APPROVED, 1),
    "return": (Status.RETURNED, 1),
    "bulk": (Status.APPROVED, 1),
    "download": (Status.SUBMITTED, 0),
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (183, 28, 28)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def scene(settings, tmp_path, tree, staff, reviewer, leader, admin_user, outsider, draft, task):
    """branch_a1's draft and a branch_b1 draft, each with a photo attached by its unit's staff."""
    settings.MEDIA_ROOT = tmp_path
    staff_b1 = UserFactory(username="staff_b1")
    MembershipFactory(user=staff_b1, unit=tree.branch_b1, role=Role.STAFF)
    theirs = ActivityFactory(
        campaign=task.campaign, unit=tree.branch_b1, created_by=staff_b1, tasks=[task]
    )
    png = _png()
    evidence = {}
    for author, activity in ((staff, draft), (staff_b1, theirs)):
        upload = SimpleUploadedFile("合影.png", png, content_type="image/png")
        evidence[activity.pk] = services.evidence_add(
            actor=author, activity=activity, upload=upload
        )
    return {
        "in_scope": (draft, staff, evidence[draft.pk]),
        "out_of_scope": (theirs, staff_b1, evidence[theirs.pk]),
        "png": png,
    }


def _edit_data(activity: Activity, task) -> dict:
    return {
        "title": "改过的标题",
        "starts_on": activity.starts_on.isoformat(),
        "place": activity.place,
        "tasks": [task.pk],
        "participants_party_members": 12,
        "participants_workers": 0,
        "participants_youth": 0,
        "participants_women": 0,
        "participants_public": 0,
    }


def _act(client, action: str, activity: Activity, evidence: Evidence, task):
    pk = activity.pk
    if action == "view":
        return client.get(reverse("activities:detail", args=[pk]))
    if action == "edit_get":
        return client.get(reverse("activities:edit", args=[pk]))
    if action == "edit_post":
        return client.post(reverse("activities:edit", args=[pk]), _edit_data(activity, task))
    if action == "submit":
        return client.post(reverse("activities:submit", args=[pk]))
    if action == "approve":
        return client.post(reverse("activities:approve", args=[pk]), {"level": 1})
    if action == "return":
        return client.post(
            reverse("activities:return", args=[pk]), {"level": 1, "reason": "请补充材料"}
        )
    if action == "bulk":
        return client.post(
            reverse("activities:bulk_approve"), {"scope": "selected", "ids": [pk], "confirm": "on"}
        )
    if action == "download":
        return client.get(reverse("activities:evidence", args=[evidence.pk]))
    raise AssertionError(action)


def _snapshot(activity: Activity) -> tuple:
    row = Activity.objects.values_list(
        "status", "review_level", "title", "participants", "approved_at", "updated_at"
    ).get(pk=activity.pk)
    return (
        row,
        ActivityEvent.objects.filter(activity=activity).count(),
        list(Evidence.objects.filter(activity=activity).values_list("pk", "file")),
    )


@pytest.mark.parametrize(("actor", "scope", "action", "expected"), CASES)
def test_permission_matrix(client, request, scene, task, actor, scope, action, expected):
    activity, author, evidence = scene[scope]
    if action in NEEDS_SUBMITTED:
        activity = services.activity_submit(actor=author, activity=activity)
    client.force_login(request.getfixturevalue(actor))
    before = _snapshot(activity)
    events_before = before[1]

    response = _act(client, action, activity, evidence, task)
    # Reading a file response to its end closes it (and its file) the way the test client wants.
    body = b"".join(response.streaming_content) if response.streaming else response.content

    activity.refresh_from_db()
    if expected == REFUSED:
        assert response.status_code == 200
        assert response.context["outcomes"] == []
        assert [a.pk for a in response.context["missing"]] == [activity.pk]
        assert _snapshot(activity) == before
        return
    if expected != OK:
        assert response.status_code == expected
        assert _snapshot(activity) == before
        return
    status, new_events = AFTER[action]
    assert response.status_code in (200, 302), response.status_code
    assert activity.status == status
    assert activity.events.count() == events_before + new_events
    if new_events:
        assert activity.events.last().actor == request.getfixturevalue(actor)
    if action == "edit_post":
        assert response.status_code == 302
        assert (activity.title, activity.participants) == ("改过的标题", 12)
    if action == "download":
        assert body == scene["png"]
        assert response["Content-Type"] == "image/png"
    if action == "bulk":
        assert response.status_code == 200
        assert [o.ok for o in response.context["outcomes"]] == [True]


def test_bulk_approval_by_a_non_reviewer_of_the_filtered_queue_changes_nothing(
    client, scene, staff, leader, admin_user
):
    activity, author, _ = scene["in_scope"]
    services.activity_submit(actor=author, activity=activity)
    before = _snapshot(activity)
    for user in (staff, leader, admin_user):
        client.force_login(user)

        response = client.post(
            reverse("activities:bulk_approve"),
            {"scope": "filtered", "confirm": "on", "listed_at": timezone.now().isoformat()},
        )

        assert response.status_code == 403
    assert _snapshot(activity) == before


def test_an_outsiders_bulk_approval_of_their_whole_queue_leaves_others_alone(client, tree, scene):
    ours, author, _ = scene["in_scope"]
    theirs, their_author, _ = scene["out_of_scope"]
    services.activity_submit(actor=author, activity=ours)
    services.activity_submit(actor=their_author, activity=theirs)
    before = _snapshot(ours)
    reviewer_b = UserFactory(username="reviewer_b")
    MembershipFactory(user=reviewer_b, unit=tree.committee_b, role=Role.REVIEWER)
    client.force_login(reviewer_b)

    response = client.post(
        reverse("activities:bulk_approve"),
        {"scope": "filtered", "confirm": "on", "listed_at": timezone.now().isoformat()},
    )

    assert [o.activity.pk for o in response.context["outcomes"]] == [theirs.pk]
    theirs.refresh_from_db()
    assert theirs.status == Status.APPROVED
    assert _snapshot(ours) == before
