"""The reviewer's queue and bulk approval.

The queue starts from activities.selectors.review_queue, so it only ever lists submissions waiting
on the user's reviewing units; bulk approval re-applies the posted filter to that same queue, so a
crafted request cannot reach anything else. Approve and return of a single row post to the
activity's own transition views (activities.views) with `next` pointing back here."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
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
from activities import selectors, services
from activities.filters import ReviewFilter, review_status
from activities.models import Activity, Status
from campaigns.models import TargetTask
from campaigns.selectors import campaigns_visible_to
from units.models import Role, Unit
from units.selectors import units_for_role

PAGE_SIZE = 25
BULK_LIMIT = 200
LOOK_BACK_DAYS = 30
DUE_SOON_DAYS = 2  # a submission this close to its review deadline is flagged "due soon"


def _require_reviewer(user: User) -> selectors.Actor:
    actor = selectors.Actor.of(user)
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


def _review_filter(user: User, data, status: str, today: datetime.date) -> ReviewFilter:
    base = (
        selectors.review_queue(user) if status == Status.SUBMITTED else _looked_back(user, status)
    )
    tasks = (
        TargetTask.objects.filter(campaign__in=campaigns_visible_to(user), campaign__is_active=True)
        .select_related("campaign")
        .order_by("campaign__name", "line", "sort_order", "code")
    )
    return ReviewFilter(data, queryset=base, tasks=tasks, today=today)


def _waiting(activity: Activity, today: datetime.date) -> dict | None:
    days = selectors.days_waiting(activity, today)
    if days is None or activity.status != Status.SUBMITTED:
        return None
    deadline = activity.campaign.review_deadline_days
    if days > deadline:
        state = "overdue"
    elif days >= deadline - DUE_SOON_DAYS:
        state = "due_soon"
    else:
        state = "ok"
    return {"days": days, "deadline": deadline, "state": state}


def _rows(activities: list[Activity], today: datetime.date) -> list[dict]:
    parents = {
        unit.path: unit
        for unit in Unit.objects.filter(path__in={a.unit.parent_path for a in activities})
    }
    return [
        {
            "activity": activity,
            "parent": parents.get(activity.unit.parent_path),
            "waiting": _waiting(activity, today),
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
    _require_reviewer(request.user)
    today = timezone.localdate()
    status = review_status(request.GET)
    review_filter = _review_filter(request.user, request.GET, status, today)
    queryset = review_filter.qs.prefetch_related("tasks")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = [(k, v) for k, v in _filter_params(request.GET) if k != "status"]
    return render(
        request,
        "activities/review_queue.html",
        {
            "filter": review_filter,
            "status": status,
            "is_queue": status == Status.SUBMITTED,
            "page": page,
            "rows": _rows(list(page.object_list), today),
            "filter_params": params,
            "bulk_limit": BULK_LIMIT,
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
    visible = {
        a.pk: a
        for a in selectors.activities_visible_to(user).filter(pk__in=ids).select_related("unit")
    }
    if len(visible) != len(ids):
        raise Http404
    _require_reviewer(user)

    params = [(k, v) for k, v in _filter_params(request.POST) if k != "status"]
    back = _queue_url(params)
    if form.errors:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(back)

    # Always the queue itself, whatever status the page showed, narrowed by the posted filter.
    review_filter = _review_filter(user, request.POST, Status.SUBMITTED, timezone.localdate())
    if not review_filter.is_valid():
        messages.error(request, _("The filter is not valid; nothing was approved."))
        return redirect(back)
    queryset = review_filter.qs
    missing: list[Activity] = []
    if form.cleaned_data["scope"] == BulkApproveForm.SELECTED:
        queryset = queryset.filter(pk__in=ids)
    else:
        queryset = queryset.filter(waiting_since__lte=form.cleaned_data["listed_at"])
    chosen = list(queryset[: BULK_LIMIT + 1])
    left_over = max(len(chosen) - BULK_LIMIT, 0)
    chosen = chosen[:BULK_LIMIT]
    if form.cleaned_data["scope"] == BulkApproveForm.SELECTED:
        listed = {a.pk for a in chosen}
        missing = [visible[pk] for pk in ids if pk not in listed]

    outcomes = services.activities_bulk_approve(actor=user, activities=chosen)
    return render(
        request,
        "activities/review_bulk_result.html",
        {
            "outcomes": outcomes,
            "missing": missing,
            "left_over": left_over,
            "approved": sum(1 for o in outcomes if o.ok and o.activity.status == Status.APPROVED),
            "passed_on": sum(1 for o in outcomes if o.ok and o.activity.status == Status.SUBMITTED),
            "refused": sum(1 for o in outcomes if not o.ok) + len(missing),
            "back": back,
        },
    )
