"""In a real browser, in Chinese and in English, on a phone and a desktop: the city's leader opens
the dashboard, drills down two levels and comes back by the breadcrumbs, switches the line filter
and downloads the progress table, whose totals match the page. The big screen draws its charts and
updates its figures after an approval without reloading.

Approvals across several units are made through the services (tests.dashboards.test_dashboard's
`season`). Names of links and fields are looked up through the catalogue of the page's language."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.dashboards.test_dashboard import approve, log, season
from tests.e2e.conftest import LANGUAGES, open_navigation, sign_in_as
from tests.factories import MembershipFactory, UserFactory
from tests.figures import approved_in_subtree
from units.models import Line, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["season"]  # the fixture, shared with the dashboard's tests


@pytest.fixture(params=list(LANGUAGES), ids=list(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "accept_downloads": True}


@pytest.fixture
def city_leader(tree):
    user = UserFactory(username="leader_city")
    MembershipFactory(user=user, unit=tree.city, role=Role.LEADER)
    return user


@pytest.fixture
def csp_errors(page: Page) -> list[str]:
    """Console errors the page logs for Content-Security-Policy refusals."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return errors


def figure(page: Page, name: str) -> str:
    return page.get_by_test_id(f"figure-{name}").inner_text().strip()


def heading(page: Page, t, unit) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Dashboard: %(unit)s").replace("%(unit)s", unit.name)
    )


def page_tasks(page: Page) -> dict[str, tuple[Decimal, Decimal]]:
    """{task title: (achieved, target)} from the page's progress-by-task table."""
    found = {}
    for row in page.get_by_test_id("task-row").all():
        title = row.get_by_test_id("task-title").inner_text()
        achieved, target = row.get_by_test_id("task-achieved").inner_text().split("/")
        found[title] = (Decimal(achieved.strip()), Decimal(target.strip()))
    return found


def export_totals(path, total_label: str) -> dict[str, tuple[Decimal, Decimal]]:
    """{task title: (achieved, target)} from the downloaded table's total row."""
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[3]  # the task titles, each merged over target / achieved / completion
    total = next(row for row in rows if row[1] == total_label)
    found = {}
    for column, title in enumerate(header):
        if column >= 2 and title:
            name = title.split("\n")[0]
            found[name] = (Decimal(str(total[column + 1])), Decimal(str(total[column])))
    return found


def test_a_leader_drills_down_filters_and_downloads_the_progress_table(
    page: Page, live_server, snapshot, t, csp_errors, tmp_path, tree, city_leader, task, season
):
    sign_in_as(page, live_server, t, city_leader.username)
    open_navigation(page)
    page.locator("#nav-main").get_by_role("link", name=t("Dashboard"), exact=True).click()

    # The city: every approved activity below it, once each.
    heading(page, t, tree.city)
    expect(page.get_by_test_id("figure-activities")).to_have_text(
        str(approved_in_subtree(tree.city).count())
    )
    assert figure(page, "activities") == "6"
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    snapshot("city")

    # Down two levels: committee_a, then branch_a1.
    page.get_by_test_id("ranking").get_by_role("link", name=tree.committee_a.name).click()
    heading(page, t, tree.committee_a)
    assert figure(page, "activities") == "5"
    page.get_by_test_id("ranking").get_by_role("link", name=tree.branch_a1.name).click()
    heading(page, t, tree.branch_a1)
    assert figure(page, "activities") == "4"
    expect(page.get_by_test_id("ranking-row")).to_have_count(0)
    snapshot("branch")

    # Back up to the city by the breadcrumbs.
    page.get_by_test_id("breadcrumbs").get_by_role("link", name=tree.city.name).click()
    heading(page, t, tree.city)
    assert figure(page, "activities") == "6"

    # The union line only.
    page.get_by_label(t("Line"), exact=True).select_option(Line.UNION)
    page.get_by_role("button", name=t("Apply")).click()
    expect(page).to_have_url(re.compile(r"line=union"))
    assert figure(page, "activities") == "1"
    shown = page_tasks(page)
    assert shown == {season.union_task.title: (Decimal(1), Decimal(6))}
    snapshot("union-line")

    # The progress table of what the page shows: its total row holds the page's figures.
    with page.expect_download() as download:
        page.get_by_test_id("progress-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert export_totals(path, t("Total (whole subtree)")) == shown
    assert csp_errors == []


def test_the_big_screen_updates_itself_after_an_approval(
    page: Page, live_server, snapshot, t, csp_errors, tree, staff, reviewer, leader, task, season
):
    page.clock.install()
    sign_in_as(page, live_server, t, leader.username)
    page.goto(live_server.url + reverse("dashboards:unit", args=[tree.committee_a.pk]))
    page.get_by_test_id("screen-link").click()

    expect(page.locator("#screen")).to_be_visible()
    expect(page.get_by_test_id("figure-activities")).to_have_text("5")
    expect(page.locator("[data-chart] canvas")).to_have_count(2)
    page.locator("[data-chart='trend']").hover()  # a tooltip: drawn on the canvas, no inline style
    page.clock.run_for(500)
    snapshot("before")

    approve(staff, reviewer, log(staff, tree.branch_a1, [task], party=7))
    page.clock.fast_forward("01:01")

    expect(page.get_by_test_id("figure-activities")).to_have_text("6")
    expect(page.get_by_test_id("figure-participants")).to_have_text("63")
    assert csp_errors == []
