"""Every list of the API is paged: `page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE; more is
cut to it). Either, when not a whole number from 1 (or given twice), is refused (400), not
ignored; a page past the end is a 404 (REST framework's)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

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
