"""The daily e-mail digest: one mail a day for those who chose it, listing what came since the
last one — once, however often the job runs, retried when the mail server fails."""

import os
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone, translation

from accounts.models import NotificationEmail
from notifications import digests, emails, services, tasks
from notifications.messages import describe
from notifications.models import DigestDelivery, EmailState, Notification, Rule
from tests.factories import UserFactory
from tests.notifications import write


@pytest.fixture
def reader(db):
    return UserFactory(
        username="digest_reader",
        name="Zhou Min",
        language="en",
        notification_email=NotificationEmail.DIGEST,
    )


def _two_notices(user) -> list[Notification]:
    return [
        write(user, subject="activity:1", context={"activity_title": "主题党日"}),
        write(
            user,
            rule=Rule.PHASE_DEADLINE,
            subject="phase:1",
            context={"phase_name": "组织实施", "days": 3},
        ),
    ]


def test_notices_for_the_digest_are_not_emailed_one_by_one(reader):
    notices = _two_notices(reader)

    assert {n.email_state for n in notices} == {EmailState.IN_DIGEST}
    assert services.deliver([n.pk for n in notices]) == 0
    tasks.deliver_due.delay()
    assert mail.outbox == []


def test_one_digest_a_day_lists_them_all_even_when_the_job_runs_twice(reader):
    notices = _two_notices(reader)

    assert tasks.send_digests.delay().get() == 1
    assert tasks.send_digests.delay().get() == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email]
    assert message.subject == "Daily digest: 2 notifications"
    assert "Activity returned: 主题党日" in message.body
    assert "Phase deadline in 3 days: 组织实施" in message.body
    assert "Activity returned: 主题党日" in message.alternatives[0][0]
    for notification in notices:
        notification.refresh_from_db()
        assert notification.email_state == EmailState.SENT
        assert notification.emailed_at is not None
    delivery = DigestDelivery.objects.get(recipient=reader)
    assert delivery.day == timezone.localdate()
    assert delivery.state == EmailState.SENT
    assert delivery.attempts == 1


def test_what_comes_after_the_days_digest_waits_for_the_next_day(reader):
    _two_notices(reader)
    tasks.send_digests.delay()
    late = write(reader, subject="activity:3", context={"activity_title": "党课"})

    assert tasks.send_digests.delay().get() == 0
    late.refresh_from_db()
    assert late.email_state == EmailState.IN_DIGEST

    assert digests.digests_send(now=timezone.now() + timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert "党课" in mail.outbox[1].body
    assert "主题党日" not in mail.outbox[1].body
    late.refresh_from_db()
    assert late.email_state == EmailState.SENT
    assert DigestDelivery.objects.filter(recipient=reader).count() == 2


def test_a_failed_digest_is_retried_and_sent_once(reader, settings):
    notices = _two_notices(reader)
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FailingBackend"

    assert tasks.send_digests.delay().get() == 0

    delivery = DigestDelivery.objects.get(recipient=reader)
    assert delivery.state == EmailState.PENDING
    assert {n.email_state for n in Notification.objects.all()} == {EmailState.IN_DIGEST}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.send_digests.delay().get() == 1
    assert tasks.send_digests.delay().get() == 0
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (EmailState.SENT, 2)
    assert {n.email_state for n in Notification.objects.filter(pk__in=[n.pk for n in notices])} == {
        EmailState.SENT
    }


def test_a_stale_digest_claim_is_taken_over_and_a_fresh_one_left_alone(reader):
    _two_notices(reader)
    delivery = DigestDelivery.objects.create(
        recipient=reader,
        day=timezone.localdate(),
        state=EmailState.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=1),
        attempts=1,
    )

    assert tasks.send_digests.delay().get() == 0
    assert mail.outbox == []

    DigestDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=timezone.now() - services.CLAIM_TIMEOUT - timedelta(minutes=1)
    )
    assert tasks.send_digests.delay().get() == 1
    assert len(mail.outbox) == 1


def test_someone_who_switched_to_in_app_only_gets_no_digest(reader):
    _two_notices(reader)
    reader.notification_email = NotificationEmail.NONE
    reader.save()

    assert tasks.send_digests.delay().get() == 0

    assert mail.outbox == []
    assert {n.email_state for n in Notification.objects.all()} == {EmailState.IN_APP}
    assert not DigestDelivery.objects.exists()


def test_an_inactive_user_gets_no_digest(reader):
    _two_notices(reader)
    reader.is_active = False
    reader.save()

    assert tasks.send_digests.delay().get() == 0
    assert mail.outbox == []


def test_people_with_nothing_waiting_get_no_digest(reader):
    immediate = UserFactory()
    write(immediate)

    assert tasks.send_digests.delay().get() == 0
    assert len(mail.outbox) == 0
    assert not DigestDelivery.objects.exists()


def test_the_digest_is_in_the_recipients_language(reader):
    chinese = UserFactory(name="周敏", language="zh-hans", notification_email="digest")
    for user in (reader, chinese):
        write(user, rule=Rule.TARGET_DUE, context={"due_on": "2010-05-01", "days": 3})

    with translation.override("en"):
        tasks.send_digests.delay()

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Hello Zhou Min," in by_recipient[reader.email].body
    assert "May 1, 2010" in by_recipient[reader.email].body
    assert "您好" in by_recipient[chinese.email].body
    assert "2010年5月1日" in by_recipient[chinese.email].body


def test_a_long_digest_lists_the_newest_and_points_to_the_inbox(reader, monkeypatch):
    monkeypatch.setattr(emails, "DIGEST_LIMIT", 2)
    for n in range(3):
        write(reader, subject=f"activity:{n}", context={"activity_title": f"活动{n}"})

    tasks.send_digests.delay()

    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Daily digest: 3 notifications"
    assert "活动2" in body
    assert "活动0" not in body
    assert "And 1 more in your inbox." in body
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 3


def test_the_weekly_digest_shows_the_dashboards_figures(reader):
    notification = write(
        reader,
        rule=Rule.WEEKLY_DIGEST,
        subject="unit:1",
        period="2010-W18",
        context={
            "unit_name": "市直机关党工委",
            "campaign_name": "2010 年党群共建创先争优",
            "as_of": "2010-05-03",
            "figures": {
                "percent": 42,
                "activities": 17,
                "behind": ["机关工会", "机关第一党支部"],
                "overdue_reviews": 2,
            },
        },
    )

    with translation.override("en"):
        description = describe(notification)

    assert description.title == "Weekly progress: 市直机关党工委"
    assert "2010 年党群共建创先争优 · as of May 3, 2010" in description.text
    assert "Progress against targets (%): 42" in description.text
    assert "Approved activities: 17" in description.text
    assert "Units behind pace: 机关工会, 机关第一党支部" in description.text
    assert "Reviews past the deadline: 2" in description.text


# --- Racing jobs (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_digest_jobs_at_once_send_one_digest_each():
    if connection.vendor != "postgresql":
        if os.environ.get("CHUANGXIAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("CHUANGXIAN_REQUIRE_POSTGRES=1 but the database is not PostgreSQL")
        pytest.skip("racing jobs need PostgreSQL's concurrent writers: set DATABASE_URL to run it")
    readers = [UserFactory(notification_email=NotificationEmail.DIGEST) for _ in range(10)]
    for user in readers:
        _two_notices(user)
    barrier = threading.Barrier(2)
    sent = [0, 0]

    def run(index):
        try:
            barrier.wait()
            sent[index] = digests.digests_send(now=timezone.now())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(sent) == 10
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in readers)
    assert DigestDelivery.objects.filter(state=EmailState.SENT).count() == 10
    assert not Notification.objects.exclude(email_state=EmailState.SENT).exists()
