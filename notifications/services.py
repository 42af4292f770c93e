"""Writing notifications once and e-mailing each once.

- `notify` records (rule, recipient, subject, period) under a unique constraint: a rerun, a second
  beat process or a retried task writes nothing new. Only rows it really wrote are e-mailed.
- `deliver` claims each PENDING row with a conditional update to SENDING right before sending it,
  and marks it SENT after. A failed send goes back to PENDING and is retried by
  `deliver_due`; a claim left behind by a crashed worker is released after CLAIM_TIMEOUT. The one
  window left is a crash between the SMTP server accepting a mail and the SENT mark — kept to the
  time of one UPDATE.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from notifications.models import EmailState, Notification

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)
MAX_ATTEMPTS = 20
BATCH = 200


def _email_state(user: User) -> str:
    preference = getattr(user, "notification_email", "immediate")
    if not user.email or preference == "none":
        return EmailState.IN_APP
    if preference == "digest":
        return EmailState.IN_DIGEST
    return EmailState.PENDING


@dataclass(frozen=True)
class Notice:
    """One notice to write: who, about what, which occurrence."""

    recipient: User
    subject: str
    period: str
    link: str = ""
    context: dict | None = None


def notify(*, rule: str, notices: Iterable[Notice]) -> list[int]:
    """Write the notices not written before, and return the ids to hand to `deliver`: those
    written now (a concurrent run may return the same ids; `deliver`'s claim sends each once).
    Inactive users get nothing."""
    wanted: dict[tuple[int, str, str], Notice] = {}
    for notice in notices:
        if notice.recipient.is_active:
            wanted.setdefault((notice.recipient.pk, notice.subject, notice.period), notice)
    if not wanted:
        return []
    stamp = timezone.now()
    rows = [
        Notification(
            recipient=n.recipient,
            rule=rule,
            subject=n.subject,
            period=n.period,
            link=n.link,
            context=n.context or {},
            email_state=_email_state(n.recipient),
        )
        for n in wanted.values()
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        # Rows written by this call carry its timestamp or later and did not exist before:
        # select them back by key, created now (a rerun finds only older rows).
        written = Notification.objects.filter(
            rule=rule,
            recipient_id__in={k[0] for k in wanted},
            created_at__gte=stamp,
        ).values_list("pk", "recipient_id", "subject", "period")
        return [pk for pk, *key in written if tuple(key) in wanted]


def _claim(pk: int) -> bool:
    """Take one PENDING notification for this worker, just before sending it: a claim covers one
    send (bounded by EMAIL_TIMEOUT), never a whole batch that could outlive CLAIM_TIMEOUT."""
    return bool(
        Notification.objects.filter(pk=pk, email_state=EmailState.PENDING).update(
            email_state=EmailState.SENDING,
            email_claimed_at=timezone.now(),
            email_attempts=F("email_attempts") + 1,
        )
    )


def _mark_sent(pk: int, *, claimed: float) -> None:
    """The mail is out: record it. A database that is down for a moment (a restart) must not lose
    the mark — the claim would then expire and the mail go out twice — so the mark is retried,
    on a new connection, for up to half the claim's time."""
    delay = 0.25
    while True:
        try:
            Notification.objects.filter(pk=pk).update(
                email_state=EmailState.SENT, emailed_at=timezone.now()
            )
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() - claimed + delay > CLAIM_TIMEOUT.total_seconds() / 2:
                raise
            log.warning("Marking notification %s sent failed; retrying", pk, exc_info=True)
            if not connection.in_atomic_block:
                connection.close()  # a broken connection; the next query opens another
            time.sleep(delay)
            delay = min(delay * 2, 4)


def deliver(ids: Iterable[int]) -> int:
    """E-mail the given notifications that still wait; returns how many were sent."""
    from notifications.emails import notification_message

    waiting = list(
        Notification.objects.filter(pk__in=sorted(set(ids)), email_state=EmailState.PENDING)
        .select_related("recipient")
        .order_by("pk")
    )
    if not waiting:
        return 0
    sent = 0
    mail = get_connection(fail_silently=False)
    mail.open()  # no mail server: nothing is claimed yet, the task is retried
    try:
        for notification in waiting:
            if not _claim(notification.pk):
                continue  # another worker has it, or it went out already
            claimed = time.monotonic()
            try:
                mail.send_messages([notification_message(notification)])
            except Exception:  # any failure of the mail server: retry later
                log.warning("Sending notification %s failed", notification.pk, exc_info=True)
                Notification.objects.filter(
                    pk=notification.pk, email_state=EmailState.SENDING
                ).update(email_state=EmailState.PENDING)
                continue
            _mark_sent(notification.pk, claimed=claimed)
            sent += 1
    finally:
        mail.close()
    return sent


def due_ids(limit: int = 10 * BATCH) -> list[int]:
    """Notifications waiting to be e-mailed, with claims older than CLAIM_TIMEOUT released."""
    stale = timezone.now() - CLAIM_TIMEOUT
    Notification.objects.filter(email_state=EmailState.SENDING, email_claimed_at__lt=stale).update(
        email_state=EmailState.PENDING
    )
    return list(
        Notification.objects.filter(email_state=EmailState.PENDING, email_attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def batches(ids: list[int], size: int = BATCH) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]
