"""The API's page class (REST_FRAMEWORK['DEFAULT_PAGINATION_CLASS']). Its own
module: DRF imports it while loading `generics`, so it must not import views."""

from rest_framework import pagination


class KeysetPagination(pagination.CursorPagination):
    """`?cursor=` (empty to start): pages by primary key, each one index range
    scan however deep, and no count. For integrations that walk a whole list
    (300,000 people): `?page=5000` costs an OFFSET of 250,000 rows, a cursor does not."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        if not request.query_params.get(self.cursor_query_param):
            return None  # `?cursor=` asks for the first page
        return super().decode_cursor(request)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2`; integrations that sync whole lists may ask `?page_size=` up to 500,
    or walk them with `?cursor=` (KeysetPagination: next links, no count)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    keyset = None

    def paginate_queryset(self, queryset, request, view=None):
        if KeysetPagination.cursor_query_param in request.query_params:
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view),
                *[p for p in KeysetPagination().get_schema_operation_parameters(view) if p["name"] == "cursor"]]
