"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

`playwright install` is not used: the tests launch /usr/bin/chromium. Without it they are skipped,
unless CHUANGXIAN_REQUIRE_BROWSER=1 (CI), where a missing browser is an error. Each test runs on a
phone and on a desktop viewport and leaves a screenshot of its last page in test-results/.

A flow that runs in both languages runs twice, not four times: on a phone in Chinese and on a
desktop in English, so each language and each size is walked once (pytest_collection_modifyitems
below). A test marked `every_variant` keeps all four; CHUANGXIAN_E2E_EVERY_VARIANT=1 keeps all
four everywhere.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = (
    "Chromium not found: install Debian's chromium and fonts-noto-cjk "
    "(apt-get install chromium fonts-noto-cjk) to run the browser tests"
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
VIEWPORTS = {"mobile": {"width": 390, "height": 844}, "desktop": {"width": 1440, "height": 900}}
# The pairs of (viewport, language) a flow in both languages leaves out by default.
CROSSED = {("mobile", "en"), ("desktop", "zh-hans")}


def pytest_collection_modifyitems(config, items):
    if os.environ.get("CHUANGXIAN_E2E_EVERY_VARIANT") == "1":
        return
    kept, left_out = [], []
    for item in items:
        params = item.callspec.params if hasattr(item, "callspec") else {}
        pair = (params.get("viewport_name"), params.get("language"))
        if pair in CROSSED and not item.get_closest_marker("every_variant"):
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        if os.environ.get("CHUANGXIAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CHUANGXIAN_REQUIRE_BROWSER=1 but {MISSING_CHROMIUM}", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport_name(request) -> str:
    return request.param


# The page languages and the browser locale that asks for each. A module that runs its tests in
# both overrides `language` with `@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))`.
LANGUAGES = {"zh-hans": "zh-CN", "en": "en"}


@pytest.fixture
def language() -> str:
    # Headless Chromium asks for en-US; the city's staff browse in Chinese.
    return "zh-hans"


@pytest.fixture
def browser_context_args(browser_context_args, viewport_name, language):
    return {
        **browser_context_args,
        "locale": LANGUAGES[language],
        "viewport": VIEWPORTS[viewport_name],
    }


@pytest.fixture
def t(language):
    """The page's wording of an English msgid."""

    def translate(msgid: str) -> str:
        with translation.override(language):
            return translation.gettext(msgid)

    return translate


def field(page: Page, label: str):
    """A form field by its label; crispy marks a required one with "*"."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$", re.IGNORECASE))


def forget_session(page: Page) -> None:
    """Leave the page, then drop its cookies: as a new visitor would arrive.

    Leaving first matters: a request the old page still has in flight (a lazy thumbnail)
    would otherwise come back after the cookies are gone, be sent to the login page and
    set a new CSRF cookie under the login form just opened (its POST then fails, 403).
    """
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()


def sign_in_as(page: Page, live_server, t, username: str) -> None:
    """Sign in through the login form as `username` (the test factories' password)."""
    forget_session(page)
    page.goto(live_server.url + reverse("accounts:login"))
    field(page, t("username")).fill(username)
    field(page, t("Password")).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_test_id("user-menu")).to_be_attached()


def _screenshot_path(request, label: str = "") -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    module = request.module.__name__.rsplit(".", 1)[-1]
    name = re.sub(r"[^\w.]+", "-", f"{module}-{request.node.name}-{label}").strip("-")
    return SCREENSHOTS / f"{name}.png"


@pytest.fixture
def page(page: Page, request, viewport_name) -> Page:
    """The test's page; its last state is saved as test-results/<test>.png, pass or fail."""
    page.set_default_timeout(10_000)
    yield page
    page.screenshot(path=_screenshot_path(request), full_page=True)


@pytest.fixture
def snapshot(page: Page, request):
    """Save a screenshot of a step worth looking at: `snapshot("english")`."""

    def save(label: str) -> None:
        page.screenshot(path=_screenshot_path(request, label), full_page=True)

    return save


def is_mobile(page: Page) -> bool:
    return page.viewport_size["width"] < 992  # Bootstrap's navbar-expand-lg breakpoint


def open_navigation(page: Page) -> None:
    """On a phone the navbar is collapsed behind the toggler: open it before using it."""
    page.wait_for_load_state()  # Bootstrap's deferred script must be there to open it
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        expect(page.locator("#nav-main")).to_be_visible()
        # Wait for Bootstrap's collapse animation to finish before clicking inside.
        expect(page.locator("#nav-main.collapsing")).to_have_count(0)


def log_in(page: Page, live_server_url: str, username: str, password: str) -> None:
    page.goto(live_server_url + reverse("accounts:login"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("main").get_by_role("button").click()
