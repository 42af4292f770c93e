"""Every list of the API is paged: `page` (from 1) and `page_size` (1 to MAX_PAGE_SIZE; more is
cut to it). A page size that is not a whole number from 1 is refused (400), not ignored; a page
past the end, or not a number, is a 404 (REST framework's)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request) -> int:
        given = request.query_params.getlist(self.page_size_query_param)
        if not given:
            return self.page_size
        text = given[0]
        if len(given) > 1 or not (text.isascii() and text.isdigit()) or int(text) < 1:
            raise ValidationError(
                {self.page_size_query_param: [_("Expected a whole number from 1.")]}
            )
        return min(int(text), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
