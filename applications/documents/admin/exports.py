"""The reviewers' export of Annex 4 filled with applications (导出汇总表): the form and the file.

The blank tables everyone downloads are public views (`applications.documents.views`).
"""

import tempfile

from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from applications.core import audit
from applications.core.access import can_review_list, sees_all_applications, visible_applications
from applications.core.admin_pages import admin_page
from applications.core.constants import LIVE_STATES, ApplicationState, Channel
from applications.documents import annex_tables
from applications.documents.spreadsheets import XLSX_CONTENT_TYPE
from applications.documents.views import xlsx_response
from applications.models import Application, Campaign, ReviewUnit
from applications.review.admin.applications import ReviewerMenuItem

# What each row of the export reads, in Annex 4's column order after 序号 (`annex_tables.write_summary_values`).
EXPORT_FIELDS = (
    "name",
    "gender",
    "employer",
    "id_number",
    "occupation",
    "new_level__name",
    "certificate_number",
    "mobile",
    "bank_card",
    "bank_branch",
)
EXPORT_UNIT_FIELD = "unit__name"  # the city's export of several units: the last column
EXPORT_CHUNK = 2000
ALL_STATES = "all"


class SummaryExportForm(forms.Form):
    """Which applications go into the filled Annex 4; the choices are limited to what the user may see."""

    year = forms.TypedChoiceField(label=_("奖励活动"), coerce=int, required=False, empty_value=None)
    unit = forms.TypedChoiceField(label=_("审核单位"), coerce=int, required=False, empty_value=None)
    state = forms.ChoiceField(label=_("状态"), required=False)
    channel = forms.ChoiceField(label=_("申报方式"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city_wide = sees_all_applications(user)
        campaigns = Campaign.objects.order_by("-year")
        self.fields["year"].choices = [(c.year, c.display_name) for c in campaigns]
        current = Campaign.objects.current()
        self.fields["year"].initial = current.year if current else None
        if self.city_wide:
            units = ReviewUnit.objects.order_by("sort_order", "name")
            self.fields["unit"].choices = [("", _("全部审核单位")), *[(u.pk, u.name) for u in units]]
        else:
            self.own_unit = user.staff_profile.unit
            self.fields["unit"].choices = [(self.own_unit.pk, self.own_unit.name)]
            self.fields["unit"].initial = self.own_unit.pk
        self.fields["state"].choices = [
            ("", _("全部有效申报")),
            *ApplicationState.choices,
            (ALL_STATES, _("全部，含未通过和已撤回")),
        ]
        self.fields["channel"].choices = [("", _("全部申报方式")), *Channel.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") is None:
            cleaned["year"] = self.fields["year"].initial
        if not self.city_wide:
            cleaned["unit"] = self.own_unit.pk  # any other unit failed as an invalid choice
        return cleaned


def _export_form(request, data):
    """The export form for a reviewer; 404 for anyone who may not list applications."""
    user = request.user
    if not can_review_list(user):
        raise Http404
    city_wide = sees_all_applications(user)
    if not city_wide and getattr(getattr(user, "staff_profile", None), "unit", None) is None:
        raise Http404
    return SummaryExportForm(user, data)


def _choice_label(form, name, value):
    return str(dict(form.fields[name].choices).get(value if value is not None else "", ""))


def export_applications(user, campaign, unit, state, channel):
    """The applications `user` may see in `campaign`, filtered, in Annex 4 order (unit, then submission)."""
    queryset = visible_applications(user, Application.objects.filter(campaign=campaign))
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    if state == ALL_STATES:
        pass
    elif state:
        queryset = queryset.filter(state=state)
    else:
        queryset = queryset.filter(state__in=LIVE_STATES)
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset.order_by("unit__sort_order", "unit__name", "submitted_at", "pk")


def summary_export_page(request):
    """The export form, with what the user's default export would hold."""
    form = _export_form(request, None)
    campaign = Campaign.objects.current()
    scope = form.fields["unit"].initial if not form.city_wide else None
    live = export_applications(request.user, campaign, scope, "", "").count() if campaign else 0
    title = _("导出汇总表")
    return admin_page(
        request,
        "applications/documents/export_summary.html",
        title,
        {
            "form": form,
            "campaign": campaign,
            "live": live,
            "unit_name": None if form.city_wide else form.own_unit.name,
            "download_url": reverse("applications_export_summary_xlsx"),
        },
        icon="download",
    )


@require_safe
def summary_export(request):
    """Annex 4 filled with the chosen applications, streamed from the database into a temporary file."""
    form = _export_form(request, request.GET)
    if not form.is_valid():
        raise Http404  # a unit that is not the reviewer's own, an unknown year or state
    data = form.cleaned_data
    campaign = get_object_or_404(Campaign, year=data["year"])
    unit = get_object_or_404(ReviewUnit, pk=data["unit"]) if data["unit"] is not None else None
    applications = export_applications(request.user, campaign, unit, data["state"], data["channel"])
    fields = EXPORT_FIELDS if unit is not None else (*EXPORT_FIELDS, EXPORT_UNIT_FIELD)
    now = timezone.localtime()
    unit_name = unit.name if unit else "全部审核单位"
    out = tempfile.TemporaryFile()
    count = annex_tables.write_summary_values(
        out,
        campaign,
        applications.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK),
        unit_name=unit_name,
        with_unit_column=unit is None,
        exported=f"导出：{now:%Y-%m-%d %H:%M} {request.user.get_username()}",
    )
    detail = " ".join(
        part
        for part in (
            "附件4汇总表",
            f"{campaign.year}年度",
            unit_name,
            _choice_label(form, "state", data["state"]),
            _choice_label(form, "channel", data["channel"]) if data["channel"] else "",
            f"{count}行",
        )
        if part
    )
    audit.record(request, audit.What.EXPORT, detail=detail)
    out.seek(0)
    response = FileResponse(out, content_type=XLSX_CONTENT_TYPE)
    add_never_cache_headers(response)
    return xlsx_response(
        response,
        f"{campaign.year}年度汇总表-{unit_name}-{now:%Y%m%d}.xlsx",
        f"summary-table-{campaign.year}-{unit.pk if unit else 'all'}-{now:%Y%m%d}.xlsx",
    )


def export_urls():
    return [
        path("exports/summary-table/", summary_export_page, name="applications_export_summary"),
        path("exports/summary-table.xlsx", summary_export, name="applications_export_summary_xlsx"),
    ]


def export_menu_item():
    return ReviewerMenuItem(_("导出汇总表"), reverse("applications_export_summary"), icon_name="download", order=155)
