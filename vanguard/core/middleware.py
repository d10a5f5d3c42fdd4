"""Keeps the client address of the current request for the audit trail."""

import contextvars

from django.conf import settings

_ip = contextvars.ContextVar("vanguard_ip", default=None)


def current_ip():
    return _ip.get()


def client_ip(request):
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
