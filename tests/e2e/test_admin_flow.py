"""In a real browser: the city's administrator signs in, tries English and back, finds a unit by
searching and adds a new member to it.

Names of links, buttons and fields are looked up through the catalogue (`zh`), so the test reads
the page as a user does and holds whether or not a string has been translated yet.
"""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from demo.accounts import DEMO_PASSWORD
from tests.e2e.conftest import log_in, open_navigation
from units.models import Membership, Role, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def field(page: Page, msgid: str, context: str | None = None):
    """A form field by its label; crispy marks a required one with "*"."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(zh(msgid, context))}\s*\*?\s*$"))


def switch_language(page: Page, code: str) -> None:
    open_navigation(page)
    page.get_by_test_id("language-switch").get_by_role("combobox").select_option(code)
    expect(page.locator("html")).to_have_attribute("lang", code)
    # The page came back (collapsed on a phone) with the new language selected.
    open_navigation(page)
    expect(page.get_by_test_id("language-switch").get_by_role("combobox")).to_have_value(code)


def test_city_admin_finds_a_unit_and_adds_a_member(page: Page, live_server, snapshot):
    call_command("seed_demo")
    mail.outbox.clear()  # the demo season's own notifications
    town = Unit.objects.get(code="CG")
    admin = User.objects.get(username="city_admin")

    log_in(page, live_server.url, "city_admin", DEMO_PASSWORD)
    expect(page.get_by_test_id("user-menu")).to_be_attached()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    # English, remembered on the profile, then back to Chinese.
    switch_language(page, "en")
    open_navigation(page)
    expect(page.locator("#nav-main").get_by_role("link", name="Organisations")).to_be_visible()
    expect(page.get_by_test_id("user-menu")).to_contain_text(admin.name)
    snapshot("english")
    admin.refresh_from_db()
    assert admin.language == "en"

    switch_language(page, "zh-hans")
    admin.refresh_from_db()
    assert admin.language == "zh-hans"

    # Find the town's committee by searching the tree.
    open_navigation(page)
    page.locator("#nav-main").get_by_role("link", name=zh("Organisations"), exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("units:tree"))
    search = page.get_by_role("search")
    search.get_by_role("searchbox").fill("城关镇")
    search.get_by_role("button", name=zh("Search")).click()
    results = page.get_by_test_id("search-result")
    expect(results).to_have_count(Unit.objects.filter(name__contains="城关镇").count())
    snapshot("search")
    # Rows below the committee show it in their breadcrumbs too: any of those links leads there.
    results.get_by_role("link", name=town.name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(town.name)

    # Add a new member: a user name nobody has yet, so name and e-mail are asked for.
    page.get_by_role("link", name=zh("Add member"), exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("units:member_add", args=[town.pk]))
    field(page, "User name").fill("cg_secretary_zhang")
    field(page, "Role").select_option(Role.LEADER)
    field(page, "Name", "a person's").fill("张丽")
    field(page, "Email").fill("zhang.li@example.gov.cn")
    snapshot("member-form")
    page.get_by_role("button", name=zh("Add member"), exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("units:detail", args=[town.pk]))
    members = page.get_by_test_id("members")
    expect(members.get_by_role("listitem").filter(has_text="cg_secretary_zhang")).to_contain_text(
        "张丽"
    )
    expect(page.get_by_role("alert")).to_be_visible()

    new_user = User.objects.get(username="cg_secretary_zhang")
    assert (new_user.name, new_user.email) == ("张丽", "zhang.li@example.gov.cn")
    assert Membership.objects.filter(user=new_user, unit=town, role=Role.LEADER).exists()
    assert [message.to for message in mail.outbox] == [["zhang.li@example.gov.cn"]]
