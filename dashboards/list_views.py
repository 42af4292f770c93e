"""The filtered list of every activity the user may see (dashboards.filters holds the search).

No page counts the whole result: at a million activities a COUNT(*) over a leader's scope costs
more than the page itself. Pages are "previous / next", fetched one row long to know whether a
next page exists. The query count is the same for any page and any amount of data."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from activities.models import Activity
from campaigns.models import TargetTask
from common.paging import MAX_PAGE, page_number
from dashboards import filters
from dashboards.filters import ORDERING
from units.models import Unit, parent_path_of
from units.scope import Scope

PAGE_SIZE = 25


@dataclass
class Row:
    """An activity as the list shows it: read as plain values, a page needs no model built."""

    pk: int
    title: str
    status: str
    starts_on: date
    ends_on: date | None
    place: str
    participants: int
    unit_id: int
    unit_name: str
    unit_path: str
    parent_name: str | None = None  # of the unit above the organiser; None at a root
    unit_linked: bool = True  # the organiser is a unit the viewer may filter by (else no link)
    task_titles: list[str] = field(default_factory=list)


# The columns a Row is read from, in its order.
ROW_COLUMNS = (
    *("pk", "title", "status", "starts_on", "ends_on", "place", "participants"),
    *("unit_id", "unit__name", "unit__path"),
)


@dataclass
class Page:
    rows: list[Row]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.rows)

    @classmethod
    def of(cls, queryset, number: int, openable: Scope | None = None) -> "Page":
        """The page's rows, in four queries: the ids of the page and one more (a query that can
        read an index alone); those rows; the names of the units above their organisers; their
        tasks' titles."""
        offset = (number - 1) * PAGE_SIZE
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
        ids, has_next = ids[:PAGE_SIZE], len(ids) > PAGE_SIZE
        if not ids:
            return cls([], number, has_next)
        activities = Activity.objects.filter(pk__in=ids).order_by(*ORDERING)
        rows = [Row(*values) for values in activities.values_list(*ROW_COLUMNS)]
        above = {parent_path_of(row.unit_path) for row in rows}
        parents = dict(Unit.objects.filter(path__in=above).values_list("path", "name"))
        tagged = (
            Activity.tasks.through.objects.filter(activity_id__in=ids)
            .order_by(*(f"targettask__{name}" for name in TargetTask._meta.ordering))
            .values_list("activity_id", "targettask__title")
        )
        by_id = {row.pk: row for row in rows}
        for activity_id, title in tagged:
            by_id[activity_id].task_titles.append(title)
        for row in rows:
            row.parent_name = parents.get(parent_path_of(row.unit_path))
            row.unit_linked = openable is None or openable.opens(row.unit_path)
        return cls(rows, number, has_next)


@login_required
@require_GET
def activity_search(request: HttpRequest) -> HttpResponse:
    scope = Scope.of(request)
    search = filters.activity_search(scope, request.GET)
    if search.out_of_scope:
        raise Http404
    page = Page.of(search.results(), page_number(request.GET.get("page")), scope)
    params = search.params()
    return render(
        request,
        "dashboards/activity_search.html",
        {
            "filter": search,
            "page": page,
            "rows": page.rows,
            "chosen_unit": search.chosen_unit,
            "matching_units": search.matching_units(),
            "query": urlencode(params),
            "active_filters": len(params),
            "without_unit": urlencode(search.params(without=("unit",))),
            "without_unit_text": urlencode(search.params(without=("unit", "unit_q"))),
            "max_page": MAX_PAGE,
        },
    )
