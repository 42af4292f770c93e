from functools import cache

from django.http import HttpRequest

from common.sql import read, table
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
        # In plain SQL (common.sql): on every page.
        sql = f"SELECT COUNT(*) FROM {table(Notification)} WHERE recipient_id = %s"
        return read(sql + " AND read_at IS NULL", [user.pk])[0][0]

    return {"unread_notifications": unread_notifications}
