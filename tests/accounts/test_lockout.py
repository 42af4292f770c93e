"""django-axes locks a user name out from one IP address after AXES_FAILURE_LIMIT wrong passwords.

These go through the real login form: `client.login()` would bypass the request axes needs.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.accounts.helpers import log_in_through_form, signed_in_user_id
from tests.factories import PASSWORD, UserFactory

WRONG = "not-the-password"


@pytest.fixture
def locked_out(form_client, user):
    """wang_fang, locked out from 127.0.0.1; returns the response to the last failed attempt."""
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = log_in_through_form(form_client, "wang_fang", WRONG)
        assert response.status_code == 200, f"locked out early, at attempt {attempt}"
    return log_in_through_form(form_client, "wang_fang", WRONG)


def _is_lockout_page(response) -> bool:
    return response.status_code == 429 and 'data-testid="lockout"' in response.content.decode()


def test_the_failure_limit_is_five():
    assert settings.AXES_FAILURE_LIMIT == 5


def test_it_locks_out_at_the_failure_limit(locked_out):
    assert _is_lockout_page(locked_out)
    assert "accounts/lockout.html" in [t.name for t in locked_out.templates]
    attempt = AccessAttempt.objects.get(username="wang_fang", ip_address="127.0.0.1")
    assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT


def test_it_refuses_the_right_password_while_locked_out(locked_out, form_client, user):
    response = log_in_through_form(form_client, "wang_fang")

    assert _is_lockout_page(response)
    assert signed_in_user_id(form_client) is None
    user.refresh_from_db()
    assert user.last_login is None


def test_another_user_from_the_same_address_is_not_locked_out(locked_out, form_client, db):
    other = UserFactory(username="li_qiang")

    response = log_in_through_form(form_client, "li_qiang")

    assert response.status_code == 302
    assert signed_in_user_id(form_client) == str(other.pk)


def test_the_same_user_from_another_address_is_not_locked_out(locked_out, client, user):
    # The lockout is per user name *and* address: a colleague's office PC still works.
    response = client.post(
        "/accounts/login/",
        {"username": "wang_fang", "password": PASSWORD},
        REMOTE_ADDR="10.20.30.40",
    )

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_a_successful_login_resets_the_count(form_client, user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in_through_form(form_client, "wang_fang", WRONG)
    assert log_in_through_form(form_client, "wang_fang").status_code == 302
    form_client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = log_in_through_form(form_client, "wang_fang", WRONG)

    assert response.status_code == 200
    assert log_in_through_form(form_client, "wang_fang").status_code == 302
