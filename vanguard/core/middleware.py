"""Keeps the client address of the current request for the audit trail.
`client_ip` is the one answer to "who is this client" for the audit trail, the
login lockout and the ratings' one-address signal."""

import contextvars
import ipaddress

from django.conf import settings

_ip = contextvars.ContextVar("vanguard_ip", default=None)


def current_ip():
    return _ip.get()


def _valid(address):
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_ip(request):
    """The client's address. Behind trusted reverse proxies (TRUST_X_FORWARDED_FOR) it is
    the address the outermost trusted proxy appended to X-Forwarded-For: the
    TRUSTED_PROXY_COUNT-th entry from the right. Entries left of it were written by the
    client and are ignored: a client could put any address there to dodge the lockout,
    forge the audit trail or pass for many raters."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "")
    if settings.TRUST_X_FORWARDED_FOR:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        count = max(1, settings.TRUSTED_PROXY_COUNT)
        if len(hops) >= count:
            return _valid(hops[-count]) or remote
    return remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
