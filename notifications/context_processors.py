from functools import cache

from django.db import connection
from django.http import HttpRequest

from common.sql import table
from notifications.models import Notification


def unread(request: HttpRequest) -> dict:
    """The unread count for the navigation's inbox badge, for a signed-in user: one query, made
    only when a template shows it (the template engine calls the function; `cache` keeps it one
    query however often the page reads it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notifications() -> int:
        # Plain SQL: on every page, where building the ORM's count cost more than running it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {table(Notification)}"
                " WHERE recipient_id = %s AND read_at IS NULL",
                [user.pk],
            )
            return cursor.fetchone()[0]

    return {"unread_notifications": unread_notifications}
