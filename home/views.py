"""Site-wide views: search, language switch, health and readiness checks, error pages."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from applications.core.storage import private_storage
from home.models import HomePage
from notices.models import AnnexPage, NoticeIndexPage, NoticePage

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10
# Most specific first: the notice and its annexes before the pages that list them.
SEARCHABLE_PAGE_TYPES = (NoticePage, AnnexPage, NoticeIndexPage, HomePage)


def search(request):
    """Full-text search over the live public pages."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        for model in SEARCHABLE_PAGE_TYPES:
            results.extend(model.objects.live().public().search(query))
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    from service_hall.consultations import search_published  # published questions of 在线咨询

    questions = search_published(query) if query else []
    return TemplateResponse(request, "search.html", {"query": query, "results": page, "questions": questions})


def set_language(request, code):
    """Remember the reader's language in a cookie and go back where they were."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    return response


def healthz(request):
    """A bare view for load balancers (and the benchmark's baseline)."""
    return HttpResponse("ok", content_type="text/plain")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)


def _check_file_store():
    if settings.PRIVATE_STORAGE_URL:  # the object store: an object written and deleted through the app's storage
        storage = private_storage()
        storage.delete(storage.save(f".readyz/{uuid.uuid4().hex}", ContentFile(b"ok")))
        return
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    probe = root / f".readyz-{uuid.uuid4().hex}"
    probe.write_bytes(b"ok")
    probe.unlink()


READINESS_CHECKS = {"database": _check_database, "cache": _check_cache, "file_store": _check_file_store}


def readyz(request):
    """Whether this worker can serve applicants: the database, the default cache and the private file store.

    200 with `{"ready": true, "checks": {...: "ok"}}`, or 503 naming each failing check (the reason goes
    to the log, not to the caller). Not cached and not behind a sign-in: load balancers call it.
    """
    checks = {}
    for name, check in READINESS_CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("readiness check %s failed", name)
            checks[name] = "failed"
        else:
            checks[name] = "ok"
    ready = all(value == "ok" for value in checks.values())
    failing = [name for name, value in checks.items() if value != "ok"]
    body = {"ready": ready, "checks": checks}
    if failing:
        body["failing"] = failing
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """500 page rendered without context processors, so it cannot fail the same way.

    When the database could not be reached (PostgreSQL restarting, connections refused or dropped)
    it is the 503 page instead: nothing was saved, try again in a minute.
    """
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template import loader

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
