"""E-mails from templates: a subject / text / html triple under templates/emails/, rendered in the
recipient's language by one helper, with absolute links built on settings.SITE_URL."""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from notifications.messages import describe
from notifications.models import Notification

# A digest lists at most this many notifications; the rest are a link away, in the inbox.
DIGEST_LIMIT = 50


def absolute_url(link: str) -> str:
    """A link as stored on a notification (a path) made openable from a mail client."""
    if not link:
        return settings.SITE_URL + reverse("notifications:inbox")
    if link.startswith(("http://", "https://")):
        return link
    return settings.SITE_URL + ("" if link.startswith("/") else "/") + link


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def render_email(
    template_prefix: str, context: dict, *, language: str, to: Sequence[str]
) -> EmailMultiAlternatives:
    """Render emails/<prefix>_subject.txt, <prefix>.txt and <prefix>.html in `language`."""
    with translation.override(language):
        context = {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "inbox_url": settings.SITE_URL + reverse("notifications:inbox"),
            "profile_url": settings.SITE_URL + reverse("accounts:profile"),
            **context,
        }
        subject = render_to_string(f"emails/{template_prefix}_subject.txt", context)
        text = render_to_string(f"emails/{template_prefix}.txt", context)
        html = render_to_string(f"emails/{template_prefix}.html", context)
    # A header cannot hold a line break.
    subject = " ".join(subject.split())
    message = EmailMultiAlternatives(subject, text, to=list(to))
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The e-mail for one notification, to its recipient, in their language."""
    recipient = notification.recipient
    language = language_of(recipient)
    with translation.override(language):
        description = describe(notification)
    message = render_email(
        "notification",
        {
            "recipient": recipient,
            "notification": notification,
            "description": description,
            "url": absolute_url(notification.link),
        },
        language=language,
        to=[recipient.email],
    )
    message.extra_headers["X-Notification-Id"] = str(notification.pk)  # traceable, once
    return message


def digest_message(
    recipient: User, notifications: Sequence[Notification]
) -> EmailMultiAlternatives:
    """One e-mail listing a day's notifications (newest first), in the recipient's language."""
    language = language_of(recipient)
    with translation.override(language):
        items = [
            {
                "notification": n,
                "description": describe(n),
                "url": absolute_url(n.link),
            }
            for n in notifications[:DIGEST_LIMIT]
        ]
    return render_email(
        "digest",
        {
            "recipient": recipient,
            "items": items,
            "count": len(notifications),
            "more": max(len(notifications) - DIGEST_LIMIT, 0),
        },
        language=language,
        to=[recipient.email],
    )
