"""Cache of rendered public pages for anonymous readers, cleared whenever content changes.

Only anonymous GET/HEAD requests without a session are served from or stored in the
cache, and only plain 200 responses that set no cookie, use no CSRF token and are not
marked private. Publishing, unpublishing, moving or deleting a page, or changing the
campaign data pages show, clears the whole cache (see home/signals.py): publishing is
rare, reading is not.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import patch_response_headers

CACHE_ALIAS = "pages"


def _cache():
    return caches[CACHE_ALIAS]


def _key(request):
    raw = f"{request.get_host()}|{request.LANGUAGE_CODE}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _request_is_cacheable(request):
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def _response_is_cacheable(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


def cache_public_page(view):
    """Wrap Wagtail's page-serving view with the anonymous page cache."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not _request_is_cacheable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = _cache().get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)

        def store(rendered):
            if _response_is_cacheable(request, rendered):
                patch_response_headers(rendered, cache_timeout=0)
                _cache().set(key, rendered, settings.PAGE_CACHE_SECONDS)

        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapped


def purge():
    """Forget every cached page."""
    _cache().clear()
