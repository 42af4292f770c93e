"""The reviewer's queue and bulk approval.

The queue starts from activities.selectors.review_queue, so it only ever lists submissions waiting
on the user's reviewing units; bulk approval re-applies the posted filter to that same queue, so a
crafted request cannot reach anything else. Approve and return of a single row post to the
activity's own transition views (activities.views) with `next` pointing back here."""

import datetime
import math
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from activities import integrity, selectors, services
from activities.filters import ReviewFilter, review_status
from activities.models import Activity, Evidence, Status
from activities.progress import catalogues
from campaigns import deadlines
from campaigns.models import TargetTask
from campaigns.selectors import campaigns_visible_to
from common.paging import MAX_PAGE, page_number
from common.sql import marks, ordering, read, table
from common.urls import url_for_pk
from units.models import Role, Unit
from units.scope import Scope
from units.selectors import units_for_role

PAGE_SIZE = 25
# The figure above the queue is exact up to here, then "more than": counting stops here.
COUNT_LIMIT = 1000
BULK_LIMIT = 200
LOOK_BACK_DAYS = 30
# What a row shows (activities/review_rows.html and _waiting): the page loads these columns only.
ROW_FIELDS = [
    "title",
    "starts_on",
    "ends_on",
    "status",
    "review_level",
    "submitted_at",
    "waiting_since",
    "approved_at",
    "return_reason",
    "unit__name",
    "unit__path",
    "campaign__name",
    "campaign__review_levels",
    "campaign__review_deadline_days",
]


def _require_reviewer(user: User) -> Scope:
    actor = Scope.of(user)
    if not (actor.superuser or actor.reviewer_paths):
        raise PermissionDenied(_("Only reviewers have a review queue."))
    return actor


def _looked_back(user: User, status: str) -> QuerySet[Activity]:
    """Recent decisions on activities of the units strictly below the user's reviewer units,
    newest first: what the reviewer (or a colleague) approved or returned lately."""
    since = timezone.now() - datetime.timedelta(days=LOOK_BACK_DAYS)
    queryset = Activity.objects.filter(status=status, unit__in=units_for_role(user, Role.REVIEWER))
    if status == Status.APPROVED:
        queryset = queryset.filter(approved_at__gte=since).order_by("-approved_at", "-pk")
    else:
        queryset = queryset.filter(updated_at__gte=since).order_by("-updated_at", "-pk")
    return queryset.select_related("unit", "campaign", "created_by")


def _review_filter(actor: Scope, data, status: str, today: datetime.date) -> ReviewFilter:
    user = actor.user
    base = (
        selectors.review_queue(actor) if status == Status.SUBMITTED else _looked_back(user, status)
    )
    campaigns = list(
        campaigns_visible_to(user)
        .filter(is_active=True)
        .order_by("name", "pk")
        .only("name", "created_at", "targets_version")
    )
    # Grouped by campaign (<optgroup>): campaigns often repeat a catalogue's titles.
    tasks = catalogues(campaigns)
    grouped = [(campaign.name, tasks[campaign.pk]) for campaign in campaigns if tasks[campaign.pk]]
    return ReviewFilter(data, queryset=base, tasks=grouped, today=today)


@dataclass
class Page:
    """One page of the queue, and how many match: exactly up to COUNT_LIMIT, or "more than"."""

    activities: list[Activity]
    number: int
    count: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def count_is_exact(self) -> bool:
        return self.count <= COUNT_LIMIT

    @property
    def num_pages(self) -> int | None:
        return math.ceil(self.count / PAGE_SIZE) if self.count_is_exact else None

    @classmethod
    def of(cls, queryset: QuerySet[Activity], number: int) -> "Page":
        """The page `number` (the last one if it is past the end), after counting the matches no
        further than needed: a COUNT(*) over a reviewer's whole queue costs more than the page.
        The count goes on to the end of this page, so it also says whether another follows."""
        offset = (number - 1) * PAGE_SIZE
        limit = max(COUNT_LIMIT, offset + PAGE_SIZE)
        count = queryset.order_by().values("pk")[: limit + 1].count()
        if count <= offset:  # past the end, as after approving a last page's rows: the last page
            number = max(math.ceil(count / PAGE_SIZE), 1)
            offset = (number - 1) * PAGE_SIZE
        rows = queryset.select_related(None).select_related("unit", "campaign").only(*ROW_FIELDS)
        activities = list(rows[offset : offset + PAGE_SIZE]) if count else []
        return cls(activities, number, count, count > offset + PAGE_SIZE)


def _waiting(activity: Activity, today: datetime.date) -> dict | None:
    days = selectors.days_waiting(activity, today)
    if days is None or activity.status != Status.SUBMITTED:
        return None
    deadline = activity.campaign.review_deadline_days
    return {"days": days, "deadline": deadline, "state": deadlines.wait_state(days, deadline)}


def _day(moment: datetime.datetime | None) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _evidence(actor: Scope, activities: list[Activity], with_warnings: bool) -> dict[int, dict]:
    """Each activity's photos (for their small thumbnails) and the warnings on its evidence
    (activities.integrity), in three queries for the page. Warnings only in the queue itself:
    every submission listed there is one the reviewer may review."""
    by_id = {activity.pk: activity for activity in activities}
    items = list(
        Evidence.objects.filter(activity_id__in=list(by_id)).only(
            "activity_id", "original_name", "content_type", "thumbnail_small", "captured_at"
        )
    )
    for item in items:
        item.activity = by_id[item.activity_id]
    warnings = integrity.evidence_warnings(actor, items) if with_warnings and items else {}
    found: dict[int, dict] = {pk: {"photos": [], "warnings": []} for pk in by_id}
    small = url_for_pk("activities:evidence_thumbnail_small")
    full = url_for_pk("activities:evidence")
    for item in items:
        row = found[item.activity_id]
        if item.is_image:
            thumb = small(item.pk) if item.thumbnail_small else ""
            row["photos"].append({"name": item.original_name, "thumb": thumb, "url": full(item.pk)})
        row["warnings"].extend(warnings.get(item.pk, ()))
    return found


def _rows(
    activities: list[Activity], today: datetime.date, evidence: dict[int, dict] | None = None
) -> list[dict]:
    """Each activity with what its row shows besides its own fields (the Jinja2 fragment
    activities/review_rows.html prints them): the organising unit's parent and the titles of the
    tasks it counts toward (two small queries for the whole page), its links, its days (the local
    day of a moment, as Y-m-d) and how long it has waited."""
    # In plain SQL (common.sql): on every page of the queue.
    paths = sorted({a.unit.parent_path for a in activities})
    ids = [a.pk for a in activities]
    parents: dict[str, str] = {}
    tasks: dict[int, list[str]] = {}
    if paths:
        sql = f"SELECT path, name FROM {table(Unit)} WHERE path IN ({marks(paths)})"
        parents = dict(read(sql, paths))
    if ids:
        tagged = read(
            "SELECT tagged.activity_id, task.title"
            f" FROM {table(Activity.tasks.through)} tagged"
            f" INNER JOIN {table(TargetTask)} task ON task.id = tagged.targettask_id"
            f" WHERE tagged.activity_id IN ({marks(ids)}) ORDER BY {ordering(TargetTask, 'task')}",
            ids,
        )
        for activity_id, title in tagged:
            tasks.setdefault(activity_id, []).append(title)
    detail_url = url_for_pk("activities:detail")
    approve_url = url_for_pk("activities:approve")
    return_url = url_for_pk("activities:return")
    return [
        {
            "activity": activity,
            "url": detail_url(activity.pk),
            "approve_url": approve_url(activity.pk),
            "return_url": return_url(activity.pk),
            "parent": parents.get(activity.unit.parent_path),
            "tasks": tasks.get(activity.pk, ()),
            "starts_on": activity.starts_on.isoformat(),
            "submitted_on": _day(activity.submitted_at),
            "approved_on": _day(activity.approved_at),
            "waiting": _waiting(activity, today),
            "evidence": (evidence or {}).get(activity.pk),
        }
        for activity in activities
    ]


def _filter_params(data) -> list[tuple[str, str]]:
    """The filter's parameters, to carry into the bulk form and back to the queue."""
    names = set(ReviewFilter.base_filters)
    return [(key, value) for key, values in data.lists() if key in names for value in values]


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    actor = _require_reviewer(request.user)
    today = timezone.localdate()
    status = review_status(request.GET)
    review_filter = _review_filter(actor, request.GET, status, today)
    page = Page.of(review_filter.qs, page_number(request.GET.get("page")))
    params = [(k, v) for k, v in _filter_params(request.GET) if k != "status"]
    return render(
        request,
        "activities/review_queue.html",
        {
            "filter": review_filter,
            "status": status,
            "is_queue": status == Status.SUBMITTED,
            "page": page,
            "rows": _rows(
                page.activities,
                today,
                _evidence(actor, page.activities, with_warnings=status == Status.SUBMITTED),
            ),
            "filter_params": params,
            "bulk_limit": BULK_LIMIT,
            "count_limit": COUNT_LIMIT,
            "max_page": MAX_PAGE,
            "look_back_days": LOOK_BACK_DAYS,
            "here": request.get_full_path(),
            "listed_at": timezone.now().isoformat(),
        },
    )


class _IdsField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            ids = sorted({int(item) for item in value or []})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("The selection is not valid.")) from None
        if any(not 0 < pk < 2**63 for pk in ids):  # a database id, or SQLite overflows
            raise forms.ValidationError(_("The selection is not valid."))
        return ids


class BulkApproveForm(forms.Form):
    SELECTED = "selected"
    FILTERED = "filtered"

    scope = forms.ChoiceField(
        choices=[(SELECTED, gettext_lazy("Selected")), (FILTERED, gettext_lazy("All filtered"))]
    )
    ids = _IdsField(required=False)
    # When the page was shown: "all filtered" approves only what had arrived by then, never a
    # submission the reviewer has not seen.
    listed_at = forms.DateTimeField(required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("I have checked these submissions and approve them.")
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SELECTED and not data.get("ids"):
            raise forms.ValidationError(_("Select the submissions to approve first."))
        if data.get("scope") == self.FILTERED and not data.get("listed_at"):
            raise forms.ValidationError(_("Reload the review queue and try again."))
        return data


def _queue_url(params: list[tuple[str, str]]) -> str:
    url = reverse("activities:queue")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
@require_POST
def bulk_approve(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = BulkApproveForm(request.POST)
    form.is_valid()
    ids = form.cleaned_data.get("ids") or []
    # Naming an activity one may not see is a 404, as anywhere else; then the role is checked.
    if selectors.activities_visible_to(user).filter(pk__in=ids).count() != len(ids):
        raise Http404
    actor = _require_reviewer(user)

    params = [(k, v) for k, v in _filter_params(request.POST) if k != "status"]
    back = _queue_url(params)
    if form.errors:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)

    # Always the queue itself, whatever status the page showed, narrowed by the posted filter.
    review_filter = _review_filter(actor, request.POST, Status.SUBMITTED, timezone.localdate())
    if not review_filter.is_valid():
        messages.error(request, _("The filter is not valid; nothing was approved."))
        return redirect(back)
    selected = form.cleaned_data["scope"] == BulkApproveForm.SELECTED
    result = services.queue_bulk_approve(
        actor=actor,
        queue=review_filter.qs,
        ids=ids if selected else None,
        listed_at=form.cleaned_data["listed_at"],
        limit=BULK_LIMIT,
    )
    return render(
        request,
        "activities/review_bulk_result.html",
        {
            "outcomes": result.outcomes,
            "missing": result.missing,
            "left_over": result.left_over,
            "approved": result.approved,
            "passed_on": result.passed_on,
            "refused": result.refused,
            "back": back,
        },
    )
