"""Small pieces of markup that pages repeat on every row: tags over common.markup rather than
`{% include %}`s, which cost a template render each (a dashboard shows dozens)."""

from datetime import timedelta

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from common import markup

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a timedelta, rounded up: "try again in N minutes"."""
    if not value:
        return 0
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def percent(value: int | None) -> str:
    return markup.percent(value)


@register.simple_tag
def pace_badge(pace: str | None, label: str) -> SafeString:
    return mark_safe(markup.pace_badge(pace, label, _("No target")))  # escaped by markup


@register.simple_tag
def status_badge(activity) -> SafeString:
    return mark_safe(markup.status_badge(activity.status, activity.get_status_display()))


@register.simple_tag
def activity_dates(activity) -> SafeString:
    return mark_safe(markup.activity_dates(activity.starts_on, activity.ends_on))


@register.simple_tag
def progress_cell(percent: int | None, bar: int, label: str, testid: str = "") -> SafeString:
    return mark_safe(markup.progress_cell(percent, bar, label, _("No target"), testid))
