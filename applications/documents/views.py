"""Public downloads: the blank Annex 3 as PDF, the blank Annex 4 and Annex 1 with live counts as Excel.

Their URLs are in `applications/urls.py`. The filled forms and exports for reviewers are admin
screens (`applications.documents.admin`).
"""

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import condition, require_safe

from applications.documents import annex_tables, pdf
from applications.documents.spreadsheets import XLSX_CONTENT_TYPE
from applications.models import Campaign
from applications.review.progress import city_totals, unit_progress

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


def xlsx_response(response, filename, ascii_filename):
    response["Content-Disposition"] = content_disposition(filename, ascii_filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_bytes_response(content, filename, ascii_filename):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Length"] = str(len(content))
    return xlsx_response(response, filename, ascii_filename)


@require_safe
def summary_table(request, year):
    """Annex 4, blank: the form a review unit fills in for the unit channel."""
    campaign = get_object_or_404(Campaign, year=year)
    out = io.BytesIO()
    annex_tables.write_summary_table(out, campaign, blank=True)
    response = xlsx_bytes_response(
        out.getvalue(), f"{annex_tables.summary_title(campaign)}.xlsx", f"summary-table-{year}.xlsx"
    )
    patch_cache_control(response, public=True, max_age=BLANK_MAX_AGE)
    return response


@require_safe
def summary_table_import(request, year):
    """Annex 4's import edition (系统导入版), blank: every column the unit channel's import reads."""
    campaign = get_object_or_404(Campaign, year=year)
    out = io.BytesIO()
    annex_tables.write_summary_import_blank(out, campaign)
    response = xlsx_bytes_response(
        out.getvalue(), f"{annex_tables.summary_import_title(campaign)}.xlsx", f"summary-table-import-{year}.xlsx"
    )
    patch_cache_control(response, public=True, max_age=BLANK_MAX_AGE)
    return response


@require_safe
def quota_table(request, year):
    """Annex 1 with each unit's guidance number and live counts (no personal data), never cached."""
    campaign = get_object_or_404(Campaign, year=year)
    rows = unit_progress(campaign)
    out = io.BytesIO()
    annex_tables.write_quota_table(out, campaign, rows, city_totals(rows, "合计"), timezone.localtime())
    response = xlsx_bytes_response(
        out.getvalue(), f"{annex_tables.quota_title(campaign)}.xlsx", f"quota-table-{year}.xlsx"
    )
    add_never_cache_headers(response)
    return response
