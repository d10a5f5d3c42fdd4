"""Rate limits where the public writes (rating page, evaluation code page, the
API's anonymous endpoints). Counted in the Django cache (locmem on one machine,
Redis when VANGUARD_REDIS_URL is set, so every web process shares the count),
per client address (core.middleware.client_ip) and fixed time window."""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import AnonRateThrottle

from .middleware import client_ip

# name -> (requests, seconds). settings.RATE_LIMITS overrides any of them.
DEFAULT_LIMITS = {
    "rate": (20, 600),          # rating form submissions from one address in 10 minutes
    "rate-view": (120, 600),    # rating form views (each needs a valid signed link anyway)
    "answer": (30, 600),        # evaluation code page: look-ups and answers
    "case": (20, 600),          # public case form: submissions and code requests from one address
    "case-track": (120, 600),   # tracking page look-ups (a number is 60 random bits anyway)
    "pledge-comment": (5, 600),  # comments on a pledge wall from one address in 10 minutes
    "honours-vote": (30, 600),  # honours vote code page: look-ups and votes
    "honours-objection": (10, 600),  # objections to a public notice
    "open311": (600, 600),      # the Open311 endpoint, per client address
}


def limit_for(name):
    return {**DEFAULT_LIMITS, **getattr(settings, "RATE_LIMITS", {})}[name]


def hit(name, ident):
    """Count one request of `ident` against limit `name`; False once over the limit.
    add() then incr() are atomic in both caches, so concurrent requests count exactly."""
    count, seconds = limit_for(name)
    window = int(time.time() // seconds)
    key = f"vg:rl:{name}:{ident}:{window}"
    if cache.add(key, 1, seconds + 5):
        current = 1
    else:
        try:
            current = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, seconds + 5)
            current = 1
    return current <= count


def too_many(request, name):
    _count, seconds = limit_for(name)
    minutes = max(1, round(seconds / 60))
    response = render(request, "core/rate_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def public_limit(name, methods=("POST",)):
    """View decorator: over the limit `name`, requests with one of `methods` get a
    Chinese 429 page before the view runs."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not hit(name, client_ip(request) or "-"):
                return too_many(request, name)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class AnonThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon']),
    keyed by the same client address as everything else, with a Chinese message."""

    def get_ident(self, request):
        return client_ip(request) or "-"
