"""The activity search's rows (dashboards/activity_search.html) as one tag over a Jinja2
fragment (templates/jinja2/dashboards/activity_rows.html): a page shows 25, and drawn by Django
template nodes (a link, badges, dates, a loop over tasks) they cost more than everything else on
the page."""

from typing import TYPE_CHECKING

from django import template
from django.utils.safestring import SafeString

from activities.models import Status
from common.jinja2 import render_fragment

if TYPE_CHECKING:  # the view hands the rows over; the tag only reads them
    from dashboards.list_views import Row

register = template.Library()


@register.simple_tag
def activity_rows(rows: list["Row"], without_unit: str) -> SafeString:
    """The list's rows. `without_unit` is the list's query string less the unit filter, which
    the link on each organiser's name sets to that unit."""
    return render_fragment(
        "dashboards/activity_rows.html",
        rows=rows,
        without_unit=without_unit,
        statuses=dict(Status.choices),
    )
