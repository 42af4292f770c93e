"""Tokens, errors as JSON in the request's language, and the request limits."""

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from rest_framework.authtoken.models import Token

from api import urls as api_urls
from tests.accounts.test_permissions import _named_urls
from tests.api.conftest import client_for


def test_a_token_works_and_a_revoked_one_is_refused(staff, draft):
    client = client_for(staff)
    assert client.get("/api/v1/activities/").status_code == 200
    Token.objects.filter(user=staff).delete()  # revoked in the admin
    answer = client.get("/api/v1/activities/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "authentication_failed"


def test_an_inactive_users_token_is_refused(staff, draft):
    client = client_for(staff)
    staff.is_active = False
    staff.save()
    assert client.get("/api/v1/activities/").status_code == 401


def test_drf_create_token_issues_one(staff, capsys):
    call_command("drf_create_token", staff.username)
    key = Token.objects.get(user=staff).key
    assert key in capsys.readouterr().out


def test_tokens_are_in_the_admin_by_user_never_by_key(client, django_user_model, staff):
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-1234")
    token = Token.objects.create(user=staff)
    client.force_login(boss)
    listed = client.get("/admin/api/apitoken/")
    assert listed.status_code == 200
    assert staff.username in listed.content.decode()
    shown = client.get(f"/admin/api/apitoken/{staff.pk}/change/")
    assert shown.status_code == 200
    for page in (listed, shown):
        assert token.key not in page.content.decode()
    client.post(f"/admin/api/apitoken/{staff.pk}/delete/", {"post": "yes"})
    assert not Token.objects.filter(user=staff).exists()  # revoked


def test_anonymous_gets_401_json(api):
    answer = api().get("/api/v1/activities/")
    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"
    assert answer.json()["fields"] == {}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Say why: a reason is required."), ("zh-hans", "请说明原因：原因必填。")],
)
def test_a_services_refusal_speaks_the_request_language(
    api, submitted, reviewer, language, expected
):
    """A blank reason is well-formed: the services refuse it (422), in their own words."""
    answer = client_for(reviewer, language).post(
        f"/api/v1/activities/{submitted.pk}/return/", {"level": 1, "reason": "  "}, format="json"
    )
    assert answer.status_code == 422
    assert answer.json() == {"code": "activity_refused", "message": expected, "fields": {}}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Another reviewer has already acted"), ("zh-hans", "其他审核员已处理该活动")],
)
def test_a_conflict_speaks_the_request_language(staff, submitted, reviewer, language, expected):
    answer = client_for(reviewer, language).post(
        f"/api/v1/activities/{submitted.pk}/approve/", {"level": 2}, format="json"
    )
    assert answer.status_code == 409
    assert answer.json()["code"] == "stale_level"
    assert expected in answer.json()["message"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This field is required."), ("zh-hans", "该字段是必填项。")],
)
def test_field_errors_speak_the_request_language(staff, draft, language, expected):
    answer = client_for(staff, language).post("/api/v1/activities/", {}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["fields"]["unit"] == [expected]
    assert body["fields"]["title"] == [expected]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activities/abc/",
        "/api/v1/activities/99999999999999999999/",
        # Past the 4,300 digits Python reads as a number at all.
        "/api/v1/units/" + "1" * 5000 + "/",
        "/api/nothing/",
    ],
)
def test_not_found_is_json(api, staff, path):
    answer = api(staff).get(path)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_huge_id_in_a_filter_is_bad_input(api, staff, draft):
    answer = api(staff).get("/api/v1/activities/", {"unit": 2**70})
    assert answer.status_code == 400
    assert "unit" in answer.json()["fields"]


def test_a_page_number_of_5000_digits_is_a_page_not_found(api, staff):
    # A whole number, as the schema says; more digits than Python reads is no page there is.
    answer = api(staff).get("/api/v1/units/", {"page": "1" * 5000})
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_throttled_per_user(api, staff, settings):
    settings.API_USER_RATE = "3/min"
    client = api(staff)
    codes = [client.get("/api/v1/memberships/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/memberships/").json()["code"] == "throttled"


def test_throttled_per_address_when_anonymous(api, settings):
    settings.API_ANON_RATE = "2/min"
    client = api()
    codes = [client.get("/api/v1/units/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    # Another address has its own count; the X-Forwarded-For a client writes is not read.
    other = api()
    assert other.get("/api/v1/units/", REMOTE_ADDR="10.0.0.9").status_code == 401
    assert client.get("/api/v1/units/", HTTP_X_FORWARDED_FOR="10.0.0.8").status_code == 429


def test_a_title_the_rules_refuse_names_its_field(api, staff, draft):
    answer = api(staff).patch(f"/api/v1/activities/{draft.pk}/", {"title": "   "}, format="json")
    assert answer.status_code == 422
    assert answer.json()["code"] == "refused"
    assert "title" in answer.json()["fields"]


@pytest.mark.parametrize(
    "query",
    [{"page_size": "x"}, {"page_size": "0"}, {"status": ""}, {"unit": ["1", "2"]}],
)
def test_parameters_the_schema_refuses_are_400(api, staff, draft, query):
    answer = api(staff).get("/api/v1/activities/", query)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"


def test_a_nested_field_error_is_a_list_of_strings(api, staff, draft):
    answer = api(staff).patch(f"/api/v1/activities/{draft.pk}/", {"tasks": [1, "x"]}, format="json")
    assert answer.status_code == 400
    assert answer.json()["fields"]["tasks"] == ["1: A valid integer is required."]


def test_every_endpoint_refuses_an_anonymous_caller_with_401(api, db):
    """Walks every named URL of the API (the schema and its documentation pages are public)."""
    checked = []
    for name, kwargs in _named_urls(api_urls.urlpatterns, "api:"):
        if name in {"api:schema", "api:docs", "api:redoc"} or name.startswith("api:public-"):
            continue  # public by design: tests/api/test_public.py
        kwargs = {key: value for key, value in kwargs.items() if key != "format"}
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue  # the router's ".json" suffix variants
        answer = api().get(url)
        if answer.status_code == 405:
            answer = api().post(url)
        assert answer.status_code == 401, f"{name} ({url}) answered {answer.status_code}"
        checked.append(name)
    assert len(checked) >= 15
