"""Links for a page of rows: a route reversed once, each row's id put in its place."""

from collections.abc import Callable

from django.urls import reverse

# An id no row has: a URL is reversed once with it, and each row's id put in its place.
_PK_MARKER = 987654321987654321


def url_for_pk(name: str, *args) -> Callable[[int], str]:
    """reverse(name, args=[*args, pk]) for a page of rows, the route resolved once."""
    prefix, _sep, suffix = reverse(name, args=[*args, _PK_MARKER]).partition(str(_PK_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"
