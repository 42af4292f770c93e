"""Who may do what to a fulfilment report, through its pages: the unit's staff write and submit;
reviewers above approve or return; leaders and admins above read; an outsider gets a 404 for
everything and an anonymous visitor the login page."""

import pytest
from django.urls import reverse

from activities.models import Status
from evaluations import fulfilment_services as services
from evaluations.models import FulfilmentReport, ReportFile
from tests.evaluations.fulfilment_setup import as_user, png_upload

pytestmark = pytest.mark.django_db

READERS = ["staff", "reviewer", "leader", "admin_user", "city_admin"]
NOT_STAFF = ["reviewer", "leader", "admin_user"]
NOT_REVIEWER = ["staff", "leader", "admin_user"]


@pytest.fixture
def draft(staff, commitment):
    report = services.report_start(staff, commitment)
    services.report_update(staff, report, statement="已完成")
    services.file_add(staff, report, png_upload())
    return report


@pytest.fixture
def submitted(staff, draft):
    return services.report_submit(staff, draft)


def _status(report) -> str:
    return FulfilmentReport.objects.get(pk=report.pk).status


@pytest.mark.parametrize("who", READERS)
def test_everyone_who_sees_the_unit_reads_the_report_and_its_file(request, who, draft):
    client = as_user(request.getfixturevalue(who))
    page = client.get(reverse("evaluations:report", args=[draft.pk]))
    assert page.status_code == 200
    assert "已完成" in page.content.decode()
    download = client.get(reverse("evaluations:report_file", args=[draft.files.get().pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")


def _write_posts(report, commitment):
    stored = report.files.get()
    return [
        (reverse("evaluations:report_start", args=[commitment.pk]), {}),
        (reverse("evaluations:report", args=[report.pk]), {"statement": "改写"}),
        (reverse("evaluations:report_upload", args=[report.pk]), {"files": png_upload()}),
        (reverse("evaluations:report_file_delete", args=[stored.pk]), {}),
        (reverse("evaluations:report_submit", args=[report.pk]), {}),
    ]


def test_an_outsider_gets_404_everywhere_and_anonymous_the_login(outsider, draft, commitment):
    gets = [
        reverse("evaluations:report", args=[draft.pk]),
        reverse("evaluations:report_file", args=[draft.files.get().pk]),
    ]
    review_posts = [
        (reverse("evaluations:report_withdraw", args=[draft.pk]), {}),
        (reverse("evaluations:report_approve", args=[draft.pk]), {"level": 1}),
        (reverse("evaluations:report_return", args=[draft.pk]), {"level": 1, "reason": "x"}),
    ]
    for address in gets:
        assert as_user(outsider).get(address).status_code == 404
        anonymous = as_user(None).get(address)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for address, data in _write_posts(draft, commitment) + review_posts:
        assert as_user(outsider).post(address, data).status_code == 404, address
        anonymous = as_user(None).post(address, data)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.statement == "已完成"
    assert draft.files.count() == 1


@pytest.mark.parametrize("who", NOT_STAFF)
def test_only_the_units_staff_write_and_submit(request, who, draft, commitment):
    client = as_user(request.getfixturevalue(who))
    for address, data in _write_posts(draft, commitment):
        assert client.post(address, data).status_code == 403, address
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.statement == "已完成"
    assert draft.files.count() == 1


def test_staff_write_upload_delete_and_submit(staff, draft):
    client = as_user(staff)
    page = reverse("evaluations:report", args=[draft.pk])
    assert client.post(page, {"statement": "改写后的说明"}).status_code == 302
    client.post(reverse("evaluations:report_upload", args=[draft.pk]), {"files": png_upload()})
    assert draft.files.count() == 2
    first = draft.files.order_by("pk").first()
    client.post(reverse("evaluations:report_file_delete", args=[first.pk]))
    assert draft.files.count() == 1
    client.post(reverse("evaluations:report_submit", args=[draft.pk]))
    assert _status(draft) == Status.SUBMITTED


def test_staff_start_through_the_page_and_starting_twice_opens_the_same(staff, commitment):
    client = as_user(staff)
    start = reverse("evaluations:report_start", args=[commitment.pk])
    first = client.post(start)
    second = client.post(start)
    report = FulfilmentReport.objects.get(commitment=commitment)
    opened = reverse("evaluations:report", args=[report.pk])
    assert first["Location"] == second["Location"] == opened
    assert client.get(start).status_code == 405


@pytest.mark.parametrize("who", NOT_STAFF)
def test_only_staff_withdraw(request, who, submitted):
    client = as_user(request.getfixturevalue(who))
    withdraw = reverse("evaluations:report_withdraw", args=[submitted.pk])
    assert client.post(withdraw).status_code == 403
    assert _status(submitted) == Status.SUBMITTED
    as_user(request.getfixturevalue("staff")).post(
        reverse("evaluations:report_withdraw", args=[submitted.pk])
    )
    assert _status(submitted) == Status.DRAFT


@pytest.mark.parametrize("who", NOT_REVIEWER)
def test_only_reviewers_above_approve_or_return(request, who, submitted):
    client = as_user(request.getfixturevalue(who))
    approve = reverse("evaluations:report_approve", args=[submitted.pk])
    send_back = reverse("evaluations:report_return", args=[submitted.pk])
    assert client.post(approve, {"level": 1}).status_code == 403
    assert client.post(send_back, {"level": 1, "reason": "不行"}).status_code == 403
    assert _status(submitted) == Status.SUBMITTED


def test_a_reviewer_returns_with_a_reason_shown_to_staff_then_approves(
    reviewer, staff, submitted, commitment
):
    client = as_user(reviewer)
    send_back = reverse("evaluations:report_return", args=[submitted.pk])
    client.post(send_back, {"level": 1, "reason": ""})
    assert _status(submitted) == Status.SUBMITTED  # no reason, nothing done
    client.post(send_back, {"level": 1, "reason": "请补充<b>现场照片</b>"})
    assert _status(submitted) == Status.RETURNED
    page = as_user(staff).get(reverse("evaluations:report", args=[submitted.pk])).content.decode()
    assert "请补充&lt;b&gt;现场照片&lt;/b&gt;" in page

    as_user(staff).post(reverse("evaluations:report_submit", args=[submitted.pk]))
    client.post(reverse("evaluations:report_approve", args=[submitted.pk]), {"level": 1})
    assert _status(submitted) == Status.APPROVED
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is not None


def test_a_refused_file_is_reported_by_name_and_nothing_is_stored(staff, draft):
    from tests.evaluations.fulfilment_setup import exe_as_jpg

    client = as_user(staff)
    response = client.post(
        reverse("evaluations:report_upload", args=[draft.pk]), {"files": exe_as_jpg()}, follow=True
    )
    assert response.status_code == 200
    assert "photo.jpg" in response.content.decode()
    assert ReportFile.objects.filter(fulfilment=draft).count() == 1


def test_linking_another_units_activity_is_refused_with_a_message(staff, draft, tree, campaign):
    from tests.evaluations.fulfilment_setup import approved_activity

    other = approved_activity(tree.union_a2, campaign, title="工会的活动")
    response = as_user(staff).post(
        reverse("evaluations:report", args=[draft.pk]),
        {"statement": "新的说明", "activities": [str(other.pk)]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "机关第一党支部" in page and "新的说明" in page  # the message, and nothing typed lost
    draft.refresh_from_db()
    assert draft.statement == "已完成" and not draft.activities.exists()


def test_the_page_offers_only_the_units_approved_activities(staff, draft, tree, campaign):
    from tests.evaluations.fulfilment_setup import approved_activity
    from tests.factories import ActivityFactory

    approved_activity(tree.branch_a1, campaign, title="支部的已通过活动")
    approved_activity(tree.union_a2, campaign, title="工会的活动")
    ActivityFactory(unit=tree.branch_a1, campaign=campaign, title="支部的草稿")
    page = as_user(staff).get(reverse("evaluations:report", args=[draft.pk])).content.decode()
    assert "支部的已通过活动" in page
    assert "工会的活动" not in page and "支部的草稿" not in page


def test_save_and_submit_keeps_what_was_typed(staff, commitment, tree, campaign):
    from tests.evaluations.fulfilment_setup import approved_activity

    report = services.report_start(staff, commitment)
    submit = reverse("evaluations:report_submit", args=[report.pk])
    client = as_user(staff)
    refused = client.post(submit, {"statement": "只写了说明"}, follow=True)  # no file, no activity
    page = refused.content.decode()
    assert "只写了说明" in page and "Attach at least one evidence file" in page
    report.refresh_from_db()
    assert report.status == Status.DRAFT and report.statement == "只写了说明"

    own = approved_activity(tree.branch_a1, campaign)
    client.post(submit, {"statement": "说明和活动", "activities": [str(own.pk)]})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.statement == "说明和活动"
    assert list(report.activities.all()) == [own]


def test_the_report_page_costs_the_same_queries_with_more_files_activities_and_events(
    staff, reviewer, draft, tree, campaign, django_assert_num_queries, django_assert_max_num_queries
):
    from tests.evaluations.fulfilment_setup import approved_activity

    page = reverse("evaluations:report", args=[draft.pk])
    client = as_user(staff)
    client.get(page)
    with django_assert_max_num_queries(40) as few:
        client.get(page)
    queries = len(few)  # each request empties the connection's log
    more = [approved_activity(tree.branch_a1, campaign) for _ in range(4)]
    services.report_update(staff, draft, statement="更多", activities=more[:3])
    for _ in range(3):
        services.file_add(staff, draft, png_upload())
    services.report_submit(staff, draft)
    services.report_return(reviewer, draft, level=1, reason="再补充")
    client.get(page)
    with django_assert_num_queries(queries):
        client.get(page)


def test_the_reviewers_workbench_links_the_report_waiting_for_them(reviewer, submitted):
    page = as_user(reviewer).get(reverse("home")).content.decode()
    assert f'href="{reverse("evaluations:report", args=[submitted.pk])}"' in page
