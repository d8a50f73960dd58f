"""Serving an attachment to someone allowed to see it; a 404 for everyone else, anonymous included."""

import logging

from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers

from .access import visible_applications
from .models import Application, Attachment

audit = logging.getLogger("portal.audit")


def attachment(request, pk):
    """The file, inline (so the review screen can show it in place), never cached."""
    allowed = visible_applications(request.user, Application.objects.all())
    item = Attachment.objects.filter(pk=pk, application__in=allowed).select_related("application").first()
    if item is None:
        raise Http404
    audit.info("attachment %s of %s opened by %s", item.kind, item.application.reference, request.user.username)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.application.reference}-{item.kind}"'
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response
