"""The services of leader comments and follow-ups: the rules of each write and every step."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.exceptions import EvidenceRejected
from activities.models import Status
from evaluations import comment_services as services
from evaluations.exceptions import EvaluationError, NotAllowed, TransitionRefused
from evaluations.models import (
    FollowUp,
    FollowUpAction,
    FollowUpEvent,
    FollowUpStatus,
    LeaderComment,
    ReportFile,
)
from tests.evaluations.comment_fixtures import days
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetTaskFactory,
    pdf_bytes,
)
from units.models import Role

pytestmark = pytest.mark.django_db


def test_a_leader_comments_on_a_unit_below_with_a_grade(tree, leader, campaign):
    comment = services.comment_write(leader, tree.branch_a1, campaign, "  做得好  ", grade=4)
    assert comment.text == "做得好" and comment.grade == 4 and comment.author == leader
    assert not FollowUp.objects.exists()


def test_a_leader_comments_on_their_own_unit_too(tree, leader, campaign):
    assert services.comment_write(leader, tree.committee_a, campaign, "整体不错").pk


@pytest.mark.parametrize("who", ["staff", "reviewer", "admin_user", "city_admin", "outsider"])
def test_no_one_but_a_leader_comments(request, who, tree, campaign):
    with pytest.raises(NotAllowed):
        services.comment_write(request.getfixturevalue(who), tree.branch_a1, campaign, "x")
    assert not LeaderComment.objects.exists()


def test_a_leader_who_is_the_units_staff_may_not_comment_on_it(tree, leader, campaign):
    MembershipFactory(user=leader, unit=tree.branch_a1, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        services.comment_write(leader, tree.branch_a1, campaign, "自评")
    assert services.comment_write(leader, tree.union_a2, campaign, "可以").pk


def test_a_leader_of_a_sibling_subtree_is_refused(tree, campaign):
    from tests.conftest import _member

    sibling = _member(tree.committee_b, Role.LEADER, "leader_b")
    with pytest.raises(NotAllowed):
        services.comment_write(sibling, tree.branch_a1, campaign, "x")


def test_subjects_must_belong(tree, leader, campaign, staff):
    other = CampaignFactory(unit=tree.committee_b)
    foreign_task = TargetTaskFactory(campaign=other)
    task = TargetTaskFactory(campaign=campaign)
    with pytest.raises(EvaluationError):
        services.comment_write(leader, tree.branch_a1, campaign, "x", task=foreign_task)
    assert services.comment_write(leader, tree.branch_a1, campaign, "x", task=task).task == task
    elsewhere = ActivityFactory(campaign=campaign, unit=tree.union_a2, created_by=staff)
    with pytest.raises(EvaluationError):
        services.comment_write(leader, tree.branch_a1, campaign, "x", activity=elsewhere)
    with pytest.raises(EvaluationError):  # a campaign that does not cover the unit
        services.comment_write(leader, tree.branch_a1, other, "x")


def test_text_is_required_and_limited(tree, leader, campaign):
    with pytest.raises(EvaluationError):
        services.comment_write(leader, tree.branch_a1, campaign, "   ")
    with pytest.raises(EvaluationError):
        services.comment_write(leader, tree.branch_a1, campaign, "长" * 2001)


def test_a_follow_up_may_not_be_due_in_the_past(tree, leader, campaign):
    with pytest.raises(EvaluationError):
        services.comment_write(leader, tree.branch_a1, campaign, "x", follow_up_due=days(-1))
    today = services.comment_write(leader, tree.branch_a1, campaign, "x", follow_up_due=days(0))
    assert today.follow_up.status == FollowUpStatus.OPEN


def test_a_follow_up_starts_with_a_require_event(follow_up, leader):
    (event,) = follow_up.events.all()
    assert event.action == FollowUpAction.REQUIRE and event.to_status == FollowUpStatus.OPEN
    assert event.actor == leader


def test_the_whole_way_acknowledge_report_send_back_report_close(follow_up, staff, leader):
    services.follow_up_acknowledge(staff, follow_up)
    services.follow_up_report(staff, follow_up, "第一次")
    with pytest.raises(EvaluationError):
        services.follow_up_send_back(leader, follow_up, "  ")
    services.follow_up_send_back(leader, follow_up, "证据不足")
    again = services.follow_up_report(staff, follow_up, "第二次")
    assert again.status == FollowUpStatus.REPORTED and again.report == "第二次"
    closed = services.follow_up_close(leader, follow_up)
    assert closed.status == FollowUpStatus.CLOSED and closed.closed_at and closed.closed_on_time
    actions = list(follow_up.events.values_list("action", flat=True))
    assert actions == ["require", "acknowledge", "report", "send_back", "report", "close"]
    assert FollowUp.objects.get(pk=follow_up.pk).send_back_reason == "证据不足"


def test_moves_out_of_order_are_refused(follow_up, staff, leader):
    with pytest.raises(TransitionRefused):
        services.follow_up_close(leader, follow_up)
    services.follow_up_acknowledge(staff, follow_up)
    with pytest.raises(TransitionRefused):
        services.follow_up_acknowledge(staff, follow_up)
    assert follow_up.events.count() == 2


def test_only_staff_answer_and_only_leaders_decide(follow_up, staff, leader, reviewer, admin_user):
    for who in (leader, reviewer, admin_user):
        with pytest.raises(NotAllowed):
            services.follow_up_acknowledge(who, follow_up)
        with pytest.raises(NotAllowed):
            services.follow_up_report(who, follow_up, "x")
    services.follow_up_report(staff, follow_up, "做了")
    for who in (staff, reviewer, admin_user):
        with pytest.raises(NotAllowed):
            services.follow_up_close(who, follow_up)
        with pytest.raises(NotAllowed):
            services.follow_up_send_back(who, follow_up, "x")


def test_the_author_closes_even_from_a_city_leader_comment(tree, campaign, staff):
    from tests.conftest import _member

    city_leader = _member(tree.city, Role.LEADER, "leader_city")
    comment = services.comment_write(
        city_leader, tree.branch_a1, campaign, "x", follow_up_due=days(3)
    )
    services.follow_up_report(staff, comment.follow_up, "ok")
    assert services.follow_up_close(city_leader, comment.follow_up).status == "closed"


def test_report_needs_text_and_links_only_the_units_approved_activities(
    follow_up, staff, tree, campaign
):
    with pytest.raises(EvaluationError):
        services.follow_up_report(staff, follow_up, "  ")
    draft = ActivityFactory(campaign=campaign, unit=tree.branch_a1, created_by=staff)
    with pytest.raises(EvaluationError):
        services.follow_up_report(staff, follow_up, "x", [draft])
    approved = ActivityFactory(
        campaign=campaign, unit=tree.branch_a1, created_by=staff, status=Status.APPROVED
    )
    services.follow_up_report(staff, follow_up, "x", [approved])
    assert list(follow_up.activities.all()) == [approved]
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.REPORTED


def test_report_files_are_checked_by_content(follow_up, staff):
    fake = SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>", "application/pdf")
    with pytest.raises(EvidenceRejected):
        services.follow_up_report(staff, follow_up, "x", files=[fake])
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN
    good = SimpleUploadedFile("台账.pdf", pdf_bytes(), "application/pdf")
    services.follow_up_report(staff, follow_up, "x", files=[good])
    (item,) = ReportFile.objects.filter(follow_up=follow_up)
    assert item.original_name == "台账.pdf" and item.content_type == "application/pdf"


def test_closed_on_time_is_the_reports_local_day_against_the_due_date(
    tree, leader, staff, campaign
):
    now = timezone.now()
    due = timezone.localdate(now)
    on_time = services.comment_write(leader, tree.branch_a1, campaign, "a", follow_up_due=due)
    services.follow_up_report(staff, on_time.follow_up, "done")  # reported on the due day
    assert services.follow_up_close(leader, on_time.follow_up).closed_on_time is True

    late = services.comment_write(leader, tree.branch_a1, campaign, "b", follow_up_due=due)
    next_day = now + datetime.timedelta(days=1)
    services.follow_up_report(staff, late.follow_up, "done", at=next_day)
    assert services.follow_up_close(leader, late.follow_up).closed_on_time is False


def test_events_are_never_changed(follow_up):
    event = FollowUpEvent.objects.get(follow_up=follow_up)
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_one_bad_file_refuses_the_whole_report(follow_up, staff):
    good = SimpleUploadedFile("台账.pdf", pdf_bytes(), "application/pdf")
    bad = SimpleUploadedFile("b.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(EvidenceRejected):
        services.follow_up_report(staff, follow_up, "x", files=[good, bad])
    assert not ReportFile.objects.exists()
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUpStatus.OPEN
    assert follow_up.events.count() == 1


def test_a_new_report_replaces_the_text_and_links(follow_up, staff, leader, tree, campaign):
    first, second = (
        ActivityFactory(
            campaign=campaign, unit=tree.branch_a1, created_by=staff, status=Status.APPROVED
        )
        for _ in range(2)
    )
    services.follow_up_report(staff, follow_up, "一", [first])
    services.follow_up_send_back(leader, follow_up, "再改")
    services.follow_up_report(staff, follow_up, "二", [second])
    follow_up.refresh_from_db()
    assert follow_up.report == "二" and list(follow_up.activities.all()) == [second]
