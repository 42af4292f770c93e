"""One rule for time (campaigns.deadlines): a submission is due at the local midnight that ends the
last day of its campaign's review deadline, and every place that says whether it is late — the
queue's badge and filter, the workbench, the dashboard, the activity's page, the reminder, the
escalation and the verdict on a decision — turns at that same instant."""

import re
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from activities import services
from activities.models import Action, Activity, ActivityEvent
from activities.progress import overdue_count, overdue_reviews
from campaigns import deadlines
from notifications.models import Notification, Rule
from notifications.rules import RULES
from tests.factories import CampaignFactory, MembershipFactory, UserFactory
from units.models import Role

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY_0 = date(2010, 6, 1)
# 07:30 in Shanghai is still the day before in UTC: the wait is counted from the local day.
SUBMITTED_AT = datetime.combine(DAY_0, time(7, 30), tzinfo=SHANGHAI)
QUEUE = reverse("activities:queue")


@contextmanager
def clock_at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def moments(day: int) -> list[datetime]:
    """Just after the local midnight that begins the day (the submission itself on day 0), and
    just before the one that ends it."""
    local = DAY_0 + timedelta(days=day)
    first = SUBMITTED_AT if day == 0 else datetime.combine(local, time(0, 0, 30), tzinfo=SHANGHAI)
    return [first, datetime.combine(local, time(23, 59, 30), tzinfo=SHANGHAI)]


def expected(day: int) -> str:
    # A 7-day deadline: days 0–4 on time, 5–7 due soon (DUE_SOON_DAYS = 2), late from day 8.
    return "ok" if day <= 4 else "due_soon" if day <= 7 else "overdue"


def badge_state(client) -> str:
    html = client.get(QUEUE).content.decode()
    return re.search(r'data-testid="waiting-badge" data-state="(\w+)"', html).group(1)


def verdict_if_approved_now(reviewer, activity: Activity) -> bool:
    """The on-time verdict an approval now would get, the approval then undone."""
    with transaction.atomic():
        services.activity_approve(
            actor=reviewer, activity=Activity.objects.get(pk=activity.pk), level=1
        )
        event = ActivityEvent.objects.get(activity=activity, action=Action.APPROVE)
        transaction.set_rollback(True)
    return event.on_time


def test_every_place_agrees_on_a_submission_from_day_0_to_day_15(
    client, tree, staff, reviewer, leader, draft
):
    city_reviewer = UserFactory(username="reviewer_city")
    MembershipFactory(user=city_reviewer, unit=tree.city, role=Role.REVIEWER)
    campaign = draft.campaign
    assert campaign.review_deadline_days == 7
    with clock_at(SUBMITTED_AT):
        activity = services.activity_submit(actor=staff, activity=draft)
    assert activity.waiting_since == SUBMITTED_AT

    seen = []
    for day in range(16):
        for now in moments(day):
            with clock_at(now):
                today = deadlines.today(campaign)
                state = expected(day)
                late = state == "overdue"

                client.force_login(reviewer)
                badge = badge_state(client)
                filtered = client.get(QUEUE, {"overdue": "on"}).context["page"].count
                bench = client.get(reverse("home")).context["bench"].reviewer
                page = client.get(reverse("activities:detail", args=[activity.pk])).context
                client.force_login(leader)
                board = client.get(reverse("dashboards:unit", args=[tree.committee_a.pk]))
                headline = board.context["board"].headline

                RULES["review_overdue"](now)
                reminded = Notification.objects.filter(
                    rule=Rule.REVIEW_OVERDUE, recipient=reviewer
                ).count()
                escalated = Notification.objects.filter(
                    rule=Rule.REVIEW_ESCALATED, recipient=city_reviewer
                ).count()
                on_time = verdict_if_approved_now(reviewer, activity)

                found = {
                    "module": deadlines.state(activity.waiting_since, campaign, today),
                    "badge": badge,
                    "bench": [k for k in ("overdue", "due_soon", "on_time") if getattr(bench, k)],
                    "filter": filtered,
                    "detail": page["overdue"],
                    "dashboard": headline.overdue_reviews,
                    "overdue_count": overdue_count(tree.committee_a, campaign),
                    "overdue_list": overdue_reviews(tree.committee_a, campaign).count(),
                    "reminders": reminded,
                    "escalations": escalated,
                    "on_time": on_time,
                }
                assert found == {
                    "module": state,
                    "badge": state,
                    "bench": ["on_time" if state == "ok" else state],
                    "filter": int(late),
                    "detail": late,
                    "dashboard": int(late),
                    "overdue_count": int(late),
                    "overdue_list": int(late),
                    "reminders": int(late),  # exactly once, however many runs
                    "escalations": int(day >= 15),  # past twice the deadline
                    "on_time": not late,
                }, (day, now.isoformat())
                assert (now >= deadlines.due_at(activity.waiting_since, campaign)) == late
                seen.append(state)

    # The whole walk, each day's two ends the same: the flips fall on midnights.
    assert seen == [expected(day) for day in range(16) for _end in (0, 1)]
    escalations = ActivityEvent.objects.filter(activity=activity, action=Action.ESCALATE)
    assert escalations.count() == 1
    assert deadlines.due_at(SUBMITTED_AT, campaign) == datetime(2010, 6, 9, tzinfo=SHANGHAI)
    assert deadlines.escalate_at(SUBMITTED_AT, campaign) == datetime(2010, 6, 16, tzinfo=SHANGHAI)


def test_the_sql_forms_agree_with_the_days_for_every_deadline_and_hour(tree, staff, task):
    """overdue_q, due_soon_q and escalation_q pick the rows that state and escalates name, for
    waits begun at every hour of a fortnight and deadlines of 1, 3 and 7 days."""
    campaigns = [CampaignFactory(unit=tree.city, review_deadline_days=n) for n in (1, 3, 7)]
    today = date(2010, 6, 20)
    waits = []
    for campaign in campaigns:
        for hour in range(0, 16 * 24, 5):
            since = datetime.combine(today, time(23), tzinfo=SHANGHAI) - timedelta(hours=hour)
            waits.append(
                Activity.objects.create(
                    campaign=campaign,
                    unit=tree.branch_a1,
                    created_by=staff,
                    title=f"{campaign.pk}-{hour}",
                    starts_on=date(2010, 6, 1),
                    status="submitted",
                    waiting_since=since,
                )
            )
    rows = Activity.objects.filter(pk__in=[a.pk for a in waits])

    def picked(q) -> set[int]:
        return set(rows.filter(q).values_list("pk", flat=True))

    def named(test) -> set[int]:
        return {a.pk for a in waits if test(a)}

    assert picked(deadlines.overdue_q(today)) == named(
        lambda a: deadlines.state(a.waiting_since, a.campaign, today) == "overdue"
    )
    assert picked(deadlines.due_soon_q(today)) == named(
        lambda a: deadlines.state(a.waiting_since, a.campaign, today) == "due_soon"
    )
    assert picked(deadlines.escalation_q(today)) == named(
        lambda a: deadlines.escalates(a.waiting_since, a.campaign, today)
    )
    for a in waits:  # the moment it is due is the moment it turns overdue
        due = deadlines.due_at(a.waiting_since, a.campaign)
        last_day = deadlines.today(a.campaign, due - timedelta(seconds=1))
        assert deadlines.state(a.waiting_since, a.campaign, last_day) != "overdue"
        assert deadlines.state(a.waiting_since, a.campaign, due.date()) == "overdue"
        assert deadlines.decided_on_time(a.waiting_since, a.campaign, due - timedelta(seconds=1))
        assert not deadlines.decided_on_time(a.waiting_since, a.campaign, due)


def test_a_campaigns_days_are_local_days_in_its_zone(campaign):
    assert campaign.tz == SHANGHAI
    late_evening_utc = datetime(2010, 5, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # 07:30 on 1 June
    assert deadlines.began_on(late_evening_utc, campaign) == date(2010, 6, 1)
    assert deadlines.due_on(late_evening_utc, campaign) == date(2010, 6, 8)
    assert deadlines.decided_on_time(None, campaign, late_evening_utc)


@pytest.mark.parametrize(
    ("first", "working_days", "last"),
    [
        (date(2026, 12, 4), 5, date(2026, 12, 10)),  # a Friday counts, the weekend does not
        (date(2026, 12, 5), 1, date(2026, 12, 7)),  # opened on a Saturday: Monday is the first
        (date(2026, 12, 7), 5, date(2026, 12, 11)),  # Monday to Friday
        (date(2026, 12, 7), 0, date(2026, 12, 7)),  # never shorter than a day
    ],
)
def test_a_notice_period_counts_working_days(first, working_days, last):
    assert deadlines.last_working_day(first, working_days) == last
