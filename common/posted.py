"""Whole numbers read from a request: anything unreadable (missing, not digits, a sign, thousands of
digits) is None, never an error."""

from django.http import QueryDict


def whole_number(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def level_seen(data: QueryDict) -> int | None:
    """The review level a reviewer's page showed, posted with their decision (`level`), so that a
    decision made on a stale page is refused rather than applied at another level: None when it
    is missing or not a level (a crafted request, answered 400)."""
    level = whole_number(data.get("level"))
    return level if level is not None and level >= 1 else None


TOKEN_MAX_LENGTH = 64
_TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def token(value: str | None) -> str:
    """A public id or link token from a URL (secrets.token_urlsafe's alphabet, at most 64
    characters), else "" — which names nothing: a NUL byte or any other character never reaches
    the database (PostgreSQL refuses a NUL in a query: a 500)."""
    value = value or ""
    if len(value) > TOKEN_MAX_LENGTH or not set(value) <= _TOKEN_ALPHABET:
        return ""
    return value
