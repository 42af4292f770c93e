"""The schema validates, and a list's query count does not grow with its page size."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import services
from tests.factories import ActivityFactory


def test_the_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/activities/{id}/approve/" in text
    assert "stale_level" in text


@pytest.fixture
def many(tree, staff, task, targets):
    for n in range(60):
        activity = ActivityFactory(
            campaign=task.campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
        )
        if n % 2:
            services.activity_submit(actor=staff, activity=activity)


def _count(client, url, size) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, {"page_size": size})
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == size
    return len(queries)


@pytest.mark.parametrize(("url", "large"), [("/api/v1/activities/", 50), ("/api/v1/reviews/", 30)])
def test_a_lists_queries_do_not_grow_with_its_page(api, many, staff, reviewer, url, large):
    client = api(reviewer if "reviews" in url else staff)
    assert _count(client, url, 5) == _count(client, url, large)


def test_units_queries_do_not_grow_with_the_page(api, tree, city_admin):
    client = api(city_admin)
    assert _count(client, "/api/v1/units/", 2) == _count(client, "/api/v1/units/", 6)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/api/docs/?script="])
def test_the_documentation_runs_no_inline_script_and_fetches_nothing_outside(client, db, path):
    answer = client.get(path)
    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert script.split() == ["script-src", "'self'"]
    body = answer.content.decode()
    assert "googleapis" not in body
    assert "cdn." not in body
    if "?script" not in path:
        assert "<script>" not in body  # every script is a file of the site's own


def test_the_schema_is_served_to_anyone(client, db):
    answer = client.get("/api/schema/", headers={"accept": "application/json"})
    assert answer.status_code == 200
    assert "/api/v1/reviews/" in answer.json()["paths"]


# --- The evaluations' lists ----------------------------------------------------------------------


@pytest.fixture
def many_evaluations(tree, campaign, leader, staff):
    """Sets, reports, comments with follow-ups of many units and activities."""
    from evaluations import comment_services
    from evaluations.models import FulfilmentReport
    from tests.evaluations.fulfilment_setup import (
        CommitmentFactory,
        CommitmentSetFactory,
        approved_activity,
    )
    from tests.factories import UnitFactory

    due = timezone.localdate() + datetime.timedelta(days=7)
    for n in range(8):
        unit = UnitFactory(parent=tree.committee_a, name=f"支部{n}", code=f"A9-{n}")
        tree.committee_a.refresh_from_db()
        commitment = CommitmentFactory(set=CommitmentSetFactory(unit=unit, campaign=campaign))
        CommitmentFactory(set=commitment.set)
        report = FulfilmentReport.objects.create(
            commitment=commitment, statement="已完成", created_by=staff
        )
        report.activities.set([approved_activity(unit, campaign) for _ in range(2)])
        comment = comment_services.comment_write(
            leader, unit, campaign, "请整改", follow_up_due=due
        )
        comment.follow_up.activities.set([approved_activity(unit, campaign)])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/commitment-sets/",
        "/api/v1/fulfilment-reports/",
        "/api/v1/comments/",
        "/api/v1/follow-ups/",
        "/api/v1/targets/",
    ],
)
def test_the_evaluations_lists_queries_do_not_grow_with_the_page(
    api, many_evaluations, targets, city_admin, url
):
    client = api(city_admin)
    assert _count(client, url, 2) == _count(client, url, 6)


def test_the_long_lists_page_without_counting_everything(api, many, staff):
    client = api(staff)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/v1/activities/", {"page_size": 25})
    assert first.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    body = first.json()
    assert "count" not in body and len(body["results"]) == 25 and body["previous"] is None
    assert "page=2" in body["next"]
    second = client.get(body["next"]).json()
    assert len(second["results"]) == 25 and "page=3" in second["next"]
    assert "page=" not in second["previous"]  # page 1 is the list without `page`
    last = client.get("/api/v1/activities/", {"page_size": 25, "page": 3}).json()
    assert len(last["results"]) == 10 and last["next"] is None
    seen = [r["id"] for page in (body, second, last) for r in page["results"]]
    assert len(set(seen)) == 60
    assert client.get("/api/v1/activities/", {"page_size": 25, "page": 4}).status_code == 404
    deep = client.get("/api/v1/activities/", {"page": 401}, headers={"accept-language": "zh-hans"})
    assert deep.status_code == 400 and "缩小筛选范围" in deep.content.decode()
