"""Honours through the API: rounds and applications as the user may read them (a draft only by
its own unit), a unit's staff apply for a nominated person and submit, the reviewers of the level
an application waits at recommend or decline it with the level read (a stale level and a used
quota are 409s with their counts), everyone else is refused, anonymous callers get a 401."""

import pytest

from evaluations import honour_services as services
from evaluations.models import Application, ApplicationStatus, Recommendation
from tests.evaluations.honour_fixtures import *  # noqa: F403 (fixtures)
from tests.evaluations.honour_fixtures import CASE, apply

pytestmark = pytest.mark.django_db

ROLES = ("union_staff", "staff", "reviewer", "city_reviewer", "city_admin", "outsider", "anonymous")


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def _url(application, action="") -> str:
    return f"/api/v1/honour-applications/{application.pk}/" + (f"{action}/" if action else "")


def _steps(application) -> list[str]:
    found = Recommendation.objects.filter(application=application).order_by("pk")
    return list(found.values_list("action", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_staff_nominate_a_person_and_submit(request, api, honour_round, tree, categories, role):
    client = api(_user(request, role))
    body = {
        "round": honour_round.pk,
        "unit": tree.union_a2.pk,
        "category": categories["workers_pioneer"].pk,
        "person_name": "机关工会维修班组",
        "registration": {"leader": "王建国", "members": "12"},
        "case": CASE,
        "summary": "劳动竞赛成绩突出的先进班组。",
    }
    made = client.post("/api/v1/honour-applications/", body, format="json")
    if role == "union_staff":
        assert made.status_code == 201, made.content
        found = Application.objects.get()
        assert (found.person_name, found.status) == ("机关工会维修班组", ApplicationStatus.DRAFT)
        assert made.json()["may_edit"] is True
        sent = client.post(_url(found, "submit"), format="json")
        assert sent.status_code == 200, sent.content
        assert sent.json()["status"] == ApplicationStatus.WAITING and sent.json()["level"] == 1
        assert _steps(found) == ["submit"]
    else:
        expected = {"anonymous": 401, "staff": 422, "outsider": 422}.get(role, 403)
        assert made.status_code == expected, made.content
        assert not Application.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_reading_a_draft_and_a_submitted_one(request, api, draft_application, role):
    client = api(_user(request, role))
    draft = client.get(_url(draft_application))
    listed = client.get("/api/v1/honour-applications/")
    # A draft belongs to its unit until submitted: the levels above get a 404 for it.
    assert draft.status_code == {"union_staff": 200, "anonymous": 401}.get(role, 404)
    if role != "anonymous":
        ids = [row["id"] for row in listed.json()["results"]]
        assert ids == ([draft_application.pk] if role == "union_staff" else [])
        if role != "union_staff":
            assert client.post(_url(draft_application, "submit")).status_code == 404
    assert Application.objects.get().status == ApplicationStatus.DRAFT


@pytest.mark.parametrize("role", ROLES)
def test_recommend_and_decline_at_the_level_read(request, api, submitted_application, role):
    client = api(_user(request, role))
    declined = client.post(
        _url(submitted_application, "decline"), {"level": 1, "reason": "不"}, format="json"
    )
    recommended = client.post(
        _url(submitted_application, "recommend"), {"level": 1, "rank": 1}, format="json"
    )
    found = Application.objects.get()
    if role == "reviewer":
        assert declined.status_code == 200, declined.content
        assert found.status == ApplicationStatus.DECLINED and found.decline_reason == "不"
        assert recommended.status_code == 409  # declined already: nothing waits at level 1
        assert recommended.json()["code"] == "transition_refused"
    else:
        expected = {"anonymous": 401, "outsider": 404, "staff": 404}.get(role, 403)
        assert declined.status_code == expected and recommended.status_code == expected
        assert found.status == ApplicationStatus.WAITING and _steps(found) == ["submit"]


def test_a_stale_level_and_a_used_quota_are_conflicts(
    api, honour_round, city_admin, union_staff, reviewer, tree, pioneer
):
    services.quota_set(city_admin, honour_round, category=pioneer, unit=tree.committee_a, count=1)
    first = apply(union_staff, honour_round, tree.union_a2, pioneer, "一班")
    second = apply(union_staff, honour_round, tree.union_a2, pioneer, "二班")
    for application in (first, second):
        services.application_submit(union_staff, application)
    client = api(reviewer)
    assert client.post(_url(first, "recommend"), {"level": 1}, format="json").status_code == 200
    stale = client.post(_url(first, "recommend"), {"level": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "transition_refused"
    seen = client.get(_url(second)).json()
    assert seen["may_recommend"] is True
    assert seen["quota"] == {"limit": 1, "used": 1, "left": 0}
    over = client.post(_url(second, "recommend"), {"level": 1}, format="json")
    assert over.status_code == 409 and over.json()["code"] == "quota_exceeded"
    assert "1 of 1" in over.json()["message"]
    assert Application.objects.get(pk=second.pk).level == 1 and _steps(second) == ["submit"]
    waiting = client.get("/api/v1/honour-applications/", {"waiting_for_me": "true"}).json()
    assert [row["id"] for row in waiting["results"]] == [second.pk]


def test_bad_input_is_a_4xx_with_a_message(api, submitted_application, reviewer, honour_round):
    client = api(reviewer, "zh-hans")
    bad = client.post(_url(submitted_application, "recommend"), {"level": "x"}, format="json")
    assert bad.status_code == 400 and "level" in bad.json()["fields"]
    blank = client.post(
        _url(submitted_application, "decline"), {"level": 1, "reason": " "}, format="json"
    )
    assert blank.status_code == 422 and blank.json()["message"]
    assert client.get("/api/v1/honour-applications/", {"round": "abc"}).status_code == 400
    rounds = client.get("/api/v1/honour-rounds/").json()["results"]
    assert [item["id"] for item in rounds] == [honour_round.pk]
    assert api().get(f"/api/v1/honour-rounds/{honour_round.pk}/").status_code == 401


def test_the_lists_queries_do_not_grow_with_the_page(
    api, honour_round, union_staff, city_admin, tree, categories
):
    from tests.api.test_schema_queries import _count

    for n in range(6):
        services.application_submit(
            union_staff,
            apply(
                union_staff, honour_round, tree.union_a2, categories["workers_pioneer"], f"班组{n}"
            ),
        )
    client = api(city_admin)
    url = "/api/v1/honour-applications/"
    assert _count(client, url, 2) == _count(client, url, 6)


def test_staff_attach_files_to_a_draft_only(
    api, draft_application, union_staff, reviewer, outsider
):
    from tests.evaluations.fulfilment_setup import exe_as_jpg, png_upload

    client = api(union_staff)
    url = _url(draft_application, "files")
    sent = client.post(url, {"file": png_upload()}, format="multipart")
    assert sent.status_code == 201, sent.content
    assert [f["id"] for f in client.get(_url(draft_application)).json()["files"]] == [
        sent.json()["id"]
    ]
    fake = client.post(url, {"file": exe_as_jpg()}, format="multipart")
    assert fake.status_code == 422 and fake.json()["message"]
    for other, expected in ((reviewer, 404), (outsider, 404), (None, 401)):
        assert api(other).post(url, {"file": png_upload()}, format="multipart").status_code == (
            expected
        )
    services.application_submit(union_staff, draft_application)
    late = client.post(url, {"file": png_upload()}, format="multipart")
    assert late.status_code == 409 and late.json()["code"] == "transition_refused"
    assert client.delete(f"{url}{sent.json()['id']}/").status_code == 409
    assert draft_application.files.count() == 1


def test_a_token_users_memberships_are_read_once_a_request(api, submitted_application, reviewer):
    """The view's scope and the filter's (waiting_for_me) are one: REST framework's token user
    is the request's user, as a session's is."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(reviewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/honour-applications/", {"waiting_for_me": "true"})
    assert [row["id"] for row in page.json()["results"]] == [submitted_application.pk]
    reads = [q for q in queries.captured_queries if 'FROM "units_membership"' in q["sql"]]
    assert len(reads) == 1
