"""Every list of the API is paged: `page` and `page_size` (at most MAX_PAGE_SIZE)."""

from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
