"""Requests whose query string carries a NUL byte are refused with 400 before any view
runs: no search box or filter means one, and PostgreSQL refuses NUL in a text parameter
(the query would fail with a 500 deep inside the view)."""

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


class RejectNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return HttpResponseBadRequest(_("The address contains an invalid character (NUL)."),
                                          content_type="text/plain; charset=utf-8")
        return self.get_response(request)
