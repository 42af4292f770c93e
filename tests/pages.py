"""Helpers for reading the pages the tests get back."""

from django.contrib.messages import get_messages


def messages_of(response) -> list[str]:
    """The flash messages a response showed or queued (after a redirect, or rendered)."""
    return [str(message) for message in get_messages(response.wsgi_request)]
