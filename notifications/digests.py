"""The daily e-mail digest: one mail a day per person who chose it, listing the notifications
written for the digest since the last one.

Sent once like a notification: the unique DigestDelivery(recipient, day) is claimed with a
conditional update (PENDING → SENDING) before the mail leaves, so a rerun, a second beat process
or a retried task sends nothing more that day. The notifications listed are marked SENT with the
digest, so the next digest does not list them again. A failed send gives the claim back and
leaves the notifications waiting; the next run retries.
"""

import logging
from datetime import datetime

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import NotificationEmail, User
from notifications.emails import digest_message
from notifications.models import DigestDelivery, EmailState, Notification
from notifications.services import CLAIM_TIMEOUT, MAX_ATTEMPTS

log = logging.getLogger(__name__)


def digest_recipient_ids() -> list[int]:
    """People with notifications waiting for a digest."""
    return list(
        Notification.objects.filter(email_state=EmailState.IN_DIGEST)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


def _claim(recipient: User, day) -> DigestDelivery | None:
    delivery, _created = DigestDelivery.objects.get_or_create(recipient=recipient, day=day)
    now = timezone.now()
    # A claim left by a crashed worker is taken over after CLAIM_TIMEOUT.
    claimable = Q(state=EmailState.PENDING, attempts__lt=MAX_ATTEMPTS) | Q(
        state=EmailState.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT
    )
    taken = DigestDelivery.objects.filter(claimable, pk=delivery.pk).update(
        state=EmailState.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return delivery if taken == 1 else None


def digest_send(*, recipient: User, now: datetime) -> bool:
    """Send `recipient` today's digest unless it went already; True if a mail left now."""
    waiting = Notification.objects.filter(
        recipient=recipient, email_state=EmailState.IN_DIGEST, created_at__lte=now
    )
    if not recipient.is_active:
        return False
    if not recipient.email or recipient.notification_email == NotificationEmail.NONE:
        # They chose in-app only since these were written: nothing to e-mail.
        waiting.update(email_state=EmailState.IN_APP)
        return False
    delivery = _claim(recipient, timezone.localdate(now))
    if delivery is None:
        return False
    notifications = list(waiting.order_by("-created_at", "-pk"))
    if not notifications:
        DigestDelivery.objects.filter(pk=delivery.pk).update(state=EmailState.PENDING)
        return False
    try:
        get_connection(fail_silently=False).send_messages(
            [digest_message(recipient, notifications)]
        )
    except Exception:  # any failure of the mail server: give the claim back, retry later
        log.warning("Sending the digest to user %s failed", recipient.pk, exc_info=True)
        DigestDelivery.objects.filter(pk=delivery.pk, state=EmailState.SENDING).update(
            state=EmailState.PENDING
        )
        return False
    sent_at = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(
            pk__in=[n.pk for n in notifications], email_state=EmailState.IN_DIGEST
        ).update(email_state=EmailState.SENT, emailed_at=sent_at)
        DigestDelivery.objects.filter(pk=delivery.pk).update(state=EmailState.SENT, sent_at=sent_at)
    return True


def digests_send(*, now: datetime) -> int:
    """Send the day's digests; returns how many mails left."""
    users = User.objects.filter(pk__in=digest_recipient_ids()).order_by("pk")
    return sum(digest_send(recipient=user, now=now) for user in users)
