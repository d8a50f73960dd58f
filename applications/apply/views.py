"""Serving an attachment to someone allowed to see it; a 404 for everyone else, anonymous included."""

from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers

from applications.core import audit
from applications.core.access import visible_applications
from applications.models import Application, Attachment


def attachment(request, pk):
    """The file, inline (so the review screen can show it in place), never cached."""
    allowed = visible_applications(request.user, Application.objects.all())
    item = Attachment.objects.filter(pk=pk, application__in=allowed).select_related("application").first()
    if item is None:
        raise Http404
    audit.record(request, audit.What.ATTACHMENT, item.application, detail=item.get_kind_display())
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.application.reference}-{item.kind}"'
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    # An uploaded file is never a page of this site: no script, form or plugin of it runs with our origin.
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
