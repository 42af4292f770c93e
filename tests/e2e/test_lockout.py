"""In a real browser: five wrong passwords lock the account out, and then even the right one is
refused."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_five_wrong_passwords_lock_the_account_out(page: Page, live_server, new_context):
    call_command("seed_demo")
    lockout = page.get_by_test_id("lockout")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(page, live_server.url, "jg_staff", "wrong-password")
        expect(page.locator("form .alert-danger, form .invalid-feedback").first).to_be_visible()
        expect(lockout).to_have_count(0)

    log_in(page, live_server.url, "jg_staff", "wrong-password")
    expect(lockout).to_be_visible()

    log_in(page, live_server.url, "jg_staff", DEMO_PASSWORD)
    expect(lockout).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    # django-axes counts the refused right password as one more failure.
    attempt = AccessAttempt.objects.get(username="jg_staff")
    assert attempt.failures_since_start > settings.AXES_FAILURE_LIMIT

    # A colleague at the same desk (same address, another browser) can still sign in.
    colleague = new_context().new_page()
    log_in(colleague, live_server.url, "jg_admin", DEMO_PASSWORD)
    expect(colleague.get_by_test_id("user-menu")).to_be_attached()
