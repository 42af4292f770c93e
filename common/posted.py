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
