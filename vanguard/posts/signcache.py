"""The cache of rendered signboards (see views_public.signboard)."""

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache


def cache_is_shared():
    """A per-process cache (LocMem) cannot be told by another worker that a post
    changed, so each hit first reads the post's version; a shared cache (Redis)
    is invalidated by the services instead and a hit costs no query."""
    return not isinstance(caches["default"], LocMemCache)


def sign_cache_key(code, language, large, version=""):
    return f"posts:sign:{code.upper()}:{version}:{language}:{int(large)}"


def forget_signboard(code):
    """Called by the services after a change commits (shared caches only)."""
    if cache_is_shared():
        cache.delete_many([sign_cache_key(code, lang, large) for lang, _name in settings.LANGUAGES
                           for large in (False, True)])
