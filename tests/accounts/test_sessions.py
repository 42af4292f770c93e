"""Sessions end after SESSION_COOKIE_AGE of inactivity; a request renews them, at most once every
SESSION_RENEW_SECONDS (so that page views do not each write the session row).

The clock is moved by patching `django.utils.timezone.now`, which is what the database session
backend reads both when it stamps `expire_date` and when it looks a session up.
"""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import log_in_through_form


@contextmanager
def clock_at(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _home(client):
    return client.get(reverse("home"))


def test_the_idle_limit_is_two_hours_renewed_at_most_once_a_minute():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_RENEW_SECONDS == 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_requests_within_a_minute_renew_the_session_once(client, user):
    client.force_login(user)
    start = timezone.now()
    with clock_at(start):
        assert _home(client).status_code == 200
    key = client.session.session_key
    renew = timedelta(seconds=settings.SESSION_RENEW_SECONDS)
    limit = timedelta(seconds=settings.SESSION_COOKIE_AGE)

    with clock_at(start + renew - timedelta(seconds=1)):
        assert _home(client).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == start + limit

    with clock_at(start + renew):
        assert _home(client).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == start + renew + limit


def test_an_anonymous_request_writes_no_session(client, db):
    assert client.get(reverse("ping")).status_code == 200
    assert client.get(reverse("accounts:login")).status_code == 200

    assert not Session.objects.exists()


def test_the_session_cookie_ends_with_the_browser(form_client, user):
    response = log_in_through_form(form_client, "wang_fang")

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]


def test_a_request_stamps_the_session_with_the_idle_limit(client, user):
    client.force_login(user)
    start = timezone.now()

    with clock_at(start):
        assert _home(client).status_code == 200

    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date == start + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_an_idle_session_is_logged_out_after_the_limit(client, user):
    client.force_login(user)
    start = timezone.now()
    with clock_at(start):
        assert _home(client).status_code == 200
    limit = timedelta(seconds=settings.SESSION_COOKIE_AGE)

    with clock_at(start + limit + timedelta(seconds=1)):
        response = _home(client)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_active_session_outlives_the_limit(client, user):
    client.force_login(user)
    now = timezone.now()
    almost = timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # Three requests, each just inside the idle limit: six hours of work without a new login.
    for _ in range(3):
        now += almost
        with clock_at(now):
            assert _home(client).status_code == 200

    with clock_at(now + almost + timedelta(seconds=61)):
        assert _home(client).status_code == 302
