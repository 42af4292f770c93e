"""Exactly once: every rule run twice in a row, or by two threads at once on PostgreSQL, writes
each notice once and e-mails it once (and escalates once).

The race needs PostgreSQL (SQLite has one writer and would only serialise the threads); `.ci/run`
sets CHUANGXIAN_REQUIRE_POSTGRES so that there it fails instead of skipping."""

import os
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone, translation

from activities import services
from activities.models import Action, ActivityEvent, CoOrganiser
from campaigns.models import Phase, Target
from notifications.models import EmailState, Notification
from notifications.rules import RULES
from notifications.services import deliver
from tests.factories import ActivityFactory, MembershipFactory, UserFactory
from units.models import Role

# Who gets what for the scene below (escalations are written by the review_overdue job).
EXPECTED = {
    "target_due": {"staff_a1", "staff_a2"},
    "review_overdue": {"reviewer_a"},
    "review_escalated": {"reviewer_city"},
    "return_unfixed": {"staff_a1"},
    "coorganiser_unanswered": {"staff_a2"},
    "phase_deadline": {"staff_a1", "staff_a2"},
    "weekly_digest": {"leader_a"},
}


@pytest.fixture
def scene(tree, staff, reviewer, leader, task, targets, campaign):
    """Something for every rule to remind of, 16 days from now: a submission waiting past twice
    the deadline, a return not fixed, an unanswered co-organiser, targets behind pace and a phase
    deadline 3 days ahead, a leader for the digest."""
    now = timezone.now() + timedelta(days=16)
    staff_a2 = UserFactory(username="staff_a2")
    MembershipFactory(user=staff_a2, unit=tree.union_a2, role=Role.STAFF)
    above = UserFactory(username="reviewer_city")
    MembershipFactory(user=above, unit=tree.city, role=Role.REVIEWER)

    def draft():
        return ActivityFactory(
            campaign=campaign, unit=tree.branch_a1, created_by=staff, tasks=[task]
        )

    services.activity_submit(actor=staff, activity=draft())
    returned = services.activity_submit(actor=staff, activity=draft())
    services.activity_return(actor=reviewer, activity=returned, level=1, reason="补充照片")
    CoOrganiser.objects.create(activity=draft(), unit=tree.union_a2)
    soon = timezone.localdate(now) + timedelta(days=3)
    Target.objects.update(due_on=soon)
    Phase.objects.create(
        campaign=campaign, name="组织实施", starts_on=campaign.starts_on, deadline=soon
    )
    mail.outbox.clear()
    return now


def _written(rule: str) -> list[str]:
    return sorted(
        Notification.objects.filter(rule=rule).values_list("recipient__username", flat=True)
    )


def _check_each_sent_once() -> None:
    rows = Notification.objects.filter(rule__in=EXPECTED)
    assert all(row.email_state == EmailState.SENT for row in rows)
    assert all(row.email_attempts == 1 for row in rows)
    assert len(mail.outbox) == rows.count()
    for rule, usernames in EXPECTED.items():
        assert _written(rule) == sorted(usernames), rule
    assert ActivityEvent.objects.filter(action=Action.ESCALATE).count() == 1


@pytest.mark.django_db
def test_every_rule_run_twice_writes_and_sends_nothing_new(scene):
    for rule in RULES.values():
        deliver(rule(scene))
    _check_each_sent_once()
    rows, mails = Notification.objects.count(), len(mail.outbox)

    for name, rule in RULES.items():
        assert rule(scene) == [], name
        assert deliver(rule(scene)) == 0, name

    assert Notification.objects.count() == rows
    assert len(mail.outbox) == mails
    _check_each_sent_once()


# --- Two workers at once, on PostgreSQL ---------------------------------------------------------


@pytest.fixture
def needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CHUANGXIAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("CHUANGXIAN_REQUIRE_POSTGRES=1 but the database is not PostgreSQL")
        pytest.skip("a race needs PostgreSQL's row locks: set DATABASE_URL to run it")


def _race(job, times: int = 2) -> list[BaseException]:
    """Run `job` in `times` threads, each on its own connection, released at once."""
    barrier = threading.Barrier(times)
    errors: list[BaseException] = []

    def run():
        try:
            with translation.override("en"):
                barrier.wait()
                job()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_every_rule_run_by_two_workers_at_once_sends_each_notice_once(needs_postgresql, scene):
    for name, rule in RULES.items():
        errors = _race(lambda rule=rule: deliver(rule(scene)))
        assert errors == [], (name, errors)

    _check_each_sent_once()
    emailed = sorted(message.to[0] for message in mail.outbox)
    assert len(emailed) == sum(len(users) for users in EXPECTED.values())
