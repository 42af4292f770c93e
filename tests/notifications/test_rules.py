"""Each reminder rule: who gets what, and who does not (outside the scope, already done, an
inactive user, a unit on pace), and the escalation on the activity's timeline, once."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Action, ActivityEvent, CoOrganiser, CoOrganiserStatus
from activities.rollups import rollups_rebuild
from campaigns.models import Phase
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    MembershipFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)
from units.models import Role, UnitKind

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def member(unit, role, username, *, active=True):
    user = UserFactory(username=username, is_active=active)
    MembershipFactory(user=user, unit=unit, role=role)
    return user


def received(rule) -> set[tuple[str, str, str]]:
    rows = Notification.objects.filter(rule=rule).select_related("recipient")
    return {(n.recipient.username, n.subject, n.period) for n in rows}


def later(days: int) -> datetime:
    return timezone.now() + timedelta(days=days)


def local_day(moment: datetime) -> str:
    return timezone.localdate(moment).isoformat()


# --- target_due ----------------------------------------------------------------------------------


@pytest.fixture
def due_soon(tree, staff, reviewer, task, targets):
    """Targets due 2010-12-31: branch_a1 has nothing approved (behind), union_a2 has met its
    target of 1, branch_b1's is due only in January."""
    member(tree.branch_a1, Role.STAFF, "staff_a1_gone", active=False)
    staff_a2 = member(tree.union_a2, Role.STAFF, "staff_a2")
    member(tree.branch_b1, Role.STAFF, "staff_b1")
    targets["A2"].value = Decimal(1)
    targets["A2"].save()
    targets["B1"].due_on = date(2011, 1, 20)
    targets["B1"].save()
    done = ActivityFactory(campaign=task.campaign, unit=tree.union_a2, created_by=staff_a2)
    done.tasks.set([task])
    services.activity_submit(actor=staff_a2, activity=done)
    services.activity_approve(actor=reviewer, activity=done, level=1)
    return targets


def test_target_due_reaches_the_staff_of_a_unit_behind_pace(due_soon):
    ids = RULES["target_due"](at(2010, 12, 24, 8, 30))

    a1 = due_soon["A1"]
    assert received(Rule.TARGET_DUE) == {("staff_a1", f"target:{a1.pk}", "2010-12-31:7")}
    notification = Notification.objects.get(rule=Rule.TARGET_DUE)
    assert ids == [notification.pk]
    assert notification.link == reverse("campaigns:unit_targets", args=[a1.unit_id])
    assert notification.context["days"] == 7
    assert notification.context["due_on"] == "2010-12-31"
    assert notification.context["task_title"] == "主题党日"
    assert notification.context["unit_name"] == "机关第一党支部"
    assert notification.context["achieved"] == 0
    assert notification.context["target"] == 4
    assert notification.context["pace"] == "at_risk"


def test_target_due_skips_units_on_pace_outside_the_window_and_inactive_staff(due_soon):
    RULES["target_due"](at(2010, 12, 24, 8, 30))

    usernames = {name for name, _s, _p in received(Rule.TARGET_DUE)}
    assert "staff_a2" not in usernames  # union_a2 met its target
    assert "staff_b1" not in usernames  # due in January
    assert "staff_a1_gone" not in usernames  # inactive
    assert "reviewer_a" not in usernames  # not staff


def test_target_due_reminds_at_7_3_and_1_days_and_catches_up_a_missed_step(due_soon):
    a1 = due_soon["A1"]
    assert RULES["target_due"](at(2010, 12, 20, 8, 30)) == []  # 11 days left
    RULES["target_due"](at(2010, 12, 24, 8, 30))  # 7 days left
    assert RULES["target_due"](at(2010, 12, 25, 8, 30)) == []  # 6 days: same step
    assert RULES["target_due"](at(2010, 12, 26, 8, 30)) == []
    RULES["target_due"](at(2010, 12, 29, 8, 30))  # 2 days: the beat missed the 3-day step
    RULES["target_due"](at(2010, 12, 30, 8, 30))  # 1 day
    assert RULES["target_due"](at(2010, 12, 31, 8, 30)) == []  # due today: too late

    periods = sorted(p for _n, s, p in received(Rule.TARGET_DUE) if s == f"target:{a1.pk}")
    assert periods == ["2010-12-31:1", "2010-12-31:3", "2010-12-31:7"]


def test_target_due_uses_the_local_date(due_soon):
    # 2010-12-23 17:00 UTC is already the 24th in Shanghai: 7 days left there.
    RULES["target_due"](datetime(2010, 12, 23, 17, 0, tzinfo=ZoneInfo("UTC")))

    assert {p for _n, _s, p in received(Rule.TARGET_DUE)} == {"2010-12-31:7"}


def test_target_due_reminds_no_one_of_a_closed_campaign(due_soon, campaign):
    campaign.is_active = False
    campaign.save()

    assert RULES["target_due"](at(2010, 12, 24, 8, 30)) == []
    assert not Notification.objects.exists()


# --- review_overdue and escalation ---------------------------------------------------------------


@pytest.fixture
def waiting(tree, staff, reviewer, outsider, draft):
    """The draft submitted now, waiting on committee_a's reviewers."""
    member(tree.committee_a, Role.REVIEWER, "reviewer_a_gone", active=False)
    # Reviewer on committee_a but also staff of branch_a1: never theirs to review.
    own = member(tree.committee_a, Role.REVIEWER, "reviewer_a_own")
    MembershipFactory(user=own, unit=tree.branch_a1, role=Role.STAFF)
    return services.activity_submit(actor=staff, activity=draft)


def test_review_overdue_reaches_the_reviewers_who_may_act(waiting):
    assert RULES["review_overdue"](later(6)) == []  # within the 7-day deadline

    ids = RULES["review_overdue"](later(8))

    period = local_day(waiting.waiting_since)
    assert received(Rule.REVIEW_OVERDUE) == {("reviewer_a", f"activity:{waiting.pk}", period)}
    notification = Notification.objects.get(rule=Rule.REVIEW_OVERDUE)
    assert ids == [notification.pk]
    assert notification.link == reverse("activities:detail", args=[waiting.pk])
    assert notification.context["activity_title"] == waiting.title
    assert notification.context["days"] == 8
    assert not Notification.objects.filter(rule=Rule.REVIEW_ESCALATED).exists()
    assert not ActivityEvent.objects.filter(action=Action.ESCALATE).exists()


def test_review_overdue_is_not_sent_once_the_activity_is_decided(waiting, reviewer):
    services.activity_approve(actor=reviewer, activity=waiting, level=1)

    assert RULES["review_overdue"](later(20)) == []
    assert not Notification.objects.exists()


def test_review_overdue_counts_a_new_wait_after_a_resubmission(waiting, staff, reviewer):
    type(waiting).objects.filter(pk=waiting.pk).update(waiting_since=later(-10))
    RULES["review_overdue"](timezone.now())
    services.activity_return(actor=reviewer, activity=waiting, level=1, reason="补充照片")
    resubmitted = services.activity_submit(actor=staff, activity=waiting)

    RULES["review_overdue"](later(8))

    assert received(Rule.REVIEW_OVERDUE) == {
        ("reviewer_a", f"activity:{waiting.pk}", local_day(later(-10))),
        ("reviewer_a", f"activity:{waiting.pk}", local_day(resubmitted.waiting_since)),
    }


def test_review_past_twice_the_deadline_is_escalated_once_to_the_reviewers_above(
    tree, waiting, client
):
    member(tree.city, Role.REVIEWER, "reviewer_city")
    member(tree.city, Role.REVIEWER, "reviewer_city_gone", active=False)

    RULES["review_overdue"](later(15))
    again = RULES["review_overdue"](later(15))
    RULES["review_overdue"](later(16))

    assert again == []
    period = local_day(waiting.waiting_since)
    assert received(Rule.REVIEW_ESCALATED) == {("reviewer_city", f"activity:{waiting.pk}", period)}
    escalated = Notification.objects.get(rule=Rule.REVIEW_ESCALATED)
    assert escalated.context["escalated_to"] == tree.city.name
    assert escalated.context["review_unit_name"] == tree.committee_a.name
    assert received(Rule.REVIEW_OVERDUE) == {("reviewer_a", f"activity:{waiting.pk}", period)}
    event = ActivityEvent.objects.get(activity=waiting, action=Action.ESCALATE)
    assert event.actor is None
    assert event.from_status == event.to_status == "submitted"
    assert event.comment == tree.city.name
    waiting.refresh_from_db()
    assert waiting.status == "submitted"
    assert waiting.review_unit == tree.committee_a  # the reviewers below may still act

    reviewer_city = Notification.objects.get(rule=Rule.REVIEW_ESCALATED).recipient
    client.force_login(reviewer_city)
    page = client.get(reverse("activities:detail", args=[waiting.pk]))
    assert page.status_code == 200
    assert "Escalated to the reviewers above" in page.content.decode()
    assert "System" in page.content.decode()


def test_review_is_not_escalated_without_reviewers_above(waiting):
    RULES["review_overdue"](later(15))

    assert not Notification.objects.filter(rule=Rule.REVIEW_ESCALATED).exists()
    assert not ActivityEvent.objects.filter(action=Action.ESCALATE).exists()
    assert Notification.objects.filter(rule=Rule.REVIEW_OVERDUE).count() == 1


def test_a_new_wait_can_be_escalated_again(tree, waiting, staff, reviewer):
    member(tree.city, Role.REVIEWER, "reviewer_city")
    type(waiting).objects.filter(pk=waiting.pk).update(waiting_since=later(-20))
    RULES["review_overdue"](timezone.now())
    services.activity_return(actor=reviewer, activity=waiting, level=1, reason="补充照片")
    services.activity_submit(actor=staff, activity=waiting)

    RULES["review_overdue"](later(15))

    assert ActivityEvent.objects.filter(activity=waiting, action=Action.ESCALATE).count() == 2
    assert Notification.objects.filter(rule=Rule.REVIEW_ESCALATED).count() == 2


# --- return_unfixed ------------------------------------------------------------------------------


@pytest.fixture
def returned(tree, staff, reviewer, draft):
    member(tree.branch_a1, Role.STAFF, "staff_a1_other")
    services.activity_submit(actor=staff, activity=draft)
    return services.activity_return(actor=reviewer, activity=draft, level=1, reason="补充照片")


def test_return_unfixed_reminds_the_author_only(returned):
    assert RULES["return_unfixed"](later(2)) == []

    ids = RULES["return_unfixed"](later(4))

    returned_on = ActivityEvent.objects.get(activity=returned, action=Action.RETURN).created_at
    assert received(Rule.RETURN_UNFIXED) == {
        ("staff_a1", f"activity:{returned.pk}", local_day(returned_on))
    }
    notification = Notification.objects.get(rule=Rule.RETURN_UNFIXED)
    assert ids == [notification.pk]
    assert notification.context["reason"] == "补充照片"
    assert notification.context["days"] == 4


def test_return_unfixed_skips_a_resubmitted_activity(returned, staff):
    services.activity_submit(actor=staff, activity=returned)

    assert RULES["return_unfixed"](later(4)) == []


def test_return_unfixed_skips_an_inactive_author(returned, staff):
    staff.is_active = False
    staff.save()

    assert RULES["return_unfixed"](later(4)) == []
    assert not Notification.objects.exists()


# --- coorganiser_unanswered ----------------------------------------------------------------------


@pytest.fixture
def named(tree, staff, draft):
    """union_a2 named on branch_a1's draft and not answering; a third unit already answered."""
    member(tree.union_a2, Role.STAFF, "staff_a2")
    member(tree.union_a2, Role.STAFF, "staff_a2_gone", active=False)
    answered_unit = UnitFactory(parent=tree.committee_a, code="A3", name="机关团支部")
    member(answered_unit, Role.STAFF, "staff_a3")
    pending = CoOrganiser.objects.create(activity=draft, unit=tree.union_a2)
    CoOrganiser.objects.create(
        activity=draft, unit=answered_unit, status=CoOrganiserStatus.CONFIRMED
    )
    return pending


def test_coorganiser_unanswered_reaches_that_units_staff(named, draft):
    assert RULES["coorganiser_unanswered"](later(2)) == []

    RULES["coorganiser_unanswered"](later(4))

    assert received(Rule.COORGANISER_UNANSWERED) == {
        ("staff_a2", f"coorganiser:{named.pk}", local_day(named.created_at))
    }
    notification = Notification.objects.get()
    assert notification.link == reverse("activities:detail", args=[draft.pk])
    assert notification.context["coorganiser_name"] == "机关工会"
    assert notification.context["activity_title"] == draft.title


def test_coorganiser_unanswered_skips_an_answered_invitation(named, tree):
    staff_a2 = UserFactory(username="staff_a2_new")
    MembershipFactory(user=staff_a2, unit=tree.union_a2, role=Role.STAFF)
    services.coorganiser_respond(actor=staff_a2, coorganiser=named, confirm=False)

    assert RULES["coorganiser_unanswered"](later(4)) == []


# --- phase_deadline ------------------------------------------------------------------------------


@pytest.fixture
def phases(tree, staff, reviewer, campaign):
    member(tree.branch_b1, Role.STAFF, "staff_b1")
    member(tree.branch_b1, Role.STAFF, "staff_b1_gone", active=False)
    closed_unit = UnitFactory(parent=tree.committee_b, code="B9", name="撤销支部", is_active=False)
    member(closed_unit, Role.STAFF, "staff_closed")
    city_phase = Phase.objects.create(
        campaign=campaign,
        name="组织实施",
        starts_on=date(2010, 6, 1),
        deadline=date(2010, 9, 30),
    )
    committee_campaign = CampaignFactory(unit=tree.committee_a, name="机关专项")
    committee_phase = Phase.objects.create(
        campaign=committee_campaign,
        name="总结表彰",
        starts_on=date(2010, 6, 1),
        deadline=date(2010, 9, 30),
    )
    return city_phase, committee_phase


def test_phase_deadline_reaches_the_staff_of_every_unit_the_campaign_covers(phases):
    city_phase, committee_phase = phases

    RULES["phase_deadline"](at(2010, 9, 27, 8, 30))

    assert received(Rule.PHASE_DEADLINE) == {
        ("staff_a1", f"phase:{city_phase.pk}", "2010-09-30:3"),
        ("staff_b1", f"phase:{city_phase.pk}", "2010-09-30:3"),
        ("staff_a1", f"phase:{committee_phase.pk}", "2010-09-30:3"),
    }
    notification = Notification.objects.get(
        subject=f"phase:{city_phase.pk}", period__endswith=":3", recipient__username="staff_b1"
    )
    assert notification.context["phase_name"] == "组织实施"
    assert notification.context["deadline"] == "2010-09-30"
    assert notification.context["days"] == 3


def test_phase_deadline_says_nothing_outside_the_window(phases):
    assert RULES["phase_deadline"](at(2010, 9, 20, 8, 30)) == []  # 10 days left
    assert RULES["phase_deadline"](at(2010, 9, 30, 8, 30)) == []  # the day itself
    assert not Notification.objects.exists()


# --- weekly_digest -------------------------------------------------------------------------------


@pytest.fixture
def season(tree, staff, reviewer, leader, outsider, task, targets):
    """One approved activity of branch_a1; union_a2 has none (behind pace)."""
    member(tree.committee_a, Role.LEADER, "leader_a_gone", active=False)
    done = ActivityFactory(campaign=task.campaign, unit=tree.branch_a1, created_by=staff)
    done.tasks.set([task])
    services.activity_submit(actor=staff, activity=done)
    services.activity_approve(actor=reviewer, activity=done, level=1)
    late = ActivityFactory(campaign=task.campaign, unit=tree.branch_a1, created_by=staff)
    late.tasks.set([task])
    services.activity_submit(actor=staff, activity=late)
    type(late).objects.filter(pk=late.pk).update(waiting_since=later(-9))
    rollups_rebuild()  # the wait was moved back by hand, not by a transition
    return late


def test_weekly_digest_reaches_each_active_leader_with_their_units_figures(tree, season):
    RULES["weekly_digest"](at(2010, 7, 5, 8, 0))

    assert received(Rule.WEEKLY_DIGEST) == {
        ("leader_a", f"unit:{tree.committee_a.pk}", "2010-W27"),
        ("outsider_b", f"unit:{tree.committee_b.pk}", "2010-W27"),
    }
    digest = Notification.objects.get(recipient__username="leader_a")
    assert digest.link == reverse("dashboards:unit", args=[tree.committee_a.pk])
    assert digest.context["unit_name"] == tree.committee_a.name
    assert digest.context["figures"]["activities"] == 1
    assert digest.context["figures"]["overdue_reviews"] == 1
    assert digest.context["overdue"][0]["id"] == season.pk
    outsider_digest = Notification.objects.get(recipient__username="outsider_b")
    assert outsider_digest.context["figures"]["activities"] == 0
    assert outsider_digest.context["overdue"] == []


def test_weekly_digest_figures_equal_the_leaders_dashboard(tree, season, leader, client):
    RULES["weekly_digest"](at(2010, 7, 5, 8, 0))
    digest = Notification.objects.get(recipient=leader)

    client.force_login(leader)
    page = client.get(reverse("dashboards:unit", args=[tree.committee_a.pk]))

    assert page.status_code == 200
    headline = page.context["data"]["headline"]
    figures = digest.context["figures"]
    for key in ("percent", "activities", "participants", "overdue_reviews"):
        assert figures[key] == headline[key], key
    assert digest.context["pace"] == headline["pace"]
    assert figures["units"] == page.context["data"]["units"]
    behind = [row.unit.name for row in page.context["board"].behind]
    assert figures["behind"] == behind
    assert tree.union_a2.name in behind  # nothing approved: behind pace


def test_weekly_digest_is_weekly(tree, season):
    RULES["weekly_digest"](at(2010, 7, 5, 8, 0))
    assert RULES["weekly_digest"](at(2010, 7, 11, 20, 0)) == []  # same ISO week

    RULES["weekly_digest"](at(2010, 7, 12, 8, 0))

    periods = {p for _n, _s, p in received(Rule.WEEKLY_DIGEST)}
    assert periods == {"2010-W27", "2010-W28"}


# --- Scale ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_rules_run_a_constant_number_of_queries(
    size, tree, reviewer, task, campaign, django_assert_max_num_queries
):
    """Many units, staff and activities: the same queries (the weekly digest builds one
    dashboard per leader's unit, by design)."""
    Phase.objects.create(
        campaign=campaign, name="组织实施", starts_on=date(2010, 6, 1), deadline=date(2010, 12, 31)
    )
    for n in range(size):
        unit = UnitFactory(parent=tree.committee_a, code=f"S{n}", kind=UnitKind.PARTY_BRANCH)
        user = member(unit, Role.STAFF, f"staff_s{n}")
        TargetFactory(unit=unit, task=task)
        waiting, returned = (
            ActivityFactory(campaign=campaign, unit=unit, created_by=user, tasks=[task])
            for _ in range(2)
        )
        CoOrganiser.objects.create(activity=waiting, unit=tree.union_a2)
        services.activity_submit(actor=user, activity=waiting)
        services.activity_submit(actor=user, activity=returned)
        services.activity_return(actor=reviewer, activity=returned, level=1, reason="补充")
    member(tree.union_a2, Role.STAFF, "staff_a2")

    runs = {  # rule: (now, queries)
        "target_due": (at(2010, 12, 28, 8, 30), 7),
        "phase_deadline": (at(2010, 12, 28, 8, 30), 6),
        "review_overdue": (later(10), 9),  # one read of co-organisers (never their reviewers)
        "return_unfixed": (later(10), 5),
        "coorganiser_unanswered": (later(10), 6),
    }
    for name, (now, queries) in runs.items():
        with django_assert_max_num_queries(queries):
            assert len(RULES[name](now)) >= size, name
