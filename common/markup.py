"""Markup that pages repeat on every row, put together in Python.

A page of rows drawn by template nodes (a link, badges, a loop) costs more than everything else
on it: the busiest pages (the dashboards, the activity list, the review queue) draw their rows
with these pieces and str.format. Every value is escaped with html.escape, as
django.utils.html.escape does, before it is put in."""

from collections.abc import Callable
from html import escape

from django.urls import reverse

DASH = "—"
# An id no row has: a URL is reversed once with it, and each row's id put in its place.
_PK_MARKER = 987654321987654321


def url_for_pk(name: str, *args) -> Callable[[int], str]:
    """reverse(name, args=[*args, pk]) for a page of rows, the route resolved once."""
    prefix, _sep, suffix = reverse(name, args=[*args, _PK_MARKER]).partition(str(_PK_MARKER))
    return lambda pk: f"{prefix}{pk}{suffix}"


def percent(value: int | None) -> str:
    """A share in per cent, or a dash when there is nothing to measure it against."""
    return DASH if value is None else f"{value}%"


def status_badge(status: str, label: str) -> str:
    return (
        f'<span class="badge status-badge status-{escape(status)}" data-testid="status">'
        f"{escape(label)}</span>"
    )


def activity_dates(starts_on, ends_on) -> str:
    """An activity's day, or its first and last day."""
    first = f'<time datetime="{starts_on:%Y-%m-%d}">{starts_on:%Y-%m-%d}</time>'
    if ends_on and ends_on != starts_on:
        return f'{first} – <time datetime="{ends_on:%Y-%m-%d}">{ends_on:%Y-%m-%d}</time>'
    return first


def pace_badge(pace: str | None, label: str, no_target: str) -> str:
    """The pace (on_track / behind / at_risk, or empty when there is no target) as a badge."""
    if not pace:
        return f'<span class="text-body-secondary" title="{escape(no_target)}">{DASH}</span>'
    return (
        f'<span class="badge pace-badge pace-{escape(pace)}" data-testid="pace">'
        f"{escape(label)}</span>"
    )


def progress_cell(percent: int | None, bar: int, label: str, no_target: str, testid="") -> str:
    """A completion bar (drawn in steps by CSS classes: no inline style) with its figure, or
    "No target"."""
    if percent is None:
        return f'<span class="small text-body-secondary">{escape(no_target)}</span>'
    done = " bg-success" if percent >= 100 else ""
    test = f' data-testid="{escape(testid)}"' if testid else ""
    return (
        '<div class="d-flex align-items-center gap-2">'
        '<div class="progress target-progress flex-grow-1 d-none d-sm-flex" role="progressbar"'
        f' aria-label="{escape(label)}" aria-valuenow="{percent}" aria-valuemin="0"'
        f' aria-valuemax="100"><div class="progress-bar cx-bar-{bar}{done}"></div></div>'
        f'<span class="small fw-semibold dashboard-percent"{test}>{percent}%</span></div>'
    )
