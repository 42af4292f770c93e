"""Small pieces that Django template pages repeat: the badges are the Jinja2 macros of
templates/jinja2/macros.html (written once, for the Jinja2 rows and these tags alike), and a
per cent is shown as common.figures says."""

from datetime import timedelta

from django import template
from django.utils.safestring import SafeString

from common import figures
from common.jinja2 import macros

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a timedelta, rounded up: "try again in N minutes"."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def percent(value: int | None) -> str:
    return figures.percent_text(value)


@register.simple_tag
def pace_badge(pace: str | None, label: str) -> SafeString:
    return SafeString(macros().pace_badge(pace, label))


@register.simple_tag
def status_badge(activity) -> SafeString:
    return SafeString(macros().status_badge(activity.status, activity.get_status_display()))


@register.simple_tag
def activity_dates(activity) -> SafeString:
    return SafeString(macros().activity_dates(activity.starts_on, activity.ends_on))
