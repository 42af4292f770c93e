"""Template helpers of leader comments: may the viewer comment on a unit (the service's rule),
and the download link of a follow-up's file when the scoped download view exists."""

from django import template
from django.urls import NoReverseMatch, reverse

from evaluations import comment_services

register = template.Library()


@register.filter
def may_comment_on(user, unit) -> bool:
    """`{% if request.user|may_comment_on:unit %}`: a leader on the unit or above, not its staff."""
    return bool(user and user.is_authenticated) and comment_services.may_comment(user, unit)


@register.simple_tag
def report_file_url(item) -> str:
    """The scoped download of a report file (evaluations:report_file), or "" where it is not
    served (the file's name is listed without a link)."""
    try:
        return reverse("evaluations:report_file", args=[item.pk])
    except NoReverseMatch:
        return ""


LATEST = 3


@register.simple_tag
def latest_comments(unit) -> list:
    """`{% latest_comments unit as comments %}`: the unit's newest comments, one query."""
    from evaluations.comment_selectors import unit_comments

    return list(unit_comments(unit)[:LATEST])
