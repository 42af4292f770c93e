"""Units, memberships, campaigns, tasks, targets, progress and notifications: in scope only."""

import pytest

from activities import services
from notifications.models import Notification, Rule


def test_units_tree_and_search(api, tree, leader, outsider):
    client = api(leader)
    listed = client.get("/api/v1/units/").json()
    assert [row["code"] for row in listed["results"]] == ["A", "A1", "A2"]
    children = client.get("/api/v1/units/", {"parent": tree.committee_a.pk}).json()
    assert [row["code"] for row in children["results"]] == ["A1", "A2"]
    assert {row["parent"] for row in children["results"]} == {tree.committee_a.pk}
    found = client.get("/api/v1/units/", {"search": "工会"}).json()
    assert [row["code"] for row in found["results"]] == ["A2"]
    assert client.get(f"/api/v1/units/{tree.branch_a1.pk}/").json()["parent"] == (
        tree.committee_a.pk
    )
    # Out of scope: not found, as on the pages.
    assert client.get(f"/api/v1/units/{tree.branch_b1.pk}/").status_code == 404
    assert api(outsider).get(f"/api/v1/units/{tree.branch_a1.pk}/").status_code == 404


def test_memberships_are_ones_own(api, staff, reviewer):
    rows = api(staff).get("/api/v1/memberships/").json()["results"]
    assert [(row["unit_name"], row["role"]) for row in rows] == [("机关第一党支部", "staff")]


def test_campaigns_tasks_targets(api, tree, task, targets, staff, outsider, campaign):
    client = api(staff)
    assert [c["id"] for c in client.get("/api/v1/campaigns/").json()["results"]] == [campaign.pk]
    assert client.get(f"/api/v1/campaigns/{campaign.pk}/").status_code == 200
    assert [t["id"] for t in client.get("/api/v1/tasks/").json()["results"]] == [task.pk]
    mine = client.get("/api/v1/targets/").json()["results"]
    assert [row["unit"] for row in mine] == [tree.branch_a1.pk]
    assert mine[0]["campaign"] == campaign.pk
    theirs = api(outsider).get("/api/v1/targets/").json()["results"]
    assert {row["unit"] for row in theirs} == {tree.committee_b.pk, tree.branch_b1.pk}
    other = targets["B1"]
    assert client.get(f"/api/v1/targets/{other.pk}/").status_code == 404


def test_progress_is_the_dashboards(api, tree, submitted, reviewer, leader, outsider, task):
    services.activity_approve(actor=reviewer, activity=submitted, level=1)
    answer = api(leader).get(f"/api/v1/units/{tree.committee_a.pk}/progress/")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["unit"]["id"] == tree.committee_a.pk
    assert data["headline"]["activities"] == 1
    assert [row["name"] for row in data["ranking"]] == ["机关第一党支部", "机关工会"]
    url = f"/api/v1/units/{tree.committee_a.pk}/progress/"
    assert api(outsider).get(url).status_code == 404


def test_progress_without_a_campaign(api, tree, leader):
    answer = api(leader).get(f"/api/v1/units/{tree.committee_a.pk}/progress/")
    assert answer.status_code == 404
    assert answer.json()["code"] == "no_campaign"


@pytest.fixture
def notices(staff, reviewer):
    made = [
        Notification.objects.create(recipient=staff, rule=Rule.RETURNED, subject=f"a{n}")
        for n in range(3)
    ]
    Notification.objects.create(recipient=reviewer, rule=Rule.RETURNED, subject="r")
    return made


def test_notifications_list_and_mark_read(api, staff, reviewer, notices):
    client = api(staff)
    listed = client.get("/api/v1/notifications/").json()
    assert listed["count"] == 3
    assert all(row["title"] for row in listed["results"])
    first = notices[0]
    answer = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert answer.json() == {"marked": 1}
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 2
    # Someone else's notification is not found.
    assert api(reviewer).post(f"/api/v1/notifications/{first.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 2}
    assert Notification.objects.filter(recipient=reviewer, read_at__isnull=True).count() == 1
