"""Admin screens of the records, the city service center's alone (anyone else: 404, as if they did not exist):

- 个人信息查阅与删除: one person's data exported as a ZIP, or erased on a legitimate request (shown first,
  then confirmed), each recorded with who and why (`PersonDataRequest`, and the personal-data access log);
- 保存期限与告知同意: each campaign's retention periods, and its consent text, where saving adds a version.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin.menu import MenuItem

from applications.core import audit
from applications.core.access import ADD_CONSENT_TEXT, CHANGE_RETENTION, HANDLE_PERSON_DATA
from applications.core.admin_pages import admin_page
from applications.core.client_address import client_address
from applications.models import Campaign, PersonDataRequest
from applications.records import consent, person_data, retention
from applications.records.forms import ConsentTextForm, EraseConfirmForm, PersonLookupForm, RetentionPolicyForm

RECENT_REQUESTS = 50


def _allow(request, *permissions):
    if not request.user.is_active or not any(request.user.has_perm(p) for p in permissions):
        raise Http404


def _person_page(request, form, **context):
    context = {"form": form, "requests": PersonDataRequest.objects.all()[:RECENT_REQUESTS], **context}
    return admin_page(request, "applications/records/person_data.html", _("个人信息查阅与删除"), context, icon="user")


@require_http_methods(["GET", "POST"])
def person_data_view(request):
    """Look a person up by ID number with a reason; then export their ZIP or go on to erasure."""
    _allow(request, HANDLE_PERSON_DATA)
    form = PersonLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = person_data.find(form.cleaned_data["id_number"])
        reason = form.cleaned_data["reason"]
        if request.POST.get("action") == "export":
            data = person_data.export_zip(person)
            record = person_data.record_export(
                person, user=request.user, reason=reason, ip_address=client_address(request)
            )
            audit.record(request, audit.What.PERSON_EXPORT, member=person.member, detail=f"{person.label}：{reason}")
            response = HttpResponse(data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="person-data-{record.pk}.zip"'
            add_never_cache_headers(response)
            response["Cache-Control"] += ", private"
            return response
        confirm = EraseConfirmForm(initial=form.cleaned_data)
        return _erase_page(request, confirm, person)
    return _person_page(request, form)


def _erase_page(request, form, person):
    context = {"form": form, "person": person, "preview": person_data.preview(person)}
    parents = [(reverse("records_person_data"), _("个人信息查阅与删除"))]
    return admin_page(
        request, "applications/records/erase.html", _("删除本人信息"), context, icon="user", parents=parents
    )


@require_POST
def erase_view(request):
    """Erase after the preview was seen and the box ticked; refused while an application is in progress."""
    _allow(request, HANDLE_PERSON_DATA)
    form = EraseConfirmForm(request.POST)
    if not form.is_valid():
        person = person_data.find(form.cleaned_data["id_number"]) if "id_number" in form.cleaned_data else None
        if person is None:
            return _person_page(request, PersonLookupForm(request.POST))
        return _erase_page(request, form, person)
    person = person_data.find(form.cleaned_data["id_number"])
    reason = form.cleaned_data["reason"]
    try:
        person_data.erase(person, user=request.user, reason=reason, ip_address=client_address(request))
    except person_data.ErasureRefused as error:
        form.add_error(None, error.message)
        return _erase_page(request, form, person)
    audit.record(request, audit.What.PERSON_ERASURE, member=person.member, detail=f"{person.label}：{reason}")
    messages.success(request, _("已删除%(person)s的个人信息，处理记录已保存。") % {"person": person.label})
    return redirect("records_person_data")


@require_http_methods(["GET"])
def retention_index(request):
    """Every campaign's periods and current consent version."""
    _allow(request, CHANGE_RETENTION, ADD_CONSENT_TEXT)
    rows = []
    for campaign in Campaign.objects.order_by("-year"):
        latest = campaign.consent_texts.order_by("-version").first()
        rows.append({"campaign": campaign, "policy": retention.policy_for(campaign), "consent": latest})
    return admin_page(
        request, "applications/records/retention_index.html", _("保存期限与告知同意"), {"rows": rows}, icon="time"
    )


@require_http_methods(["GET", "POST"])
def retention_edit(request, year):
    """One campaign's periods (a change is saved as is) and consent text (a change is a new version)."""
    _allow(request, CHANGE_RETENTION, ADD_CONSENT_TEXT)
    campaign = get_object_or_404(Campaign, year=year)
    policy = retention.policy_for(campaign)
    posted = request.POST.get("form") if request.method == "POST" else None
    can_periods = request.user.has_perm(CHANGE_RETENTION)
    can_consent = request.user.has_perm(ADD_CONSENT_TEXT)
    periods = RetentionPolicyForm(request.POST if posted == "periods" else None, instance=policy)
    current = consent.current_text(campaign)
    text_form = ConsentTextForm(request.POST if posted == "consent" else None, initial={"text": current.text})
    if posted == "periods" and can_periods and periods.is_valid():
        saved = periods.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("%(year)s年度保存期限已保存。") % {"year": year})
        return redirect("records_retention_edit", year=year)
    if posted == "consent" and can_consent and text_form.is_valid():
        if text_form.cleaned_data["text"] == current.text:
            messages.info(request, _("内容没有变化，未生成新版本。"))
        else:
            made = consent.new_version(campaign, text_form.cleaned_data["text"], request.user)
            messages.success(request, _("已保存为第%(version)s版；此后的申报记录此版本。") % {"version": made.version})
        return redirect("records_retention_edit", year=year)
    if posted and not ((posted == "periods" and can_periods) or (posted == "consent" and can_consent)):
        raise Http404
    context = {
        "campaign": campaign,
        "periods": periods,
        "text_form": text_form,
        "versions": campaign.consent_texts.order_by("-version"),
        "can_periods": can_periods,
        "can_consent": can_consent,
        "notice": consent.retention_notice(campaign),
    }
    parents = [(reverse("records_retention"), _("保存期限与告知同意"))]
    title = _("%(year)s年度保存期限与告知同意") % {"year": year}
    return admin_page(request, "applications/records/retention_edit.html", title, context, icon="time", parents=parents)


def urls():
    return [
        path("person-data/", person_data_view, name="records_person_data"),
        path("person-data/erase/", erase_view, name="records_person_erase"),
        path("retention/", retention_index, name="records_retention"),
        path("retention/<int:year>/", retention_edit, name="records_retention_edit"),
    ]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, permissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request):
        return request.user.is_active and any(request.user.has_perm(p) for p in self.permissions)


def person_data_menu_item():
    return _PermissionMenuItem(
        gettext_lazy("个人信息查阅与删除"),
        reverse("records_person_data"),
        icon_name="user",
        order=880,
        permissions=[HANDLE_PERSON_DATA],
    )


def retention_menu_item():
    return _PermissionMenuItem(
        gettext_lazy("保存期限与告知同意"),
        reverse("records_retention"),
        icon_name="time",
        order=881,
        permissions=[CHANGE_RETENTION, ADD_CONSENT_TEXT],
    )


menu_items = (person_data_menu_item, retention_menu_item)
modeladmins = ()
viewsets = ()
