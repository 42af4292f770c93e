"""The review queue's rows (activities/review_queue.html), put together in Python.

As template markup, a page of 25 rows, each some thirty values and two forms, took longer to
render than all the rest of the page; here a row is a few string formats. The view
(activities.review_views._rows) hands over each row's values, the words are put in here."""

from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Status
from common.templatetags.cx import status_badge

register = template.Library()

# How a submission stands against its campaign's review deadline (review_views._waiting).
WAITING_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "ok": gettext_lazy("On time"),
}

_ROW = """
    <div class="list-group-item review-row" data-testid="review-row">
      <div class="row g-2">{select}
        <div class="col min-w-0">
          <a class="fw-semibold text-break" href="{url}">{title}</a>
          <div class="small text-body-secondary text-break" data-testid="review-unit">
            {unit}{parent}
          </div>
          <div class="small mt-1">
            {tasks}
          </div>
          <div class="small text-body-secondary mt-1">
            {dates}
          </div>{reason}{evidence}
        </div>{badge}{actions}
      </div>
    </div>"""

_SELECT = """
        <div class="col-auto">
          <input class="form-check-input mt-1" type="checkbox" name="ids" value="{pk}" \
form="bulk-form" id="select-{pk}" aria-label="{label}">
        </div>"""

_PARENT = ' <span class="text-nowrap">· {name}</span>'
_TASK = '<span class="badge text-bg-light border me-1">{title}</span>'
_REASON = """
          <div class="small mt-1"><span class="text-danger">{label}{colon}</span>{reason}</div>"""

_PHOTOS = """
          <div class="review-photos d-flex flex-wrap gap-1 mt-2" \
data-testid="review-photos">{photos}
          </div>"""
_PHOTO = """
            <a href="{url}" target="_blank" rel="noopener" title="{name}">\
<img class="review-thumb rounded border" src="{thumb}" alt="{name}" loading="lazy" \
data-testid="review-thumbnail"></a>"""
_PHOTO_PENDING = """
            <a href="{url}" target="_blank" rel="noopener" \
class="review-thumb review-thumb-pending rounded border d-inline-flex align-items-center \
justify-content-center" title="{name}">\
<i class="bi bi-image" aria-hidden="true"></i><span class="visually-hidden">{name}</span></a>"""
_WARNINGS = """
          <ul class="list-unstyled small mt-1 mb-0 evidence-warnings" \
data-testid="evidence-warnings">{items}
          </ul>"""
_WARNING = """
            <li class="text-warning-emphasis text-break" data-kind="{kind}">\
<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> {text}</li>"""
_WARNING_LINKED = """
            <li class="text-warning-emphasis text-break" data-kind="{kind}">\
<i class="bi bi-exclamation-triangle" aria-hidden="true"></i> <a href="{url}">{text}</a></li>"""

_WAITING = """
        <div class="col-12 col-md-auto">
          <span class="badge review-wait review-wait-{state}" data-testid="waiting-badge" \
data-state="{state}">
            {label} · {text}
          </span>
        </div>"""

_STATUS = """
        <div class="col-12 col-md-auto">{badge}</div>"""

_ACTIONS = """
        <div class="col-12 col-lg-auto review-actions">
          <div class="d-flex flex-wrap align-items-start justify-content-lg-end gap-2">
            <form method="post" action="{approve_url}">
              {csrf}
              <input type="hidden" name="level" value="{level}">
              <input type="hidden" name="next" value="{here}">
              <button type="submit" class="btn btn-sm btn-success" data-testid="approve">\
<i class="bi bi-check-lg" aria-hidden="true"></i> {approve}</button>
            </form>
            <details class="review-return">
              <summary class="btn btn-sm btn-outline-danger" data-testid="return-toggle">\
<i class="bi bi-arrow-return-left" aria-hidden="true"></i> {return_}</summary>
              <form method="post" action="{return_url}" class="mt-2">
                {csrf}
                <input type="hidden" name="level" value="{level}">
                <input type="hidden" name="next" value="{here}">
                <label class="form-label small mb-1" for="reason-{pk}">{reason}</label>
                <textarea class="form-control form-control-sm" id="reason-{pk}" name="reason" \
rows="2" required></textarea>
                <button type="submit" class="btn btn-sm btn-danger mt-2" data-testid="return">\
{return_to_unit}</button>
              </form>
            </details>
          </div>
        </div>"""


def _html(format_string: str, /, **values) -> SafeString:
    """format_html, for the rows: the values are escaped unless safe already, but without
    Django's checks for lazy strings on every value, which made up most of a row's cost."""
    return SafeString(
        format_string.format_map(
            {
                name: value.__html__() if hasattr(value, "__html__") else escape(str(value))
                for name, value in values.items()
            }
        )
    )


def _csrf_input(context: template.Context) -> SafeString:
    """What {% csrf_token %} writes, made once for all the rows' forms."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return SafeString("")
    return _html('<input type="hidden" name="csrfmiddlewaretoken" value="{token}">', token=token)


@register.simple_tag(takes_context=True)
def review_rows(context: template.Context, rows: list[dict], is_queue: bool) -> SafeString:
    """The rows of the review queue (`is_queue`, with approve and return forms that come back to
    the context's `here`) or of its look back at recent decisions."""
    # What every row repeats, translated and escaped once.
    words = {
        "date": _("Activity date"),
        "submitted": _("Submitted"),
        "approved": _("Approved"),
        "reason": _("Reason for return"),
        "approve": _("Approve"),
        "return": _("Return"),
        "return_to_unit": _("Return to the unit"),
        "colon": _(": "),
        **{state: str(label) for state, label in WAITING_LABELS.items()},
    }
    words = {key: SafeString(escape(text)) for key, text in words.items()}
    words["csrf"] = _csrf_input(context)
    words["here"] = SafeString(escape(context.get("here", "")))
    formats = {
        "select": _("Select “%(title)s”"),
        "level": _("Level %(level)s of %(levels)s"),
        "days": _("%(days)s / %(deadline)s days"),
    }
    return SafeString("".join(_row(row, is_queue, words, formats) for row in rows))


def _row(row: dict, is_queue: bool, words: dict, formats: dict) -> str:
    activity = row["activity"]
    dates = [_html("{label} {day}", label=words["date"], day=row["starts_on"])]
    if row["submitted_on"]:
        dates.append(_html("{label} {day}", label=words["submitted"], day=row["submitted_on"]))
    if is_queue:
        levels = {"level": activity.review_level, "levels": activity.campaign.review_levels}
        dates.append(escape(formats["level"] % levels))
    if row["approved_on"]:
        dates.append(_html("{label} {day}", label=words["approved"], day=row["approved_on"]))

    select = badge = actions = reason = parent = ""
    if is_queue:
        label = formats["select"] % {"title": activity.title}
        select = _html(_SELECT, pk=activity.pk, label=label)
        actions = _html(
            _ACTIONS,
            pk=activity.pk,
            approve_url=row["approve_url"],
            return_url=row["return_url"],
            level=activity.review_level,
            csrf=words["csrf"],
            here=words["here"],
            approve=words["approve"],
            return_=words["return"],
            reason=words["reason"],
            return_to_unit=words["return_to_unit"],
        )
    if waiting := row["waiting"]:
        state = waiting["state"]
        text = formats["days"] % waiting
        badge = _html(_WAITING, state=state, label=words[state], text=text)
    elif not is_queue:
        badge = _html(_STATUS, badge=status_badge(activity))
    if activity.status == Status.RETURNED and activity.return_reason:
        reason = _html(
            _REASON, label=words["reason"], colon=words["colon"], reason=activity.return_reason
        )
    if row["parent"]:
        parent = _html(_PARENT, name=row["parent"])
    tasks = "".join(_html(_TASK, title=title) for title in row["tasks"])
    evidence = _evidence(row.get("evidence"))

    return _html(
        _ROW,
        select=SafeString(select),
        url=row["url"],
        title=activity.title,
        unit=activity.unit.name,
        parent=SafeString(parent),
        tasks=SafeString(tasks),
        dates=SafeString(" · ".join(dates)),  # each part escaped above
        reason=SafeString(reason),
        evidence=evidence,
        badge=SafeString(badge),
        actions=SafeString(actions),
    )


def _evidence(found: dict | None) -> SafeString:
    """The row's photos as small thumbnails, and the warnings on its evidence."""
    if not found:
        return SafeString("")
    photos = "".join(
        _html(_PHOTO if photo["thumb"] else _PHOTO_PENDING, **photo) for photo in found["photos"]
    )
    items = "".join(
        _html(_WARNING_LINKED, kind=w.kind, text=w.text, url=w.url)
        if w.url
        else _html(_WARNING, kind=w.kind, text=w.text)
        for w in found["warnings"]
    )
    parts = []
    if photos:
        parts.append(_html(_PHOTOS, photos=SafeString(photos)))
    if items:
        parts.append(_html(_WARNINGS, items=SafeString(items)))
    return SafeString("".join(parts))
