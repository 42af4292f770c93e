"""The review queue's rows (activities/review_queue.html) as one tag over a Jinja2 fragment
(templates/jinja2/activities/review_rows.html): as Django template markup, a page of 25 rows,
each some thirty values and two forms, took longer to render than all the rest of the page. The
view (activities.review_views._rows) hands over each row's values."""

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from common.jinja2 import render_fragment

register = template.Library()

# How a submission stands against its campaign's review deadline (review_views._waiting).
WAITING_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "ok": gettext_lazy("On time"),
}


@register.simple_tag(takes_context=True)
def review_rows(context: template.Context, rows: list[dict], is_queue: bool) -> SafeString:
    """The rows of the review queue (`is_queue`, with approve and return forms that come back to
    the context's `here`) or of its look back at recent decisions."""
    return render_fragment(
        "activities/review_rows.html",
        rows=rows,
        is_queue=is_queue,
        here=context.get("here", ""),
        csrf_token=context.get("csrf_token"),
        wait_labels=WAITING_LABELS,
    )
