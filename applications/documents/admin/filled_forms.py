"""One application's filled Annex 3 as PDF (打印材料), from its review page."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_safe

from applications.core import audit
from applications.core.access import visible_applications
from applications.documents import pdf
from applications.documents.views import pdf_response
from applications.models import Application


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


def form_pdf_url():
    return [path("applications/review/<int:pk>/form.pdf", filled_application_form, name="applications_form_pdf")]
