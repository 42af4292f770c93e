"""In a real browser, on a phone and a desktop: a photo already submitted by one unit is uploaded
again, resized, by another unit's staff through the page and submitted; that unit's reviewer sees
the thumbnails and the duplicate warning in the review queue and on the activity page, opens the
photo in a tab without a console error, and approves it despite the warning.

Names of links and buttons are looked up through the Chinese catalogue (`zh`)."""

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from activities import services
from activities.models import Action, Status
from tests import photos
from tests.e2e.conftest import forget_session, log_in
from tests.factories import PASSWORD, ActivityFactory, MembershipFactory, UserFactory
from units.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _member(unit, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_reviewer_sees_the_duplicate_and_the_thumbnails(
    page: Page, live_server, snapshot, tree, task, targets, staff, draft, media_root, tmp_path
):
    staff_b = _member(tree.branch_b1, Role.STAFF, "staff_b1")
    reviewer_b = _member(tree.committee_b, Role.REVIEWER, "reviewer_b")
    scene = photos.scene(2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.evidence_add(actor=staff, activity=draft, upload=photos.jpeg(scene))
    second = ActivityFactory(
        campaign=task.campaign,
        unit=tree.branch_b1,
        created_by=staff_b,
        tasks=[task],
        title="城关镇志愿服务",
    )
    copy = tmp_path / "志愿服务.jpg"
    copy.write_bytes(photos.jpeg(photos.half_size(scene), quality=70).read())
    fresh = tmp_path / "新照片.jpg"
    fresh.write_bytes(photos.jpeg(photos.scene(4)).read())

    # The second unit's staff attach the photos through the page and submit.
    log_in(page, live_server.url, staff_b.username, PASSWORD)
    page.goto(live_server.url + reverse("activities:detail", args=[second.pk]))
    upload = page.get_by_test_id("upload")
    upload.locator("input[type=file]").set_input_files([copy, fresh])
    upload.get_by_role("button", name=zh("Upload"), exact=True).click()
    expect(page.get_by_test_id("gallery").get_by_test_id("thumbnail")).to_have_count(2)
    expect(page.get_by_test_id("evidence-warnings")).to_have_count(0)  # not shown to the unit
    page.get_by_test_id("submit").click()
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED

    # Its reviewer: thumbnails and the warning in the queue.
    forget_session(page)
    log_in(page, live_server.url, reviewer_b.username, PASSWORD)
    page.goto(live_server.url + reverse("activities:queue"))
    row = page.get_by_test_id("review-row").filter(has_text=second.title)
    thumbs = row.get_by_test_id("review-thumbnail")
    expect(thumbs).to_have_count(2)
    for index in range(2):
        thumbs.nth(index).scroll_into_view_if_needed()
        expect(thumbs.nth(index)).to_have_js_property("complete", True)
        assert thumbs.nth(index).evaluate("img => img.naturalWidth") > 0
    warning = row.get_by_test_id("evidence-warnings")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("其他组织")
    expect(warning).not_to_contain_text(draft.title)
    snapshot("queue")

    # On the activity page: the warning on the copied photo only, and the thumbnails.
    row.get_by_role("link", name=second.title).click()
    gallery = page.get_by_test_id("gallery")
    expect(gallery.get_by_test_id("thumbnail")).to_have_count(2)
    expect(gallery.get_by_test_id("evidence-warnings")).to_have_count(1)
    expect(page.get_by_test_id("evidence-warning-count")).to_be_visible()
    snapshot("activity")

    # The photo opened in a tab of its own: no console error (its own strict policy).
    with page.context.expect_page() as opened:
        gallery.locator("a[target=_blank]").first.click()
    tab = opened.value
    errors = _console_errors(tab)
    tab.wait_for_load_state()
    tab.reload()
    tab.wait_for_timeout(500)
    assert errors == []
    tab.close()

    # Approved despite the warning: the timeline says so.
    page.get_by_test_id("review-actions").get_by_test_id("approve").click()
    expect(page.get_by_test_id("event-evidence-warnings")).to_be_visible()
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert second.events.get(action=Action.APPROVE).evidence_warnings == 1


def test_an_evidence_image_opened_in_a_tab_raises_no_console_error(
    page: Page, live_server, staff, draft, media_root
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = services.evidence_add(
            actor=staff, activity=draft, upload=photos.jpeg(photos.scene(7))
        )
    log_in(page, live_server.url, staff.username, PASSWORD)
    errors = _console_errors(page)

    for name in ("activities:evidence", "activities:evidence_thumbnail"):
        response = page.goto(live_server.url + reverse(name, args=[item.pk]))
        assert response.status == 200
        assert response.header_value("content-type") == "image/jpeg"
        expect(page.locator("img")).to_have_js_property("complete", True)
        page.wait_for_timeout(300)

    assert errors == []
