"""The filtered list of every activity the user may see (dashboards.filters holds the search).

No page counts the whole result: at a million activities a COUNT(*) over a leader's scope costs
more than the page itself. Pages are "previous / next", fetched one row long to know whether a
next page exists. The query count is the same for any page and any amount of data."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from activities.models import Activity
from dashboards import filters
from dashboards.filters import ORDERING
from units.models import Unit

PAGE_SIZE = 25
# Offsets stay cheap on the (starts_on, pk) order well past this; beyond it, narrow the filter.
MAX_PAGE = 400


@dataclass
class Page:
    rows: list[Activity]
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
    def of(cls, queryset, number: int) -> "Page":
        """The page's rows, in two steps: first the ids of the page and one more (a query that
        can read an index alone), then those rows with their units and tasks."""
        offset = (number - 1) * PAGE_SIZE
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + PAGE_SIZE + 1])
        rows = (
            Activity.objects.filter(pk__in=ids[:PAGE_SIZE])
            .select_related("unit")
            .prefetch_related("tasks")
            .order_by(*ORDERING)
        )
        return cls(list(rows), number, len(ids) > PAGE_SIZE)


def page_number(value: str | None) -> int:
    try:
        number = int(value or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@login_required
@require_GET
def activity_search(request: HttpRequest) -> HttpResponse:
    search = filters.activity_search(request.user, request.GET)
    if search.out_of_scope:
        raise Http404
    page = Page.of(search.results(), page_number(request.GET.get("page")))
    parents = {
        unit.path: unit
        for unit in Unit.objects.filter(path__in={a.unit.parent_path for a in page.rows})
    }
    params = search.params()
    query = urlencode(params)
    return render(
        request,
        "dashboards/activity_search.html",
        {
            "filter": search,
            "page": page,
            "rows": [(a, parents.get(a.unit.parent_path)) for a in page.rows],
            "chosen_unit": search.chosen_unit,
            "matching_units": search.matching_units(),
            "query": query,
            "active_filters": len(params),
            "without_unit": urlencode(search.params(without=("unit",))),
            "without_unit_text": urlencode(search.params(without=("unit", "unit_q"))),
            "max_page": MAX_PAGE,
        },
    )
