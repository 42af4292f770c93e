"""Evidence integrity (activities.integrity): the same photo in two units' reports, photos taken
on another day, thumbnails, and who is told what."""

import io
from datetime import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from activities import integrity, services
from activities.models import Action, Activity, Evidence, EvidenceMatch, Status
from tests import photos
from tests.conftest import _member
from tests.factories import ActivityFactory
from units.models import Role


def _pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = _pdf_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_b(tree):
    return _member(tree.branch_b1, Role.STAFF, "staff_b1")


@pytest.fixture
def reviewer_b(tree):
    """Reviews branch_b1; sees nothing of committee_a's subtree."""
    return _member(tree.committee_b, Role.REVIEWER, "reviewer_b")


@pytest.fixture
def city_reviewer(tree):
    """Reviews every unit below the city, so sees every activity."""
    return _member(tree.city, Role.REVIEWER, "reviewer_city")


@pytest.fixture
def second(tree, staff_b, task, targets):
    """An activity of branch_b1 (the second unit), on the same day as `draft`."""
    return ActivityFactory(
        campaign=task.campaign,
        unit=tree.branch_b1,
        created_by=staff_b,
        tasks=[task],
        title="城关镇志愿服务",
    )


def attach(user, activity, upload) -> Evidence:
    """Upload as the page does; the upload's commit runs the task (Celery is eager in tests)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = services.evidence_add(actor=user, activity=activity, upload=upload)
    item.refresh_from_db()
    return item


def submit(user, activity) -> Activity:
    return services.activity_submit(actor=user, activity=activity)


def warnings_on(client, user, activity) -> str:
    """The warnings `user` sees on the activity's page ("" when none)."""
    client.force_login(user)
    response = client.get(reverse("activities:detail", args=[activity.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    if 'data-testid="evidence-warnings"' not in html:
        return ""
    return html.split('data-testid="evidence-warnings"', 1)[1].split("</ul>", 1)[0]


VARIANTS = {
    "re-encoded": photos.reencoded,
    "half-size": photos.half_size,
    "cropped": photos.cropped,
}


class TestNearDuplicates:
    @pytest.mark.parametrize("variant", list(VARIANTS))
    def test_the_same_photo_from_a_second_unit_is_flagged_to_its_reviewer_only(
        self, client, variant, staff, reviewer, reviewer_b, draft, staff_b, second
    ):
        scene = photos.scene(2)
        first = attach(staff, draft, photos.jpeg(scene, "志愿服务.jpg"))
        copy = attach(staff_b, second, photos.jpeg(VARIANTS[variant](scene), quality=60))
        submit(staff, draft)
        submit(staff_b, second)

        match = EvidenceMatch.objects.get()
        assert (match.evidence, match.earlier, match.exact) == (copy, first, False)
        assert match.distance <= 6
        assert copy.flagged and not first.flagged
        day = timezone.localdate(first.created_at).isoformat()
        seen = warnings_on(client, reviewer_b, second)
        assert f"closely matches a photo submitted by another unit on {day}" in seen
        assert draft.title not in seen  # reviewer_b may not see the first unit's activity
        # Not to the first unit's reviewer, nor to the second unit's own staff.
        assert warnings_on(client, reviewer, draft) == ""
        assert warnings_on(client, staff_b, second) == ""

    def test_people_who_see_but_do_not_review_it_are_not_told(
        self, client, tree, staff, draft, staff_b, second
    ):
        scene = photos.scene(2)
        attach(staff, draft, photos.jpeg(scene))
        attach(staff_b, second, photos.jpeg(scene))
        submit(staff_b, second)
        leader_b = _member(tree.committee_b, Role.LEADER, "leader_b")
        admin_city = _member(tree.city, Role.ADMIN, "admin_city")

        for user in (leader_b, admin_city):
            assert warnings_on(client, user, second) == ""

    def test_an_unrelated_photo_is_not_flagged(
        self, client, staff, reviewer_b, draft, staff_b, second
    ):
        attach(staff, draft, photos.jpeg(photos.scene(2)))
        other = attach(staff_b, second, photos.jpeg(photos.scene(3)))
        submit(staff_b, second)

        assert not EvidenceMatch.objects.exists()
        assert not other.flagged
        assert warnings_on(client, reviewer_b, second) == ""

    def test_it_is_flagged_whichever_of_the_two_is_processed_first(
        self, staff, draft, staff_b, second
    ):
        scene = photos.scene(2)
        with TestCase.captureOnCommitCallbacks(execute=False) as pending:
            first = services.evidence_add(actor=staff, activity=draft, upload=photos.jpeg(scene))
        copy = attach(staff_b, second, photos.jpeg(photos.half_size(scene)))
        assert not copy.flagged  # the first upload's task has not run yet
        for callback in pending:
            callback()

        copy.refresh_from_db()
        assert copy.flagged
        assert EvidenceMatch.objects.get().earlier_id == first.pk

    def test_photos_of_the_same_activity_are_not_matched(self, staff, draft):
        scene = photos.scene(2)
        attach(staff, draft, photos.jpeg(scene, "a.jpg"))
        attach(staff, draft, photos.jpeg(photos.half_size(scene), "b.jpg"))

        assert not EvidenceMatch.objects.exists()

    def test_the_flag_names_the_activity_to_a_reviewer_who_may_see_it(
        self, client, staff, city_reviewer, reviewer_b, draft, staff_b, second
    ):
        scene = photos.scene(2)
        attach(staff, draft, photos.jpeg(scene))
        submit(staff, draft)  # a draft is its unit's own until submitted (issue 11)
        attach(staff_b, second, photos.jpeg(photos.cropped(scene)))
        submit(staff_b, second)

        named = warnings_on(client, city_reviewer, second)
        assert f"closely matches evidence of “{draft.title}”" in named
        assert f"{draft.unit.name}, 2010-06-01" in named
        assert reverse("activities:detail", args=[draft.pk]) in named
        hidden = warnings_on(client, reviewer_b, second)
        assert "submitted by another unit" in hidden
        assert draft.title not in hidden and draft.unit.name not in hidden

    def test_re_uploading_the_same_file_is_recognised_exactly(
        self, client, staff, draft, staff_b, reviewer_b, second
    ):
        from django.core.files.uploadedfile import SimpleUploadedFile

        first = attach(staff, draft, SimpleUploadedFile("签到表.pdf", PDF))
        again = attach(staff_b, second, SimpleUploadedFile("签到.pdf", PDF))
        submit(staff_b, second)

        assert first.sha256 == again.sha256 != ""
        match = EvidenceMatch.objects.get()
        assert (match.evidence, match.earlier, match.exact, match.distance) == (
            again,
            first,
            True,
            0,
        )
        assert "The same file was submitted by another unit on" in warnings_on(
            client, reviewer_b, second
        )

    def test_removing_the_earlier_photo_clears_the_flag(self, staff, draft, staff_b, second):
        scene = photos.scene(2)
        first = attach(staff, draft, photos.jpeg(scene))
        copy = attach(staff_b, second, photos.jpeg(scene))
        assert copy.flagged

        services.evidence_delete(actor=staff, evidence=first)

        copy.refresh_from_db()
        assert not copy.flagged


class TestCaptureDate:
    @pytest.mark.parametrize(
        ("taken", "warning"),
        [
            (datetime(2010, 6, 1, 9, 30), None),
            (datetime(2010, 6, 4, 18, 0), None),  # 3 days after: within the tolerance
            (datetime(2010, 5, 29, 8, 0), None),  # 3 days before
            (datetime(2010, 5, 28, 8, 0), "Taken on 2010-05-28, 4 days before the activity began."),
            (
                datetime(2009, 6, 1, 8, 0),
                "Taken on 2009-06-01, 365 days before the activity began.",
            ),
            (datetime(2010, 6, 10, 8, 0), "Taken on 2010-06-10, 9 days after the activity ended."),
        ],
    )
    def test_a_capture_date_outside_the_activitys_days_is_a_warning(
        self, client, staff, reviewer, draft, taken, warning
    ):
        item = attach(staff, draft, photos.jpeg(photos.scene(5), taken=taken))
        submit(staff, draft)

        assert timezone.localtime(item.captured_at).replace(tzinfo=None) == taken
        assert item.flagged is (warning is not None)
        seen = warnings_on(client, reviewer, draft)
        if warning is None:
            assert seen == ""
        else:
            assert warning in seen

    def test_the_window_is_the_activitys_first_to_last_day(self, staff, reviewer, draft):
        draft.ends_on = datetime(2010, 6, 20).date()
        draft.save()
        item = attach(staff, draft, photos.jpeg(photos.scene(5), taken=datetime(2010, 6, 22)))

        assert integrity.capture_days_outside(item.captured_at, draft) == 0
        assert not item.flagged

    def test_moving_the_activitys_date_updates_the_flag(self, staff, draft):
        item = attach(staff, draft, photos.jpeg(photos.scene(5), taken=datetime(2010, 7, 1)))
        assert item.flagged

        services.activity_update(
            actor=staff, activity=draft, data={"starts_on": datetime(2010, 7, 1).date()}
        )

        item.refresh_from_db()
        assert not item.flagged

    def test_a_photo_without_exif_is_not_a_warning(self, client, staff, reviewer, draft):
        item = attach(staff, draft, photos.jpeg(photos.scene(5)))
        submit(staff, draft)

        assert item.captured_at is None
        assert not item.flagged
        assert warnings_on(client, reviewer, draft) == ""

    def test_the_tolerance_is_a_setting(self, settings, staff, draft):
        settings.EVIDENCE_CAPTURE_TOLERANCE_DAYS = 10
        item = attach(staff, draft, photos.jpeg(photos.scene(5), taken=datetime(2010, 6, 10)))

        assert not item.flagged


class TestThumbnails:
    def test_the_task_makes_upright_thumbnails_without_metadata(self, staff, draft, media_root):
        # A landscape photo taken with the camera turned: EXIF orientation 6 (rotate 90°).
        upload = photos.jpeg(
            photos.scene(7, size=(1200, 800)),
            taken=datetime(2010, 6, 1, 9),
            orientation=6,
            gps=True,
        )
        item = attach(staff, draft, upload)

        assert item.processed_at is not None
        for stored, limit in ((item.thumbnail_small, 160), (item.thumbnail, 480)):
            assert (media_root / stored.name).is_file()
            with Image.open(media_root / stored.name) as thumb:
                assert thumb.format == "JPEG"
                assert thumb.height == limit and thumb.width < thumb.height  # turned upright
                assert not thumb.getexif()
                assert not {"exif", "icc_profile", "comment"} & set(thumb.info)

    def test_they_are_served_in_scope_only(self, client, staff, reviewer, outsider, draft):
        item = attach(staff, draft, photos.jpeg(photos.scene(7)))
        submit(staff, draft)  # the reviewer sees it once submitted; a draft is the unit's own
        urls = [
            reverse("activities:evidence_thumbnail", args=[item.pk]),
            reverse("activities:evidence_thumbnail_small", args=[item.pk]),
        ]
        for user in (staff, reviewer):
            client.force_login(user)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200
                body = b"".join(response.streaming_content)
                with Image.open(io.BytesIO(body)) as thumb:
                    assert not thumb.getexif()
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404
        client.logout()
        for url in urls:
            assert client.get(url).status_code == 302

    def test_a_photo_waiting_for_its_task_has_no_thumbnail_yet(self, client, staff, draft):
        with TestCase.captureOnCommitCallbacks(execute=False):
            item = services.evidence_add(
                actor=staff, activity=draft, upload=photos.jpeg(photos.scene(7))
            )
        client.force_login(staff)

        assert (
            client.get(reverse("activities:evidence_thumbnail", args=[item.pk])).status_code == 404
        )
        html = client.get(reverse("activities:detail", args=[draft.pk])).content.decode()
        assert "Preview being made" in html

    def test_running_the_task_twice_changes_nothing(self, staff, draft):
        item = attach(staff, draft, photos.jpeg(photos.scene(7)))

        again = integrity.evidence_process(evidence_id=item.pk)

        assert (again.thumbnail.name, again.processed_at) == (
            item.thumbnail.name,
            item.processed_at,
        )


class TestFilesServed:
    def test_a_served_file_carries_a_strict_policy_of_its_own(self, client, staff, draft):
        item = attach(staff, draft, photos.jpeg(photos.scene(7)))
        client.force_login(staff)

        for name in ("activities:evidence", "activities:evidence_thumbnail"):
            response = client.get(reverse(name, args=[item.pk]))
            assert b"".join(response.streaming_content)
            policy = response["Content-Security-Policy"]
            assert policy.startswith("default-src 'none'")
            assert "sandbox" in policy and "script-src" not in policy
        page = client.get(reverse("activities:detail", args=[draft.pk]))
        assert "default-src 'self'" in page["Content-Security-Policy"]


class TestDecisions:
    def test_a_warning_never_blocks_and_the_approval_records_it(
        self, client, staff, draft, staff_b, reviewer_b, second
    ):
        scene = photos.scene(2)
        attach(staff, draft, photos.jpeg(scene))
        attach(staff_b, second, photos.jpeg(scene, taken=datetime(2009, 1, 1)))
        submit(staff_b, second)
        client.force_login(reviewer_b)

        response = client.post(reverse("activities:approve", args=[second.pk]), {"level": 1})

        assert response.status_code == 302
        second.refresh_from_db()
        assert second.status == Status.APPROVED
        event = second.events.get(action=Action.APPROVE)
        assert event.evidence_warnings == 1
        page = client.get(reverse("activities:detail", args=[second.pk])).content.decode()
        assert "Approved despite a warning on 1 evidence file" in page

    def test_an_approval_without_warnings_records_none(self, staff, reviewer, draft):
        attach(staff, draft, photos.jpeg(photos.scene(2)))
        submitted = submit(staff, draft)

        services.activity_approve(actor=reviewer, activity=submitted, level=1)

        assert draft.events.get(action=Action.APPROVE).evidence_warnings == 0


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


class TestQueryCounts:
    def test_the_activity_page_and_the_queue_cost_the_same_however_many_flagged_photos(
        self, client, tree, task, staff, draft, staff_b, reviewer_b, second
    ):
        def flagged_photos(activity, seeds) -> None:
            for seed in seeds:
                scene = photos.scene(seed)
                attach(staff, draft, photos.jpeg(scene))
                late = photos.jpeg(photos.half_size(scene), taken=datetime(2009, 1, 1))
                attach(staff_b, activity, late)
            submit(staff_b, activity)

        flagged_photos(second, [2])
        client.force_login(reviewer_b)
        queue = reverse("activities:queue")
        client.get(queue)  # the first request after signing in also renews the session
        one = (
            _queries(client, reverse("activities:detail", args=[second.pk])),
            _queries(client, queue),
        )
        assert 'data-testid="review-thumbnail"' in client.get(queue).content.decode()

        more = ActivityFactory(
            campaign=task.campaign, unit=tree.branch_b1, created_by=staff_b, tasks=[task]
        )
        flagged_photos(more, [3, 4, 6, 11])
        many = (
            _queries(client, reverse("activities:detail", args=[more.pk])),
            _queries(client, queue),
        )

        assert Evidence.objects.filter(flagged=True).count() == 5
        html = client.get(queue).content.decode()
        assert html.count('data-testid="review-thumbnail"') == 5
        assert html.count('data-kind="near"') == 5 and html.count('data-kind="date"') == 5
        assert many == one


class TestLeaders:
    def test_leaders_see_flagged_evidence_per_branch(
        self, client, tree, leader, staff, draft, staff_b, second, outsider
    ):
        scene = photos.scene(2)
        attach(staff_b, second, photos.jpeg(scene))
        attach(staff, draft, photos.jpeg(photos.half_size(scene)))  # later: flagged in A1
        attach(staff, draft, photos.jpeg(photos.scene(3), taken=datetime(2009, 1, 1)))
        city_leader = _member(tree.city, Role.LEADER, "leader_city")
        # A draft is its unit's own: its flags count once it is submitted, not while its author
        # could still swap photos until none is flagged.
        assert integrity.flagged_by_child(tree.city) == []
        submit(staff, draft)

        assert [(u.code, n) for u, n in integrity.flagged_by_child(tree.city)] == [("A", 2)]
        assert [(u.code, n) for u, n in integrity.flagged_by_child(tree.committee_a)] == [("A1", 2)]
        client.force_login(city_leader)
        page = client.get(reverse("dashboards:unit", args=[tree.city.pk])).content.decode()
        section = page.split('data-testid="flagged-evidence"', 1)[1].split("</section>", 1)[0]
        assert tree.committee_a.name in section and tree.committee_b.name not in section
        client.force_login(leader)
        assert client.get(reverse("dashboards:unit", args=[tree.committee_a.pk])).status_code == 200
        client.force_login(outsider)
        assert client.get(reverse("dashboards:unit", args=[tree.committee_a.pk])).status_code == 404

    def test_staff_do_not_see_the_flags_on_their_own_dashboard(self, client, tree, staff, draft):
        attach(staff, draft, photos.jpeg(photos.scene(3), taken=datetime(2009, 1, 1)))
        submit(staff, draft)
        assert integrity.flagged_by_child(tree.branch_a1) == [(tree.branch_a1, 1)]
        client.force_login(staff)
        page = client.get(reverse("dashboards:unit", args=[tree.branch_a1.pk]))
        assert page.status_code == 200
        assert b'data-testid="flagged-evidence"' not in page.content


class TestBackfill:
    def test_it_checks_old_evidence_in_batches_and_resumes(self, staff, draft, staff_b, second):
        scene = photos.scene(2)
        with TestCase.captureOnCommitCallbacks(execute=False):  # as before this check existed
            old = [
                services.evidence_add(actor=staff, activity=draft, upload=photos.jpeg(scene)),
                services.evidence_add(
                    actor=staff, activity=draft, upload=photos.jpeg(photos.scene(3))
                ),
                services.evidence_add(
                    actor=staff_b, activity=second, upload=photos.jpeg(photos.cropped(scene))
                ),
            ]
        out = io.StringIO()

        call_command("evidence_backfill", "--batch-size", "1", "--limit", "2", stdout=out)

        assert Evidence.objects.filter(processed_at__isnull=True).count() == 1
        assert "2 evidence files checked, 1 to go." in out.getvalue()
        call_command("evidence_backfill", stdout=out)
        assert not Evidence.objects.filter(processed_at__isnull=True).exists()
        assert EvidenceMatch.objects.get().evidence_id == old[2].pk
        assert all(Evidence.objects.get(pk=item.pk).thumbnail for item in old)
        done = Evidence.objects.values_list("pk", "processed_at")
        call_command("evidence_backfill", stdout=out)  # nothing left: nothing done again
        assert list(Evidence.objects.values_list("pk", "processed_at")) == list(done)
