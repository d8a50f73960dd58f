"""Attaching scans after entry, in the admin: a zip named by ID number, or one application's copies.

Only the application's own unit reviewer attaches scans; anyone else gets a 404. Its URLs and menu
item are listed with the Annex 4 screens' (`annex4.annex4_urls`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from applications.apply.copies import CleanUpload
from applications.apply.forms import AttachmentsForm
from applications.core.access import reviewer_unit, visible_applications
from applications.core.constants import AttachmentKind
from applications.models import Application, Campaign
from applications.unit_channel import scans


class ScansZipForm(forms.Form):
    archive = forms.FileField(
        label=gettext_lazy("扫描件压缩包（.zip）"),
        help_text=gettext_lazy("不超过100MB、200个文件；更多的请分几次上传。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


@require_http_methods(["GET", "POST"])
def scans_zip(request):
    """A zip of scans named by ID number, matched to the unit's own applications; a report per file."""
    unit = reviewer_unit(request.user)
    if unit is None:
        raise Http404
    campaign = Campaign.objects.open_now().order_by("-year").first()
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = ScansZipForm(data, files)
    results = None
    if request.method == "POST" and campaign is not None and form.is_valid():
        try:
            results = scans.attach_zip(form.cleaned_data["archive"], unit, campaign, request.user)
        except scans.ScanArchiveError as error:
            form.add_error("archive", str(error))
    attached = [result for result in results or () if result.attached]
    return TemplateResponse(
        request,
        "applications/unit_channel/scans/zip.html",
        {
            "form": form,
            "unit": unit,
            "campaign": campaign,
            "results": results,
            "attached_count": len(attached),
            "refused_count": len(results or ()) - len(attached),
            "kind_words": _kind_words(),
            "limits": {"files": scans.MAX_ZIP_FILES, "megabytes": scans.MAX_ZIP_BYTES // (1024 * 1024)},
        },
    )


def _kind_words():
    """Each kind with the words a file name may use for it, for the naming rule on the screen."""
    words = {}
    for word, kind in scans.KIND_WORDS.items():
        words.setdefault(kind, []).append(word)
    return [(AttachmentKind(kind).label, words[kind]) for kind in AttachmentKind.values]


@require_http_methods(["GET", "POST"])
def application_scans(request, pk):
    """Add or replace one application's copies, per kind; for its own unit reviewer only."""
    unit = reviewer_unit(request.user)
    if unit is None:
        raise Http404
    queryset = visible_applications(request.user, Application.objects.select_related("campaign", "unit"))
    application = get_object_or_404(queryset.filter(unit=unit), pk=pk)
    current = {attachment.kind: attachment for attachment in application.attachments.all()}
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = AttachmentsForm(data, files, optional=True, already=current.keys())
    open_for_scans = scans.accepts_scans(application)
    if request.method == "POST" and open_for_scans and form.is_valid():
        uploads = {kind: upload for kind, upload in form.cleaned_data.items() if isinstance(upload, CleanUpload)}
        if not uploads:
            form.add_error(None, _("请至少选择一个文件。"))
        else:
            try:
                replaced = scans.attach(application, uploads, request.user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                labels = "、".join(
                    AttachmentKind(kind).label + (_("（已替换原文件）") if kind in replaced else "")
                    for kind in AttachmentKind.values
                    if kind in uploads
                )
                messages.success(
                    request,
                    _("%(reference)s：已上传 %(labels)s。")
                    % {
                        "reference": application.reference,
                        "labels": labels,
                    },
                )
                return redirect("applications_review", pk=application.pk)
    return TemplateResponse(
        request,
        "applications/unit_channel/scans/application.html",
        {
            "application": application,
            "form": form,
            "open_for_scans": open_for_scans,
            "frozen_reason": "" if open_for_scans else scans.frozen_reason(application),
            "current": [(label, current.get(kind)) for kind, label in AttachmentKind.choices],
        },
    )
