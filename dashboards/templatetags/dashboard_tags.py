"""The unit dashboard's tables (dashboards/unit_dashboard.html), each drawn by a Jinja2 fragment
(templates/jinja2/dashboards/) once for all its rows: as Django template markup, the ranking, the
tasks and the trend cost more than the rest of the page."""

from django import template
from django.utils.safestring import SafeString

from activities.dashboard import TaskRow, UnitRow
from common.jinja2 import render_fragment
from evaluations.standing_selectors import StandingBoard
from units.models import Line

register = template.Library()


@register.simple_tag
def ranking_rows(ranking: list[UnitRow], query: str) -> SafeString:
    """The ranking's rows; each unit's name drills down to its dashboard, keeping the filters."""
    return render_fragment("dashboards/ranking_rows.html", rows=ranking, query=query)


@register.simple_tag
def behind_rows(behind: list[UnitRow], query: str) -> SafeString:
    return render_fragment("dashboards/behind_rows.html", rows=behind, query=query)


@register.simple_tag
def task_rows(rows: list[TaskRow]) -> SafeString:
    return render_fragment("dashboards/task_rows.html", rows=rows, lines=dict(Line.choices))


@register.simple_tag
def trend_rows(trend: list) -> SafeString:
    return render_fragment("dashboards/trend_rows.html", trend=trend)


@register.simple_tag
def standing_rows(board: StandingBoard, query: str) -> SafeString:
    """The standing table's rows (evaluations.standing_selectors), one per child."""
    return render_fragment(
        "dashboards/standing_rows.html", rows=board.rows, query=query, minimum=board.minimum
    )
