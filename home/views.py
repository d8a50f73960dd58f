"""Site-wide views: search, language switch, health check, error pages."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from home.models import HomePage
from notices.models import AnnexPage, NoticeIndexPage, NoticePage

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
    return TemplateResponse(request, "search.html", {"query": query, "results": page})


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


def server_error(request):
    """500 page rendered without context processors, so it cannot fail the same way."""
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
