"""E-mailing notifications: each sent once, whatever is retried or raced; a failed send waits and
is sent later; the mail is in the recipient's language, with absolute links."""

import threading
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connections
from django.utils import timezone, translation

from accounts.models import NotificationEmail
from notifications import services, tasks
from notifications.emails import absolute_url, notification_message
from notifications.messages import describe
from notifications.models import EmailState, Notification, Rule
from notifications.services import Notice, notify
from tests.factories import UserFactory
from tests.notifications import write


class FailingBackend(BaseEmailBackend):
    """A mail server that takes the connection and refuses every message."""

    def send_messages(self, email_messages):
        raise SMTPException("451 try again later")


class RefusingBackend(BaseEmailBackend):
    """A mail server that cannot be reached at all."""

    def open(self):
        raise ConnectionRefusedError("no mail server on port 25")

    def send_messages(self, email_messages):
        raise AssertionError("never reached")


@pytest.fixture
def user(db):
    return UserFactory(username="li_ming", name="李明", language="en")


def test_it_emails_a_notification_once_when_delivered_twice(user):
    notification = write(user, link="/activities/7/", context={"activity_title": "主题党日"})
    assert notification.email_state == EmailState.PENDING

    assert tasks.deliver.delay([notification.pk]).get() == 1
    assert tasks.deliver.delay([notification.pk]).get() == 0
    assert services.deliver([notification.pk, notification.pk]) == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT
    assert notification.emailed_at is not None
    assert notification.email_attempts == 1


def test_rewriting_the_same_notice_writes_and_sends_nothing_more(user):
    notice = Notice(user, "activity:1", "2010-05-01", "/", {})
    first = notify(rule=Rule.RETURN_UNFIXED, notices=[notice, notice])
    again = notify(rule=Rule.RETURN_UNFIXED, notices=[notice])

    assert len(first) == 1
    assert again == []
    services.deliver(first + again)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1


def test_a_user_who_chose_in_app_only_gets_no_email(user):
    user.notification_email = NotificationEmail.NONE
    user.save()
    notification = write(user)

    assert notification.email_state == EmailState.IN_APP
    assert services.deliver([notification.pk]) == 0
    tasks.deliver_due.delay()
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_state == EmailState.IN_APP


def test_a_user_without_an_email_address_gets_the_notice_in_the_app_only(db):
    nobody = UserFactory(email="")
    notification = write(nobody)

    assert notification.email_state == EmailState.IN_APP
    assert services.deliver([notification.pk]) == 0
    assert mail.outbox == []


def test_an_inactive_user_gets_nothing(db):
    gone = UserFactory(is_active=False)
    assert notify(rule=Rule.RETURNED, notices=[Notice(gone, "activity:1", "1")]) == []
    assert not Notification.objects.filter(recipient=gone).exists()


def test_a_failed_send_waits_and_is_sent_once_by_a_later_run(user, settings):
    notification = write(user)
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.FailingBackend"

    assert tasks.deliver.delay([notification.pk]).get() == 0

    notification.refresh_from_db()
    assert notification.email_state == EmailState.PENDING
    assert notification.email_attempts == 1
    assert notification.emailed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.deliver_due.delay().get() == 1
    tasks.deliver_due.delay()

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT
    assert notification.email_attempts == 2


def test_an_unreachable_mail_server_gives_the_claims_back_at_once(user, settings):
    first, second = write(user, subject="activity:1"), write(user, subject="activity:2")
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RefusingBackend"

    with pytest.raises(ConnectionRefusedError):
        services.deliver([first.pk, second.pk])

    states = set(Notification.objects.values_list("email_state", flat=True))
    assert states == {EmailState.PENDING}
    assert services.due_ids() == [first.pk, second.pk]


def test_a_notification_failing_too_often_is_given_up(user, settings):
    notification = write(user)
    Notification.objects.filter(pk=notification.pk).update(email_attempts=services.MAX_ATTEMPTS)

    assert notification.pk not in services.due_ids()


def test_a_stale_claim_of_a_crashed_worker_is_released_and_sent_once(user):
    stale, fresh = write(user, subject="activity:1"), write(user, subject="activity:2")
    now = timezone.now()
    Notification.objects.filter(pk=stale.pk).update(
        email_state=EmailState.SENDING,
        email_claimed_at=now - services.CLAIM_TIMEOUT - timedelta(minutes=1),
        email_attempts=1,
    )
    Notification.objects.filter(pk=fresh.pk).update(
        email_state=EmailState.SENDING, email_claimed_at=now - timedelta(minutes=1)
    )

    tasks.deliver_due.delay()
    tasks.deliver_due.delay()

    assert len(mail.outbox) == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.email_state == EmailState.SENT
    assert fresh.email_state == EmailState.SENDING  # another worker's, still at work


def test_deliver_due_spreads_the_work_in_batches(user, monkeypatch):
    ids = notify(
        rule=Rule.RETURNED,
        notices=[Notice(user, f"activity:{n}", "1") for n in range(services.BATCH + 1)],
    )
    seen: list[int] = []
    real = services.deliver
    monkeypatch.setattr(services, "deliver", lambda batch: seen.append(len(batch)) or real(batch))

    assert tasks.deliver_due.delay().get() == len(ids)

    assert seen == [services.BATCH, 1]
    assert len(mail.outbox) == services.BATCH + 1


# --- The message ----------------------------------------------------------------------------


def test_the_email_is_in_the_recipients_language(db):
    context = {"task_title": "主题党日", "unit_name": "机关第一党支部", "days": 3}
    context["due_on"] = "2010-05-01"
    chinese = UserFactory(name="王芳", language="zh-hans")
    english = UserFactory(name="Wang Fang", language="en")
    undecided = UserFactory(name="赵强", language="")  # the site's language, Chinese
    for user in (chinese, english, undecided):
        write(user, rule=Rule.TARGET_DUE, subject="target:1", context=context)

    with translation.override("en"):  # whatever the sender's language
        services.deliver(Notification.objects.values_list("pk", flat=True))

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert len(by_recipient) == 3
    for user in (chinese, undecided):
        body = by_recipient[user.email].body
        assert "您好" in body
        assert "2010年5月1日" in body
    body = by_recipient[english.email].body
    assert "Hello Wang Fang," in body
    assert "May 1, 2010" in body
    assert "Target due in 3 days: 主题党日" in by_recipient[english.email].subject


def test_the_email_has_a_text_and_an_html_part_with_absolute_links(user, settings):
    settings.SITE_URL = "https://cx.example.gov.cn"
    notification = write(
        user,
        link="/activities/12/",
        context={"activity_title": "<b>党课</b>", "reason": "请补充照片", "reviewer": "张伟"},
    )

    message = notification_message(notification)

    assert message.subject == "Activity returned: <b>党课</b>"
    assert "\n" not in message.subject
    assert "https://cx.example.gov.cn/activities/12/" in message.body
    assert "张伟 wrote: 请补充照片" in message.body
    assert "https://cx.example.gov.cn/notifications/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://cx.example.gov.cn/activities/12/"' in html
    assert "&lt;b&gt;党课&lt;/b&gt;" in html
    assert "<b>党课</b>" not in html


def test_absolute_urls_keep_full_addresses_and_fill_empty_links(settings):
    settings.SITE_URL = "https://cx.example.gov.cn"
    assert absolute_url("/a/") == "https://cx.example.gov.cn/a/"
    assert absolute_url("a/") == "https://cx.example.gov.cn/a/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"
    assert absolute_url("") == "https://cx.example.gov.cn/notifications/"


@pytest.mark.parametrize("rule", Rule.values)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_rule_reads_even_without_details(user, rule, language):
    bare = write(user, rule=rule, context={})
    odd = write(user, rule=rule, period="2", context={"days": "x", "due_on": "?", "figures": 3})
    with translation.override(language):
        for notification in (bare, odd):
            description = describe(notification)
            assert description.title
            notification_message(notification)


def test_the_submitted_notice_counts_the_batch(user):
    one = write(user, rule=Rule.SUBMITTED, context={"count": 1, "activity_title": "主题党日"})
    many = write(user, rule=Rule.SUBMITTED, period="2", context={"count": 4})
    with translation.override("en"):
        assert describe(one).title == "New submission to review: 主题党日"
        assert describe(many).title == "4 new submissions to review"


# --- Racing workers (PostgreSQL) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgresql")
def test_two_workers_delivering_the_same_ids_send_each_mail_once():
    users = [UserFactory() for _ in range(5)]
    ids = notify(
        rule=Rule.RETURNED,
        notices=[Notice(u, f"activity:{n}", "1") for u in users for n in range(40)],
    )
    barrier = threading.Barrier(2)
    sent = [0, 0]

    def work(index):
        try:
            barrier.wait()
            sent[index] = services.deliver(ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(sent) == len(ids) == 200
    assert len(mail.outbox) == 200
    assert Notification.objects.filter(email_state=EmailState.SENT).count() == 200
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
