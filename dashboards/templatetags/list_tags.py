"""The activity list's rows as one tag: a page shows 25, and drawn by the template's nodes (a
link, badges, dates, a loop over tasks), or by format_html's escaping of each value in turn,
they cost more than everything else on the page. The markup is the template's it replaced."""

from html import escape
from typing import TYPE_CHECKING

from django import template
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.models import Status
from common import markup

if TYPE_CHECKING:  # the view hands the rows over; the tag only reads them
    from dashboards.list_views import Row

register = template.Library()

# Every value is escaped (html.escape, as django.utils.html.escape does) before it is put in.
ROW = """
    <div class="list-group-item" data-testid="activity-row">
      <div class="row g-1 g-md-3">
        <div class="col-12 col-md min-w-0">
          <a class="fw-semibold text-break" href="{url}">{title}</a>
          {status}
          <div class="small text-break">{unit}{parent}</div>
          {tasks}
        </div>
        <div class="col-12 col-md-auto small text-body-secondary d-flex flex-wrap \
flex-md-column align-items-md-end column-gap-3">
          <div class="text-nowrap"><i class="bi bi-calendar-event" aria-hidden="true"></i> \
{dates}</div>
          {place}
          <div class="text-nowrap"><i class="bi bi-people" aria-hidden="true" \
title="{participants_label}"></i><span class="visually-hidden">{participants_label}</span> \
{participants}</div>
        </div>
      </div>
    </div>"""
UNIT_LINK = (
    '<a class="link-secondary" href="?{unit_query}unit={unit_id}" title="{unit_hint}" '
    'data-testid="row-unit">{unit_name}</a>'
)
# A co-organised activity of a unit the viewer may not open: its name, without a dead link.
UNIT_TEXT = '<span data-testid="row-unit">{unit_name}</span>'
PARENT = ' <span class="text-body-secondary text-nowrap">· {}</span>'
TASKS = '<div class="small mt-1">{}</div>'
TASK = '<span class="badge text-bg-light border fw-normal text-wrap me-1">{}</span>'
PLACE = '<div class="text-break"><i class="bi bi-geo-alt" aria-hidden="true"></i> {}</div>'


@register.simple_tag
def activity_rows(rows: list["Row"], without_unit: str) -> SafeString:
    """The list's rows. `without_unit` is the list's query string less the unit filter, which
    the link on each organiser's name sets to that unit."""
    detail = markup.url_for_pk("activities:detail")
    unit_query = escape(f"{without_unit}&") if without_unit else ""
    unit_hint = escape(_("Only this unit and the units below it"))
    participants_label = escape(_("Participants"))
    statuses = {value: str(label) for value, label in Status.choices}
    return mark_safe(  # every value is escaped, above or as it is put in
        "".join(
            ROW.format(
                url=escape(detail(row.pk)),
                title=escape(row.title),
                status=markup.status_badge(row.status, statuses.get(row.status, row.status)),
                unit=(UNIT_LINK if row.unit_linked else UNIT_TEXT).format(
                    unit_query=unit_query,
                    unit_id=row.unit_id,
                    unit_hint=unit_hint,
                    unit_name=escape(row.unit_name),
                ),
                parent=PARENT.format(escape(row.parent_name)) if row.parent_name else "",
                tasks=(
                    TASKS.format("".join(TASK.format(escape(t)) for t in row.task_titles))
                    if row.task_titles
                    else ""
                ),
                dates=markup.activity_dates(row.starts_on, row.ends_on),
                place=PLACE.format(escape(row.place)) if row.place else "",
                participants_label=participants_label,
                participants=escape(localize(row.participants)),
            )
            for row in rows
        )
    )
