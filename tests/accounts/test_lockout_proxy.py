"""Issue 10, item 5: behind a reverse proxy the lockout is per (user name, *client* address), read
from X-Forwarded-For as PROXY_COUNT says, so that wrong passwords from one client never lock the
user out for everyone; without a proxy a forged X-Forwarded-For is ignored.

The proxy is simulated: every request arrives from the proxy's REMOTE_ADDR with the header nginx
writes ($proxy_add_x_forwarded_for: whatever the client sent, then the client's address)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

from chuangxian import settings as project_settings
from tests.accounts.helpers import log_in_through_form, signed_in_user_id
from tests.factories import UserFactory

WRONG = "not-the-password"
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"


@pytest.fixture
def admin(db):
    return UserFactory(username="admin_fk")


def _behind(proxy_count: int, settings) -> None:
    settings.PROXY_COUNT = proxy_count


def _client(forwarded_for: str | None) -> Client:
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(enforce_csrf_checks=True, **headers)


def _lock_out(client: Client, username: str) -> None:
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        response = log_in_through_form(client, username, WRONG)
    assert response.status_code == 429


@pytest.mark.parametrize("proxies", [1, 2])
def test_behind_proxies_another_client_still_logs_in(settings, admin, proxies):
    _behind(proxies, settings)
    # With two proxies the first one appended the client, the second the first proxy.
    hops = ", 10.0.0.1" if proxies == 2 else ""
    attacker = _client(ATTACKER + hops)
    _lock_out(attacker, "admin_fk")

    victim = _client(VICTIM + hops)
    response = log_in_through_form(victim, "admin_fk")

    assert response.status_code == 302
    assert signed_in_user_id(victim) == str(admin.pk)
    assert AccessAttempt.objects.filter(username="admin_fk", ip_address=ATTACKER).exists()
    assert not AccessAttempt.objects.filter(ip_address=PROXY).exists()


def test_a_client_cannot_choose_its_address_by_writing_the_header(settings, admin):
    _behind(1, settings)
    # The attacker writes the victim's address first; nginx appends the attacker's real one.
    attacker = _client(f"{VICTIM}, {ATTACKER}")
    _lock_out(attacker, "admin_fk")

    victim = _client(VICTIM)
    assert log_in_through_form(victim, "admin_fk").status_code == 302
    # …and the attacker stays locked out whatever it writes next.
    assert log_in_through_form(_client(f"192.0.2.1, {ATTACKER}"), "admin_fk").status_code == 429


def test_without_a_proxy_a_forged_header_is_ignored(settings, admin):
    _behind(0, settings)
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        # A new made-up address each time does not escape the count.
        response = log_in_through_form(_client(f"192.0.2.{number}"), "admin_fk", WRONG)
    assert response.status_code == 429

    assert log_in_through_form(_client(VICTIM), "admin_fk").status_code == 429
    assert AccessAttempt.objects.get(username="admin_fk").ip_address == PROXY


def test_a_quote_in_the_header_does_not_hide_the_address_nginx_appended(settings, admin):
    """A parser that honours quotes reads `203.0.113.50, "` as one address and a broken rest;
    ours splits on commas only, so the entry nginx appended is still the one counted."""
    _behind(1, settings)
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        response = log_in_through_form(
            _client(f'192.0.2.{number}, ", {ATTACKER}'), "admin_fk", WRONG
        )
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username="admin_fk").ip_address == ATTACKER


def test_proxy_count_comes_from_the_environment():
    assert django_settings.PROXY_COUNT == project_settings.PROXY_COUNT
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "common.client_address.client_address"
