"""Annex 3 as PDF: the blank form for everyone, a filled form for the application's own reviewers.

`urlpatterns` holds the public download (included at the site root by config/urls.py); the
filled form is an admin URL, registered below through Wagtail's hook.
"""

from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import condition, require_safe
from wagtail import hooks

from applications.core import audit
from applications.core.access import visible_applications
from applications.documents import pdf
from applications.models import Application, Campaign

BLANK_MAX_AGE = 3600


def content_disposition(filename, ascii_filename, *, inline=False):
    """A Content-Disposition whose file name survives every browser: an ASCII name, then the UTF-8 one (RFC 6266)."""
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"


def pdf_response(content, filename, ascii_filename, *, inline=False):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, ascii_filename, inline=inline)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _blank_etag(request, year):
    campaign = Campaign.objects.filter(year=year).first()
    return pdf.blank_form_cache_key(campaign).rsplit(":", 1)[-1] if campaign else None


@require_safe
@condition(etag_func=_blank_etag)
def blank_application_form(request, year):
    """The year's blank Annex 3 (`/downloads/<year>/application-form.pdf`); 404 for a year with no campaign."""
    campaign = get_object_or_404(Campaign, year=year)
    response = pdf_response(
        pdf.blank_form_pdf(campaign),
        f"{pdf.form_title(campaign)}.pdf",
        f"application-form-{campaign.year}.pdf",
    )
    patch_cache_control(response, public=True, max_age=BLANK_MAX_AGE)
    return response


urlpatterns = [
    path("downloads/<int:year>/application-form.pdf", blank_application_form, name="application_form_pdf"),
]


@require_safe
def filled_application_form(request, pk):
    """One application's Annex 3 with full ID and bank card numbers, for printing, stamping and archiving.

    Only for those who may see the application (404 for anyone else); every download is recorded.
    """
    queryset = visible_applications(
        request.user, Application.objects.select_related("campaign", "unit", "new_level", "previous_level")
    )
    application = get_object_or_404(queryset, pk=pk)
    content = pdf.filled_form_pdf(application)
    audit.record(request, audit.What.FORM_PDF, application)
    response = pdf_response(
        content,
        f"申请表-{application.reference}-{application.name}.pdf",
        f"application-form-{application.reference}.pdf",
        inline=True,
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


@hooks.register("register_admin_urls")
def register_form_pdf_url():
    return [path("applications/review/<int:pk>/form.pdf", filled_application_form, name="applications_form_pdf")]
