"""Every list of the API is paged: `page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE; more is
cut to it). Either, when not a whole number from 1 (or given twice), is refused (400), not
ignored; a page past the end is a 404 (REST framework's). The long lists (activities, the review
queue: a million rows at city scale) page without counting them all (UncountedPages)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.paging import MAX_PAGE

MAX_PAGE_SIZE = 100


def _whole_number(request, name: str) -> int | None:
    given = request.query_params.getlist(name)
    if not given:
        return None
    text = given[0]
    if len(given) > 1 or not (text.isascii() and text.isdigit()) or not text.strip("0"):
        raise ValidationError({name: [_("Expected a whole number from 1.")]})
    # Past 18 digits, a number larger than any page or page size (Python refuses to read more
    # than 4,300 digits as one).
    return int(text) if len(text) <= 18 else 10**18


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        _whole_number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        size = _whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


class UncountedPages(Pages):
    """`next` and `previous` without `count`: one row more than the page is read to know whether
    another follows, as the pages' own long lists do (common.paging). Counting a city's million
    activities took 0.4 s a request. Pages go up to MAX_PAGE (offsets stay cheap that deep); past
    it, narrow the filter (400)."""

    def paginate_queryset(self, queryset, request, view=None):
        number = _whole_number(request, self.page_query_param) or 1
        if number > MAX_PAGE:
            raise ValidationError(
                {
                    self.page_query_param: [
                        _("Pages go up to %(most)s: narrow the filter.") % {"most": MAX_PAGE}
                    ]
                }
            )
        size = self.get_page_size(request)
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        if number > 1 and not rows:
            raise NotFound(self.invalid_page_message)
        self.request = request
        self.number = number
        self.more = len(rows) > size
        return rows[:size]

    def get_paginated_response(self, data) -> Response:
        return Response(
            {"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_next_link(self) -> str | None:
        if not self.more:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paged = super().get_paginated_response_schema(schema)
        del paged["properties"]["count"]
        paged["required"] = ["results"]
        return paged
