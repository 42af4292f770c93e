"""Fulfilment reports (践诺) through their services: start once, edit, files checked by content,
only the unit's approved activities, submit, withdraw, return and approve; the final approval
fulfils the commitment, kept on time when first submitted by the due date (local days)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Status
from evaluations import fulfilment_services as services
from evaluations.exceptions import EvaluationError, NotAllowed
from evaluations.models import STATEMENT_MAX_LENGTH, FulfilmentReport, ReportFile, ReviewEvent
from tests.evaluations.fulfilment_setup import (
    CommitmentFactory,
    CommitmentSetFactory,
    approved_activity,
    as_user,
    exe_as_jpg,
    png_upload,
)
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _ready(staff, commitment, *, activity=None):
    report = services.report_start(staff, commitment)
    linked = [activity] if activity else []
    services.report_update(staff, report, statement="已建成便民服务站", activities=linked)
    if not linked:
        services.file_add(staff, report, png_upload())
    return report


def test_staff_start_a_report_once(staff, commitment):
    first = services.report_start(staff, commitment)
    again = services.report_start(staff, commitment)

    assert first.pk == again.pk
    assert FulfilmentReport.objects.filter(commitment=commitment).count() == 1
    assert first.status == Status.DRAFT and first.created_by == staff


def test_only_staff_of_the_unit_start_and_only_on_an_approved_unfulfilled_item(
    staff, reviewer, leader, outsider, tree, campaign
):
    draft_set = CommitmentSetFactory(unit=tree.branch_a1, campaign=campaign, status=Status.DRAFT)
    item = CommitmentFactory(set=draft_set)
    with pytest.raises(EvaluationError):
        services.report_start(staff, item)
    approved = CommitmentFactory(set=CommitmentSetFactory(unit=tree.union_a2, campaign=campaign))
    for who in (reviewer, leader, outsider, staff):  # staff of branch_a1, not of union_a2
        with pytest.raises(NotAllowed):
            services.report_start(who, approved)
    assert not FulfilmentReport.objects.exists()


def test_a_fulfilled_item_gets_no_new_report(staff, commitment):
    commitment.fulfilled_at = timezone.now()
    commitment.save()
    with pytest.raises(EvaluationError):
        services.report_start(staff, commitment)


def test_the_statement_is_required_and_limited(staff, commitment):
    report = services.report_start(staff, commitment)
    with pytest.raises(EvaluationError, match="statement"):
        services.report_update(staff, report, statement="  ")
    with pytest.raises(EvaluationError, match=str(STATEMENT_MAX_LENGTH)):
        services.report_update(staff, report, statement="字" * (STATEMENT_MAX_LENGTH + 1))
    services.report_update(staff, report, statement=" 办好了 ")
    report.refresh_from_db()
    assert report.statement == "办好了"


def test_only_approved_activities_of_the_unit_in_the_campaign_are_linked(
    staff, commitment, tree, campaign
):
    report = services.report_start(staff, commitment)
    own = approved_activity(tree.branch_a1, campaign)
    others = approved_activity(tree.union_a2, campaign)
    draft = ActivityFactory(unit=tree.branch_a1, campaign=campaign)
    for refused in (others, draft):
        with pytest.raises(EvaluationError, match="机关第一党支部"):
            services.report_update(staff, report, statement="做了", activities=[own, refused])
    assert not report.activities.exists()

    services.report_update(staff, report, statement="做了", activities=[own.pk])
    assert list(report.activities.all()) == [own]


def test_files_are_checked_by_their_content(staff, commitment):
    report = services.report_start(staff, commitment)
    with pytest.raises(EvaluationError, match=r"photo\.jpg"):
        services.file_add(staff, report, exe_as_jpg())
    assert not ReportFile.objects.exists()

    stored = services.file_add(staff, report, png_upload("现场.jpg"))
    assert stored.content_type == "image/png" and stored.file.name.endswith(".png")
    assert stored.original_name == "现场.jpg" and stored.uploaded_by == staff


def test_files_over_the_size_limit_are_refused(staff, commitment, settings):
    settings.EVIDENCE_MAX_BYTES = 50
    report = services.report_start(staff, commitment)
    with pytest.raises(EvaluationError, match="MB"):
        services.file_add(staff, report, png_upload())


def test_submit_needs_a_statement_and_a_file_or_an_activity(staff, commitment, tree, campaign):
    report = services.report_start(staff, commitment)
    with pytest.raises(EvaluationError):
        services.report_submit(staff, report)
    services.report_update(staff, report, statement="做了")
    with pytest.raises(EvaluationError, match="file"):
        services.report_submit(staff, report)
    services.report_update(
        staff, report, statement="做了", activities=[approved_activity(tree.branch_a1, campaign)]
    )

    report = services.report_submit(staff, report)
    assert report.status == Status.SUBMITTED and report.review_unit == tree.committee_a


def test_a_submitted_report_is_locked_and_withdrawn_to_a_draft(staff, commitment):
    report = services.report_submit(staff, _ready(staff, commitment))
    stored = report.files.get()
    with pytest.raises(EvaluationError):
        services.report_update(staff, report, statement="改")
    with pytest.raises(EvaluationError):
        services.file_add(staff, report, png_upload())
    with pytest.raises(EvaluationError):
        services.file_delete(staff, stored)

    report = services.report_withdraw(staff, report)
    assert report.status == Status.DRAFT
    services.file_delete(staff, stored)
    assert not report.files.exists()


def test_return_with_reason_then_approve_fulfils_on_time(staff, reviewer, commitment):
    report = services.report_submit(staff, _ready(staff, commitment))
    with pytest.raises(EvaluationError):
        services.report_return(reviewer, report, level=1, reason=" ")
    report = services.report_return(reviewer, report, level=1, reason="缺少照片")
    assert report.status == Status.RETURNED and report.return_reason == "缺少照片"
    with pytest.raises(EvaluationError):
        services.report_approve(reviewer, report, level=1)  # returned: nothing to approve

    report = services.report_submit(staff, report)
    report = services.report_approve(reviewer, report, level=1)

    commitment.refresh_from_db()
    assert report.status == Status.APPROVED
    assert commitment.fulfilled_at is not None and commitment.kept_on_time is False
    actions = list(ReviewEvent.objects.filter(report=report).values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve"]


def test_staff_cannot_review_their_own_report(staff, commitment):
    report = services.report_submit(staff, _ready(staff, commitment))
    with pytest.raises(NotAllowed):
        services.report_approve(staff, report, level=1)


@pytest.mark.parametrize(
    ("first_submitted", "kept"),
    [
        # 23:30 on the due date in Shanghai (15:30 UTC): the local day is the due date.
        (datetime.datetime(2010, 10, 1, 23, 30, tzinfo=SHANGHAI), True),
        # 00:10 the next local day (still 30 September in UTC): late.
        (datetime.datetime(2010, 10, 2, 0, 10, tzinfo=SHANGHAI), False),
        (datetime.datetime(2010, 9, 20, 9, 0, tzinfo=SHANGHAI), True),
    ],
)
def test_kept_on_time_is_judged_on_local_days(staff, reviewer, commitment, first_submitted, kept):
    report = services.report_submit(staff, _ready(staff, commitment))
    FulfilmentReport.objects.filter(pk=report.pk).update(first_submitted_at=first_submitted)
    services.report_approve(reviewer, report, level=1)

    commitment.refresh_from_db()
    assert commitment.kept_on_time is kept


def test_the_first_submission_counts_after_a_return(staff, reviewer, commitment):
    report = services.report_submit(staff, _ready(staff, commitment))
    on_time = datetime.datetime(2010, 9, 30, 10, tzinfo=SHANGHAI)
    FulfilmentReport.objects.filter(pk=report.pk).update(first_submitted_at=on_time)
    report = services.report_return(reviewer, report, level=1, reason="补充")
    report = services.report_submit(staff, report)  # resubmitted today, long after the due date
    services.report_approve(reviewer, report, level=1)

    commitment.refresh_from_db()
    assert commitment.kept_on_time is True


def test_two_levels_pass_on_before_fulfilling(staff, reviewer, commitment, tree):
    from tests.conftest import _member

    commitment.campaign.review_levels = 2
    commitment.campaign.save()
    city_reviewer = _member(tree.city, "reviewer", "reviewer_city")
    report = services.report_submit(staff, _ready(staff, commitment))
    report = services.report_approve(reviewer, report, level=1)
    assert report.status == Status.SUBMITTED and report.review_level == 2
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is None

    services.report_approve(city_reviewer, report, level=2)
    commitment.refresh_from_db()
    assert commitment.fulfilled_at is not None

    # Its timeline names the pass-on's levels once (the label), the final approval its level.
    page = as_user(staff).get(reverse("evaluations:report", args=[report.pk])).content.decode()
    passed_on = page.split('timeline-pass_on"')[1].split("</li>")[0]
    assert "badge" not in passed_on
    assert ">level 2</span>" in page.split('timeline-approve"')[1].split("</li>")[0]


def test_a_report_holds_at_most_the_evidence_file_limit(staff, commitment, settings):
    settings.EVIDENCE_MAX_FILES = 1
    report = services.report_start(staff, commitment)
    services.file_add(staff, report, png_upload())
    with pytest.raises(EvaluationError, match="1"):
        services.file_add(staff, report, png_upload())
    assert report.files.count() == 1
