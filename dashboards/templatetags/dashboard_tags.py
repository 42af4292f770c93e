"""The unit dashboard (dashboards/unit_dashboard.html): its body and the standing table's rows
are Jinja2 fragments (templates/jinja2/dashboards/), drawn at once: as Django template markup,
the figures and the tables cost more than the rest of the request."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from common.jinja2 import render_fragment
from evaluations.standing_selectors import StandingBoard
from units.models import Line

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_board(context) -> SafeString:
    """The page's filters, figures and tables (templates/jinja2/dashboards/board.html) from the
    view's context; the draft score is its Django partial, which the workbench shares."""
    found = context.get("draft_score")
    filters = context["filters"]
    period_choices = filters.period_choices()
    return render_fragment(
        "dashboards/board.html",
        unit=context["unit"],
        board=context["board"],
        campaigns=context["campaigns"],
        filters=filters,
        period_choices=period_choices,
        period_label=dict(period_choices).get(filters.period_value, ""),
        line_choices=context["line_choices"],
        lines=dict(Line.choices),
        query=context["query"],
        is_reviewer=context.get("is_reviewer", False),
        draft_score=(
            render_to_string("dashboards/partials/draft_score.html", {"found": found})
            if found
            else ""
        ),
    )


@register.simple_tag
def standing_rows(board: StandingBoard, query: str) -> SafeString:
    """The standing table's rows (evaluations.standing_selectors), one per child."""
    return render_fragment(
        "dashboards/standing_rows.html", rows=board.rows, query=query, minimum=board.minimum
    )
