"""The unit dashboard's body (dashboards/unit_dashboard.html) as one Jinja2 fragment
(templates/jinja2/dashboards/board.html, which includes the tables' rows): as Django template
markup, the figures and the tables cost more than the rest of the request."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from common.jinja2 import render_fragment
from dashboards.standing_words import standing_words

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_board(context) -> SafeString:
    """The page's filters, figures, tables and standing figures from the view's context; the
    draft score is its Django partial, which the workbench shares."""
    found, standing = context.get("draft_score"), context.get("standing")
    filters, line_choices = context["filters"], context["line_choices"]
    return render_fragment(
        "dashboards/board.html",
        unit=context["unit"],
        board=context["board"],
        campaigns=context["campaigns"],
        filters=filters,
        period_choices=filters.period_choices(),
        line_choices=line_choices,
        lines=dict(line_choices),
        query=context["query"],
        is_reviewer=context.get("is_reviewer", False),
        standing=standing,
        standing_words=standing_words(standing.whole) if standing else {},
        draft_score=(
            render_to_string("dashboards/partials/draft_score.html", {"found": found})
            if found
            else ""
        ),
    )
