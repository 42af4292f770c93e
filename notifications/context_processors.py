from functools import cache

from django.http import HttpRequest


def unread(request: HttpRequest) -> dict:
    """The unread count for the navigation's inbox badge, for a signed-in user: one query, made
    only when a template shows it (the template engine calls the function; `cache` keeps it one
    query however often the page reads it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notifications() -> int:
        return user.notifications.filter(read_at__isnull=True).count()

    return {"unread_notifications": unread_notifications}
