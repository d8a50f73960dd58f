"""Admin screens for bundles of filled Annex 3 forms: request one, follow its progress, download it.

Unit reviewers work with their own unit's bundles; the city service center with any unit's or the
whole city's. Anyone else gets a 404, as if the screens did not exist.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe
from wagtail.admin.menu import MenuItem

from applications.core import audit
from applications.core.constants import ApplicationState
from applications.core.downloads import private_file_response
from applications.documents import bundles, pdf
from applications.documents.views import content_disposition
from applications.models import Campaign, DocumentBundle, ReviewUnit

LIST_LENGTH = 50
POLL_SECONDS = 3
ACTIVE_STATES = (DocumentBundle.State.QUEUED, DocumentBundle.State.RUNNING)


class BundleRequestForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("奖励活动"), queryset=Campaign.objects.order_by("-year"), empty_label=None
    )
    unit = forms.ModelChoiceField(
        label=_("审核单位"),
        queryset=ReviewUnit.objects.filter(is_active=True),
        required=False,
        empty_label=_("全市（全部审核单位）"),
    )
    states = forms.MultipleChoiceField(
        label=_("包含哪些状态的申报"),
        choices=ApplicationState.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(bundles.DEFAULT_STATES),
        help_text=_("默认：审核单位已通过和市总工会已审核通过的申报。"),
    )

    def __init__(self, scope, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        current = Campaign.objects.open_now().order_by("-year").first() or Campaign.objects.current()
        if current is not None:
            self.fields["campaign"].initial = current.pk
        if not scope.city_wide:
            del self.fields["unit"]

    def selected_unit(self):
        return self.cleaned_data.get("unit") if self.scope.city_wide else self.scope.unit


def _scope_or_404(user):
    scope = bundles.bundle_scope(user)
    if scope is None:
        raise Http404
    return scope


def _rows(queryset):
    return [
        {
            "bundle": bundle,
            "label": bundles.bundle_label(bundle),
            "active": bundle.state in ACTIVE_STATES,
        }
        for bundle in queryset
    ]


@require_safe
def bundle_list(request):
    """The user's bundles, newest first, with state and progress; the page follows running ones itself."""
    scope = _scope_or_404(request.user)
    bundles.fail_stalled()
    queryset = bundles.visible_bundles(request.user).select_related("campaign", "unit", "requested_by")
    rows = _rows(queryset[:LIST_LENGTH])
    return TemplateResponse(
        request,
        "applications/documents/bundles/list.html",
        {
            "rows": rows,
            "scope": scope,
            "any_active": any(row["active"] for row in rows),
            "poll_seconds": POLL_SECONDS,
            "status_url": reverse("applications_bundle_status"),
        },
    )


@require_safe
def bundle_status(request):
    """Progress of the user's queued and running bundles (and those just finished), for the list's script."""
    _scope_or_404(request.user)
    ids = [int(value) for value in request.GET.getlist("id") if value.isdigit()][:LIST_LENGTH]
    bundles.fail_stalled()
    found = bundles.visible_bundles(request.user).filter(pk__in=ids)
    response = JsonResponse(
        {
            "bundles": [
                {
                    "id": bundle.pk,
                    "state": bundle.state,
                    "state_label": str(bundle.get_state_display()),
                    "done": bundle.done,
                    "total": bundle.total,
                    "percent": bundle.percent,
                }
                for bundle in found
            ]
        }
    )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def bundle_request(request):
    """Choose the campaign, (for the city) the unit, and the states; the task is queued on submit."""
    scope = _scope_or_404(request.user)
    form = BundleRequestForm(scope, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            bundle = bundles.request_bundle(
                request.user, form.cleaned_data["campaign"], form.selected_unit(), form.cleaned_data["states"]
            )
        except bundles.BundleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已开始生成：%(label)s，共 %(total)s 份。")
                % {"label": bundles.bundle_label(bundle), "total": bundle.total},
            )
            return redirect("applications_bundles")
    return TemplateResponse(request, "applications/documents/bundles/request.html", {"form": form, "scope": scope})


@require_safe
def bundle_download(request, pk):
    """The finished PDF, only for its unit's reviewers and the city; every download is recorded."""
    bundle = get_object_or_404(
        bundles.visible_bundles(request.user).select_related("campaign", "unit"),
        pk=pk,
        state=DocumentBundle.State.DONE,
    )
    if not bundle.file:
        raise Http404
    label = bundles.bundle_label(bundle)
    audit.record(request, audit.What.EXPORT, detail=f"申请表合订PDF #{bundle.pk} {label} 共{bundle.total}份")
    response = private_file_response(bundle.file.name, "application/pdf")
    filename = f"{pdf.form_title(bundle.campaign)}-{bundle.unit.name if bundle.unit_id else '全市'}-{bundle.pk}.pdf"
    response["Content-Disposition"] = content_disposition(
        filename, f"application-forms-{bundle.campaign.year}-{bundle.pk}.pdf"
    )
    return response


def bundle_urls():
    return [
        path("bundles/", bundle_list, name="applications_bundles"),
        path("bundles/new/", bundle_request, name="applications_bundle_request"),
        path("bundles/status/", bundle_status, name="applications_bundle_status"),
        path("bundles/<int:pk>/download/", bundle_download, name="applications_bundle_download"),
    ]


class BundleMenuItem(MenuItem):
    def is_shown(self, request):
        return bundles.bundle_scope(request.user) is not None


def bundle_menu_item():
    return BundleMenuItem(_("打印申请表"), reverse("applications_bundles"), icon_name="doc-full-inverse", order=153)
