"""The daily reminder of commitments past due and not fulfilled (COMMITMENT_OVERDUE): the unit's
staff, exactly once per item, from the day after the due date (local days); the workbench's
"commitments to report"; the download of a follow-up's file in the unit's scope."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from activities.models import Status
from evaluations import fulfilment_services as services
from evaluations.models import FollowUp, LeaderComment, ReportFile
from notifications import messages as notice_messages
from notifications import tasks
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.evaluations.fulfilment_setup import (
    CommitmentFactory,
    CommitmentSetFactory,
    as_user,
    png_upload,
)
from tests.factories import CampaignFactory, MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(tree):
    today = timezone.localdate()
    return CampaignFactory(
        unit=tree.city,
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=90),
    )


@pytest.fixture
def approved_set(tree, running):
    return CommitmentSetFactory(unit=tree.branch_a1, campaign=running)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _overdue_notices():
    return Notification.objects.filter(rule=Rule.COMMITMENT_OVERDUE)


def test_an_overdue_item_is_reminded_to_each_staff_member_exactly_once(
    tree, staff, reviewer, approved_set
):
    other_staff = UserFactory()
    MembershipFactory(user=other_staff, unit=tree.branch_a1, role=Role.STAFF)
    late = CommitmentFactory(set=approved_set, due_on=_days(-1), promise="修好路灯")

    assert RULES["commitment_overdue"](timezone.now())
    tasks.run_rule("commitment_overdue")  # the beat's second run the same day

    notices = list(_overdue_notices())
    assert sorted(n.recipient_id for n in notices) == sorted([staff.pk, other_staff.pk])
    assert {(n.subject, n.period) for n in notices} == {
        (f"commitment:{late.pk}", late.due_on.isoformat())
    }
    description = notice_messages.describe(notices[0])
    assert "修好路灯" in description.title and "机关第一党支部" in description.text


def test_not_yet_due_fulfilled_or_unapproved_items_are_not_reminded(
    tree, staff, approved_set, running
):
    CommitmentFactory(set=approved_set, due_on=_days(0))  # due today: not late yet
    CommitmentFactory(set=approved_set, due_on=_days(5))
    CommitmentFactory(set=approved_set, due_on=_days(-3), fulfilled_at=timezone.now())
    draft_set = CommitmentSetFactory(unit=tree.union_a2, campaign=running, status=Status.DRAFT)
    CommitmentFactory(set=draft_set, due_on=_days(-3))

    RULES["commitment_overdue"](timezone.now())

    assert not _overdue_notices().exists()


def test_the_link_opens_the_report_when_one_was_started(staff, approved_set):
    late = CommitmentFactory(set=approved_set, due_on=_days(-2))
    report = services.report_start(staff, late)

    RULES["commitment_overdue"](timezone.now())

    assert _overdue_notices().get().link == reverse("evaluations:report", args=[report.pk])


def test_the_beat_runs_the_rule_daily(beat_schedules):
    periodic = PeriodicTask.objects.get(name="notifications: commitment overdue")
    assert periodic.task == "notifications.tasks.run_rule"
    assert periodic.args == '["commitment_overdue"]' and periodic.enabled
    assert str(periodic.crontab.timezone) == "Asia/Shanghai"


# --- Workbench ---------------------------------------------------------------------------------


def test_staff_see_commitments_to_report_overdue_first(client, staff, approved_set):
    later = CommitmentFactory(set=approved_set, due_on=_days(20), promise="二十天后到期")
    late = CommitmentFactory(set=approved_set, due_on=_days(-4), promise="已经逾期的承诺")
    CommitmentFactory(set=approved_set, due_on=_days(45), promise="很久以后")
    CommitmentFactory(
        set=approved_set, due_on=_days(-1), promise="已践诺", fulfilled_at=timezone.now()
    )
    report = services.report_start(staff, later)

    page = as_user(staff).get(reverse("home")).content.decode()

    assert page.index("已经逾期的承诺") < page.index("二十天后到期")
    assert "很久以后" not in page and "已践诺" not in page
    assert reverse("evaluations:report_start", args=[late.pk]) in page
    assert reverse("evaluations:report", args=[report.pk]) in page


def test_a_finished_campaigns_commitments_are_not_to_report(tree, staff, approved_set):
    finished = CommitmentSetFactory(unit=tree.branch_a1, campaign=CampaignFactory(unit=tree.city))
    CommitmentFactory(set=finished, due_on=datetime.date(2010, 9, 1), promise="二〇一〇年的承诺")
    CommitmentFactory(set=approved_set, due_on=_days(3), promise="本期的承诺")
    page = as_user(staff).get(reverse("home")).content.decode()
    assert "本期的承诺" in page and "二〇一〇年的承诺" not in page


def test_the_workbench_costs_the_same_queries_with_more_commitments(
    staff, approved_set, django_assert_num_queries, django_assert_max_num_queries
):
    client = as_user(staff)
    CommitmentFactory(set=approved_set, due_on=_days(-1))
    client.get(reverse("home"))
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("home"))
    queries = len(few)  # each request empties the connection's log
    for n in range(6):
        item = CommitmentFactory(set=approved_set, due_on=_days(n))
        if n % 2:
            services.report_start(staff, item)
    client.get(reverse("home"))
    with django_assert_num_queries(queries):
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-testid="to-report"') == 5


# --- A follow-up's file, through the same download ---------------------------------------------


def test_a_follow_up_file_is_served_in_the_units_scope(tree, staff, leader, outsider, running):
    comment = LeaderComment.objects.create(
        unit=tree.branch_a1, campaign=running, author=leader, text="请整改"
    )
    follow_up = FollowUp.objects.create(
        comment=comment, unit=tree.branch_a1, campaign=running, due_on=_days(10)
    )
    stored = ReportFile(
        follow_up=follow_up,
        original_name="整改.png",
        content_type="image/png",
        size=10,
        uploaded_by=staff,
    )
    stored.file.save("upload.png", ContentFile(png_upload().read()), save=True)
    address = reverse("evaluations:report_file", args=[stored.pk])

    for user in (staff, leader):
        response = as_user(user).get(address)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert as_user(outsider).get(address).status_code == 404
    assert as_user(None).get(address).status_code == 302
    assert as_user(staff).get(reverse("evaluations:report_file", args=[999999])).status_code == 404
