"""Cache of rendered public pages for anonymous readers, cleared whenever content changes.

`PageCacheMiddleware` sits just inside the security and static-file middleware, so a hit
skips sessions, authentication and CSRF altogether. Only anonymous GET requests without
a session are served from or stored in the cache, only for views wrapped with
`cache_public_page` (Wagtail's page serving), and only plain 200 responses that set no
cookie and are not marked private. Publishing, unpublishing, moving or deleting a page, or changing the
campaign data pages show, clears the whole cache (see home/signals.py): publishing is
rare, reading is not.

Two layers: the shared cache (`pages` alias, Redis in production) that every process
fills and reads, and a small in-memory copy in each process, so that a hit costs no
network round trip. A purge clears the shared cache and bumps a generation number kept
there; each process compares its generation with the shared one at most every
`PAGE_CACHE_CHECK_SECONDS` and drops its copy when it changed. Another process may
therefore serve the old page for up to that long after a publish.

The key holds the host, the reader's language, the path and only the query parameters the
page at that path reads (`QUERY_PARAMETERS`): any other parameter (a tracking tag, a cache
buster, a random string) is served the page's one entry instead of making one of its own.
Only a response to the page's own address (no other parameter, none twice) is stored, since
a page shows its full address (the language links) and others should not see a stranger's.
A path stores at most `MAX_VARIANTS` entries with parameters per `PAGE_CACHE_SECONDS`; more
are served fresh but not stored, so even the parameters a page reads cannot fill the cache.

The page cache is never a reason for a page to fail: when the shared cache cannot be reached
(Redis down or slow), pages are served uncached, the error is logged once per
`SHARED_RETRY_SECONDS`, and the shared cache is not asked again until then.
"""

import hashlib
import logging
import pickle
import re
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.utils.cache import patch_response_headers
from django.utils.http import urlencode

from home.middleware import reader_language

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "page-cache:generation"

# The query parameters cached pages read, by the paths that read them. Only the self-check
# (`ApplyPage.self_check`, /apply/<year>/check/) reads any: its form's fields. Search and the
# apply and status pages read more, but are never cached.
QUERY_PARAMETERS = ((re.compile(r"/\d{4}/check/$"), ("level", "issued", "previous_level", "applied_last_campaign")),)
MAX_VARIANTS = 200
# After the shared cache failed, how long to serve uncached before asking it again.
SHARED_RETRY_SECONDS = 5.0


class RecentlyUsed(OrderedDict):
    """At most `max_entries` entries, the least recently used dropped first. Callers hold their own lock."""

    def __init__(self, max_entries):
        super().__init__()
        self.max_entries = max_entries

    def recall(self, key):
        """The entry of `key`, or None; it becomes the most recently used."""
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def remember(self, key, value):
        self[key] = value
        while len(self) > self.max_entries:
            self.popitem(last=False)


class _ProcessCopy:
    """This process's bounded copy of recently served pages, as pickled bytes."""

    def __init__(self, max_entries=500):
        self.entries = RecentlyUsed(max_entries)
        self.generation = None
        self.checked_at = float("-inf")
        self.lock = threading.Lock()
        self.epoch = 0  # counts every time the copy was dropped: what `content_epoch` reports

    def sync(self, shared):
        """Drop the copy if another process purged since the last look."""
        now = time.monotonic()
        if now - self.checked_at < settings.PAGE_CACHE_CHECK_SECONDS:
            return
        generation = shared.get(GENERATION_KEY)
        with self.lock:
            if generation != self.generation:
                self.entries.clear()
                self.generation = generation
                self.epoch += 1
            self.checked_at = now

    def get(self, key):
        with self.lock:
            data = self.entries.recall(key)
        return None if data is None else pickle.loads(data)

    def put(self, key, response):
        with self.lock:
            self.entries.remember(key, pickle.dumps(response, pickle.HIGHEST_PROTOCOL))

    def clear(self, generation):
        with self.lock:
            self.entries.clear()
            self.generation = generation
            self.epoch += 1
            self.checked_at = time.monotonic()


_copy = _ProcessCopy()


class SharedCacheDown(Exception):
    """The shared cache failed recently: serve uncached until `SHARED_RETRY_SECONDS` have passed."""


class _Outage:
    """When the shared cache last failed in this process."""

    until = float("-inf")

    def check(self):
        if time.monotonic() < self.until:
            raise SharedCacheDown

    def failed(self, error):
        self.until = time.monotonic() + SHARED_RETRY_SECONDS
        _copy.clear(None)  # purges in other processes cannot be seen meanwhile
        logger.error("page cache unavailable, serving pages uncached for %.0f s: %r", SHARED_RETRY_SECONDS, error)


_outage = _Outage()


def _shared():
    _outage.check()
    return caches[CACHE_ALIAS]


@contextmanager
def _outage_tolerated():
    """Runs the block with the shared cache, or skips the rest of it while the cache is down.

    A failure of the cache in the block starts an outage (`_Outage.failed`): pages are then served
    uncached, never as an error page.
    """
    try:
        yield
    except SharedCacheDown:
        pass
    except Exception as error:
        _outage.failed(error)


def _names_read(path):
    for pattern, names in QUERY_PARAMETERS:
        if pattern.search(path):
            return names
    return ()


def known_parameters(request):
    """The query parameters the page at this path reads, as (name, value) pairs in name order.

    A page reads one value per name (the last, as Django's forms do), so only that one counts.
    """
    names = _names_read(request.path)
    return tuple((name, request.GET[name]) for name in sorted(names) if name in request.GET)


def _key(request):
    query = urlencode(known_parameters(request))
    raw = f"{request.get_host()}|{reader_language(request)}|{request.path}|{query}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _may_store(request):
    """True if the response may be stored: asked at the page's own address, with room for one more variant."""
    names = _names_read(request.path)
    if not all(name in names and len(values) == 1 for name, values in request.GET.lists()):
        return False
    if not request.GET:
        return True
    shared = _shared()
    counter = "page-variants:" + hashlib.sha256(f"{request.get_host()}|{request.path}".encode()).hexdigest()
    shared.add(counter, 0, settings.PAGE_CACHE_SECONDS)
    try:
        return shared.incr(counter) <= MAX_VARIANTS
    except ValueError:  # the counter expired in between: let this one through
        return True


def _request_is_cacheable(request):
    return (
        settings.PAGE_CACHE_ENABLED and request.method == "GET" and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _response_is_cacheable(response):
    cache_control = response.get("Cache-Control", "")
    return (
        getattr(response, "cache_public_page", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


def _lookup(key):
    shared = _shared()
    _copy.sync(shared)
    response = _copy.get(key)
    if response is None:
        response = shared.get(key)
        if response is not None:
            _copy.put(key, response)
    return response


def content_epoch():
    """A number that changes whenever this process learns that content changed (a purge here, or
    another process's within `PAGE_CACHE_CHECK_SECONDS`), for other per-process copies of what
    content decides (home/routes.py). None when other processes' purges cannot be seen: the shared
    cache is down, or a dummy cache that keeps nothing."""
    with _outage_tolerated():
        shared = _shared()
        if not isinstance(shared, DummyCache):
            _copy.sync(shared)
            return _copy.epoch
    return None


def cache_public_page(view):
    """Mark the responses of `view` (Wagtail's page serving) as public pages to cache."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.cache_public_page = True
        return response

    return wrapped


class PageCacheMiddleware:
    """Serve cached public pages to anonymous readers; store the ones they are served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        key = _key(request)
        cached = None
        with _outage_tolerated():
            cached = _lookup(key)
        if cached is not None:
            return cached
        response = self.get_response(request)
        if _response_is_cacheable(response):
            self._store(request, key, response)
        return response

    @staticmethod
    def _store(request, key, response):
        with _outage_tolerated():
            shared = _shared()  # first: while the cache is down the response is left as it is
            if _may_store(request):
                patch_response_headers(response, cache_timeout=0)
                shared.set(key, response, settings.PAGE_CACHE_SECONDS)
                _copy.put(key, response)


def purge():
    """Forget every cached page, in this process at once and in the others within seconds.

    With the shared cache unreachable, only this process's copy is dropped and the error logged:
    the publish goes through, and the others serve uncached until the shared cache is back.
    """
    _copy.clear(None)
    try:
        shared = caches[CACHE_ALIAS]
        generation = (shared.get(GENERATION_KEY) or 0) + 1
        shared.clear()
        shared.set(GENERATION_KEY, generation, None)
    except Exception as error:
        logger.error("page cache purge failed; cached pages may be stale when the cache returns: %r", error)
        return
    _copy.clear(generation)
