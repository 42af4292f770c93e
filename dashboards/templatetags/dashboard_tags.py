"""The unit dashboard's tables (dashboards/unit_dashboard.html), put together in Python: as
template markup, the ranking, the tasks and the trend cost more than the rest of the page (see
common.markup). The markup is the template's it replaced; every value is escaped."""

from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from activities.dashboard import TaskRow, UnitRow
from common import markup
from units.models import Line

register = template.Library()

_RANKING_ROW = """
              <tr data-testid="ranking-row" data-unit="{pk}">
                <td class="text-end text-body-secondary">{number}</td>
                <td class="dashboard-name-col"><a href="{url}" data-testid="drill-down">{name}</a>
                  <div class="d-sm-none">{pace}</div>
                </td>
                <td class="dashboard-bar-col">{cell}</td>
                <td class="text-end" data-testid="unit-activities">{activities}</td>
                <td class="text-end d-none d-sm-table-cell" data-testid="unit-participants">\
{participants}</td>
                <td class="d-none d-sm-table-cell">{pace}</td>
              </tr>"""

_BEHIND_ROW = """
          <li class="list-group-item d-flex justify-content-between align-items-center gap-2" \
data-testid="behind-row">
            <a class="text-break" href="{url}">{name}</a>
            <span class="text-nowrap small">{percent} {pace}</span>
          </li>"""

_TASK_ROW = """
          <tr data-testid="task-row" data-task="{code}">
            <td class="dashboard-name-col">
              <span class="badge line-badge-{line}">{line_label}</span>
              <span class="text-body-secondary small">{code}</span> \
<span data-testid="task-title">{title}</span>
              <div class="small text-body-secondary">{metric}</div>
              <div class="d-sm-none">{pace}</div>
            </td>
            <td class="text-end text-nowrap" data-testid="task-achieved">\
<strong>{achieved}</strong> / {target}</td>
            <td class="dashboard-bar-col">{cell}</td>
            <td class="d-none d-sm-table-cell">{pace}</td>
          </tr>"""

_TREND_ROW = """
                  <tr><td>{month:%Y-%m}</td><td class="text-end">{activities}</td>\
<td class="text-end">{participants}</td></tr>"""


def _drill_url(query: str):
    url = markup.url_for_pk("dashboards:unit")
    return lambda pk: escape(f"{url(pk)}?{query}")


@register.simple_tag
def ranking_rows(ranking: list[UnitRow], query: str) -> SafeString:
    """The ranking's rows; each unit's name drills down to its dashboard, keeping the filters."""
    url, no_target = _drill_url(query), _("No target")
    rows = []
    for number, row in enumerate(ranking, 1):
        progress, name = row.progress, row.unit.name
        rows.append(
            _RANKING_ROW.format(
                pk=row.unit.pk,
                number=number,
                url=url(row.unit.pk),
                name=escape(name),
                pace=markup.pace_badge(progress.pace, progress.pace_label, no_target),
                cell=markup.progress_cell(
                    progress.percent, progress.bar, name, no_target, "unit-completion"
                ),
                activities=localize(row.totals.activities),
                participants=localize(row.totals.participants),
            )
        )
    return mark_safe("".join(rows))  # every value escaped above or by markup


@register.simple_tag
def behind_rows(behind: list[UnitRow], query: str) -> SafeString:
    url, no_target = _drill_url(query), _("No target")
    return mark_safe(  # every value escaped here or by markup
        "".join(
            _BEHIND_ROW.format(
                url=url(row.unit.pk),
                name=escape(row.unit.name),
                percent=markup.percent(row.progress.percent),
                pace=markup.pace_badge(row.progress.pace, row.progress.pace_label, no_target),
            )
            for row in behind
        )
    )


@register.simple_tag
def task_rows(rows: list[TaskRow]) -> SafeString:
    no_target = _("No target")
    lines = {value: escape(str(label)) for value, label in Line.choices}
    html = []
    for row in rows:
        task, item = row.task, row.item
        pace = markup.pace_badge(row.pace, row.pace_label, no_target)
        html.append(
            _TASK_ROW.format(
                code=escape(task.code),
                line=escape(task.line),
                line_label=lines.get(task.line, ""),
                title=escape(task.title),
                metric=escape(task.metric_label),
                pace=pace,
                achieved=floatformat(item.achieved, "-2"),
                target=markup.DASH if row.target is None else floatformat(row.target, "-2"),
                cell=markup.progress_cell(item.percent, row.bar, task.title, no_target),
            )
        )
    return mark_safe("".join(html))  # every value escaped above or by markup


@register.simple_tag
def trend_rows(trend: list) -> SafeString:
    return mark_safe(  # dates and integers only
        "".join(
            _TREND_ROW.format(
                month=month, activities=localize(activities), participants=localize(participants)
            )
            for month, activities, participants in trend
        )
    )
