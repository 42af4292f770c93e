"""The review queue (activities/review_queue.html): its filter, count, bulk approval and rows as
one tag over a Jinja2 fragment (templates/jinja2/activities/review_queue_body.html, which
includes review_rows.html): as Django template markup, a page of 25 rows, each some thirty
values and two forms, took longer to render than all the rest of the page. The view
(activities.review_views._rows) hands over each row's values; the sentences with a count are
put together here, where the catalogue's plural forms are read (a fragment has no plural tag)."""

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext

from common.jinja2 import render_fragment

register = template.Library()

# How a submission stands against its campaign's review deadline (review_views._waiting).
WAITING_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "ok": gettext_lazy("On time"),
}


def _count_words(page, is_queue: bool, limit: int, days: int) -> str:
    """How many the list holds: exactly, or "more than" past the count's limit."""
    if not page.count_is_exact:
        if is_queue:
            return gettext("More than %(limit)s submissions waiting, oldest first") % {
                "limit": limit
            }
        return gettext(
            "More than %(limit)s activities decided in the last %(days)s days, newest first"
        ) % {"limit": limit, "days": days}
    if is_queue:
        return ngettext(
            "%(counter)s submission waiting, oldest first",
            "%(counter)s submissions waiting, oldest first",
            page.count,
        ) % {"counter": page.count}
    return ngettext(
        "%(counter)s activity decided in the last %(days)s days, newest first",
        "%(counter)s activities decided in the last %(days)s days, newest first",
        page.count,
    ) % {"counter": page.count, "days": days}


def _bulk_words(count: int, limit: int) -> str:
    """The "approve all matching" button: at most `limit` at once, the oldest first."""
    if count > limit:
        return gettext("Approve the oldest %(limit)s matching") % {"limit": limit}
    return ngettext(
        "Approve the %(counter)s matching", "Approve all %(counter)s matching", count
    ) % {"counter": count}


@register.simple_tag(takes_context=True)
def review_queue_body(context: template.Context) -> SafeString:
    """The queue's filter form, its count, the bulk approval form (the queue itself only) and
    its rows, from the view's context (activities.review_views.review_queue)."""
    page, is_queue = context["page"], context["is_queue"]
    return render_fragment(
        "activities/review_queue_body.html",
        filter=context["filter"],
        page=page,
        is_queue=is_queue,
        rows=context["rows"],
        filter_params=context["filter_params"],
        listed_at=context["listed_at"],
        queue_url=reverse("activities:queue"),
        words={
            "count": _count_words(
                page, is_queue, context["count_limit"], context["look_back_days"]
            ),
            "bulk": _bulk_words(page.count, context["bulk_limit"]),
        },
        here=context.get("here", ""),
        csrf_token=context.get("csrf_token"),
        wait_labels=WAITING_LABELS,
    )
