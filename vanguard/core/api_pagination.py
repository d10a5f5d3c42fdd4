"""The API's page class (REST_FRAMEWORK['DEFAULT_PAGINATION_CLASS']). Its own
module: DRF imports it while loading `generics`, so it must not import views."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2`; integrations that sync whole lists may ask `?page_size=` up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500
