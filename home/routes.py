"""Wagtail's site and page lookup for a path, remembered by each process until content changes.

Serving a Wagtail page first finds the request's Site (a query), then walks the page tree a slug
at a time (a query a level: three for /apply/2022/) and reads the view restrictions of the page
and its ancestors (two more): six queries before the page's own work, on every form step. The
answer changes only when a page is published, unpublished, moved, renamed or deleted, or a view
restriction or a Site changes, and each of those purges the page cache (home/signals.py). So each
process remembers, per host and path, the Site and the live page that answered, and serves a copy
of them until the page cache's `content_epoch` changes: at once after a purge in this process,
within `PAGE_CACHE_CHECK_SECONDS` after one in another, which is how long the page cache itself may
serve a stale page. While other processes' purges cannot be seen (the shared cache is down, or a
dummy cache) nothing is remembered and every request is routed afresh.

Only public pages are remembered: a page with a view restriction on it or an ancestor is routed and
checked on every request. A path that ends in 404 is not remembered either.
"""

import copy
import threading
from functools import wraps

from django.http import Http404
from wagtail.models import Page, PageViewRestriction

from home import page_cache

MAX_ENTRIES = 500  # routable pages take any year in the path: the memo must not grow with them


class _Memo:
    """This process's remembered routes, all dropped when the content epoch changes."""

    def __init__(self):
        self.entries = page_cache.RecentlyUsed(MAX_ENTRIES)
        self.epoch = None
        self.lock = threading.Lock()

    def get(self, key, epoch):
        with self.lock:
            if epoch != self.epoch:
                self.entries.clear()
                self.epoch = epoch
            return self.entries.recall(key)

    def put(self, key, epoch, entry):
        with self.lock:
            if epoch == self.epoch:
                self.entries.remember(key, entry)


_memo = _Memo()


def _entry(request, path, route):
    """What to remember of a route: the Site, a copy of the public page and the path below it; or None."""
    page, site = route[0], request._wagtail_site
    if not page.live or page.get_view_restrictions().exists():
        return None
    components = [component for component in path.split("/") if component]
    below = components[page.depth - site.root_page.depth :]  # each level of the tree takes one component
    return copy.copy(site), copy.copy(page), below


def _replay(request, site, page, below):
    """Set up the request as Wagtail's own lookup would have, from copies of what was remembered."""
    request._wagtail_site = copy.copy(site)
    page = copy.copy(page)
    page.get_view_restrictions = PageViewRestriction.objects.none  # it had none when remembered
    try:
        request._wagtail_route_for_request = page.route(request, below)  # a routable page's own URLs
    except Http404:
        request._wagtail_route_for_request = None


def remember_routes(serve):
    """Wrap Wagtail's `serve(request, path)` view so that each process routes a public path once per epoch."""

    @wraps(serve)
    def wrapped(request, path):
        epoch = page_cache.content_epoch()
        if epoch is not None:
            key = (request.get_host(), request.get_port(), path)  # what Wagtail's Site lookup reads
            remembered = _memo.get(key, epoch)
            if remembered is not None:
                _replay(request, *remembered)
            elif (route := Page.route_for_request(request, path)) is not None:
                if (entry := _entry(request, path, route)) is not None:
                    _memo.put(key, epoch, entry)
        return serve(request, path)

    return wrapped
