"""The unit channel in bulk, in the admin: upload the Annex 4 summary table, check it, then import.

Nothing is imported until the reviewer confirms on the results page. Between the two steps the
uploaded file waits in private storage under `pending/<random token>/` (never under a public URL;
`purge_pending_uploads` removes any left behind), known only to the uploader's session; it is
deleted on import or cancel, and checked again at import, since the data may have changed.
"""

import secrets
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.menu import MenuItem

from applications.core.access import entry_scope, grassroots_of, reviewer_unit, visible_applications
from applications.core.crypto import mask
from applications.core.storage import private_storage
from applications.models import Application, Campaign, Consent
from applications.records import consent
from applications.unit_channel.admin.scans import application_scans, scans_zip
from applications.unit_channel.annex4 import (
    CellError,
    SummaryTableError,
    annotated_copy,
    import_rows,
    parse_summary_table,
    validate_rows,
)

SESSION_KEY = "annex4-upload"
DONE_KEY = "annex4-imported"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SummaryUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("附件4汇总表（.xlsx）"),
        error_messages={"required": gettext_lazy("请选择要上传的汇总表文件。")},
        help_text=gettext_lazy(
            "按附件4的列填写；表末可加“发证时间”（必填）和“基层工会”两列。不超过5MB、3000行。出错后需重新选择文件。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}"}),
    )
    grassroots_union = forms.CharField(
        label=gettext_lazy("基层工会"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("表中没有“基层工会”列，或该列为空的行，使用这里填写的基层工会名称。"),
    )
    grassroots_opinion = forms.CharField(
        label=gettext_lazy("基层工会意见"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("整张表共用一条意见，如“经核对，情况属实。”"),
        error_messages={"required": gettext_lazy("请填写基层工会意见。")},
    )
    # Each row's applicant signed the consent on their paper Annex 3 (applications/records/consent.py).
    paper_consent = forms.BooleanField(
        label=gettext_lazy("已核对：表中每位申请人都已在纸质申请表上签字同意个人信息处理告知"),
        error_messages={
            "required": gettext_lazy("请核对每位申请人的纸质申请表均已签字同意个人信息处理告知，再勾选此项。")
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过5MB；请删除多余的工作表或分成几个文件上传。"))
        data = upload.read()
        try:
            self.table = parse_summary_table(data)
        except SummaryTableError as error:
            raise forms.ValidationError(str(error)) from None
        if not self.table.rows:
            raise forms.ValidationError(_("表头下面没有数据行。"))
        return data


class PendingSummary:
    """The uploaded table between the check and the import, kept in this session only."""

    def __init__(self, session):
        self.session = session
        self.state = session.get(SESSION_KEY)

    @classmethod
    def keep(cls, session, data, *, filename, unit, campaign, grassroots_union, grassroots_opinion, grassroots=None):
        cls(session).discard()
        token = secrets.token_hex(16)
        stored = private_storage().save(f"pending/{token}/annex4.xlsx", ContentFile(data))
        session[SESSION_KEY] = {
            "token": token,
            "path": stored,
            "filename": PurePath(filename or "汇总表.xlsx").name[:100],
            "unit": unit.pk,
            "campaign": campaign.pk,
            "grassroots_union": grassroots_union,
            "grassroots_opinion": grassroots_opinion,
            "grassroots": grassroots.pk if grassroots else None,
        }
        return cls(session)

    def usable_for(self, unit, campaign, grassroots=None):
        return (
            bool(self.state)
            and self.state["unit"] == unit.pk
            and self.state["campaign"] == campaign.pk
            and self.state.get("grassroots") == (grassroots.pk if grassroots else None)
        )

    def read(self):
        try:
            with private_storage().open(self.state["path"]) as handle:
                return handle.read()
        except (FileNotFoundError, OSError):
            return None

    def discard(self):
        if self.state:
            private_storage().delete(self.state["path"])
            self.session.pop(SESSION_KEY, None)
            self.state = None


def _context(request):
    """(unit, open campaign), or 404 for anyone who does not enter applications for a unit (its reviewers,
    or one of its grassroots unions)."""
    scope = entry_scope(request.user)
    if scope is None:
        raise Http404
    return scope.unit, Campaign.objects.open_now().order_by("-year").first()


OTHER_GRASSROOTS = "“{named}”不是本基层工会（{own}）；其他基层工会的人员请由该基层工会上传。"


def _own_rows_only(results, grassroots):
    """A grassroots union uploads for its own members only: a row naming another grassroots union is an error."""
    for result in results:
        named = (result.values or {}).get("grassroots_union")
        if named and named != grassroots.name:
            message = OTHER_GRASSROOTS.format(named=named, own=grassroots.name)
            result.errors.append(CellError(result.row, "基层工会", message))
            result.values = None


def _checked(pending, unit, campaign):
    """The stored file read and checked again: (data, table, results), or None when it is gone or unusable."""
    data = pending.read()
    if data is None:
        return None
    try:
        table = parse_summary_table(data)
    except SummaryTableError:
        return None
    results = validate_rows(table, campaign, unit, grassroots_union=pending.state["grassroots_union"])
    grassroots = _grassroots(pending)
    if grassroots is not None:
        _own_rows_only(results, grassroots)
    return data, table, results


def _grassroots(pending):
    from applications.models import GrassrootsUnion

    pk = pending.state.get("grassroots")
    return GrassrootsUnion.objects.filter(pk=pk).first() if pk else None


def _pending_or_redirect(request, unit, campaign):
    pending = PendingSummary(request.session)
    if campaign is None or not pending.usable_for(unit, campaign, grassroots_of(request.user)):
        pending.discard()
        messages.warning(request, _("没有待导入的汇总表（可能已导入、已取消或已过期），请重新上传。"))
        return None, redirect("applications_annex4_upload")
    checked = _checked(pending, unit, campaign)
    if checked is None:
        pending.discard()
        messages.warning(request, _("上传的文件已过期或无法再读取，请重新上传。"))
        return None, redirect("applications_annex4_upload")
    return (pending, *checked), None


@require_http_methods(["GET", "POST"])
def upload(request):
    """Step 1: the .xlsx and the values the whole table shares; checked at once, imported later."""
    unit, campaign = _context(request)
    grassroots = grassroots_of(request.user)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = SummaryUploadForm(data, files)
    if grassroots is not None:
        form.fields["grassroots_union"].initial = grassroots.name
        form.fields["grassroots_union"].disabled = True
        form.fields["grassroots_union"].help_text = _("本基层工会上传的各行都属于本基层工会。")
        form.fields["grassroots_opinion"].label = _("基层工会初审意见")
    if request.method == "POST" and campaign is not None and form.is_valid():
        PendingSummary.keep(
            request.session,
            form.cleaned_data["file"],
            filename=request.FILES["file"].name,
            unit=unit,
            campaign=campaign,
            grassroots_union=form.cleaned_data["grassroots_union"].strip(),
            grassroots_opinion=form.cleaned_data["grassroots_opinion"].strip(),
            grassroots=grassroots,
        )
        return redirect("applications_annex4_check")
    pending = PendingSummary(request.session)
    return TemplateResponse(
        request,
        "applications/unit_channel/annex4/upload.html",
        {
            "form": form,
            "unit": unit,
            "grassroots": grassroots,
            "campaign": campaign,
            "has_pending": campaign is not None and pending.usable_for(unit, campaign, grassroots),
        },
    )


def _results_context(pending, table, results, outcome=None):
    names = {row.row: row.cells.get("name") for row in table.rows}
    errors = [(error, names.get(error.row)) for result in results for error in result.errors]
    found = {error for error, _name in errors}
    problems = [(error, names.get(error.row)) for error in outcome.errors if error not in found] if outcome else []
    valid = [result for result in results if result.ok]
    return {
        "pending": pending.state,
        "total": len(results),
        "valid": [
            {
                "row": result.row,
                "name": result.values["name"],
                "id_number": mask(result.values["id_number"]),
                "level": result.values["new_level"].name,
                "employer": result.values["employer"],
                "grassroots_union": result.values["grassroots_union"] or pending.state["grassroots_union"],
            }
            for result in valid
        ],
        "carry_over_rows": [result.row for result in valid if result.carry_over],
        "invalid_count": len(results) - len(valid),
        "errors": errors,
        "import_problems": problems,
    }


@require_GET
def check(request):
    """Step 2: counts, every error per row and column, the annotated copy, and the import buttons."""
    unit, campaign = _context(request)
    found, response = _pending_or_redirect(request, unit, campaign)
    if response:
        return response
    pending, _data, table, results = found
    context = {"unit": unit, "campaign": campaign, **_results_context(pending, table, results)}
    return TemplateResponse(request, "applications/unit_channel/annex4/check.html", context)


@require_GET
def annotated(request):
    """The uploaded workbook with a 错误说明 column, as checked now."""
    unit, campaign = _context(request)
    found, response = _pending_or_redirect(request, unit, campaign)
    if response:
        return response
    pending, data, _table, results = found
    stem = PurePath(pending.state["filename"]).stem or "汇总表"
    response = FileResponse(
        ContentFile(annotated_copy(data, results)),
        as_attachment=True,
        filename=f"{stem}-错误说明.xlsx",
        content_type=XLSX_TYPE,
    )
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    return response


@require_POST
def confirm(request):
    """Step 3: import, checking the file again; all rows, or only the valid ones when asked so."""
    unit, campaign = _context(request)
    found, response = _pending_or_redirect(request, unit, campaign)
    if response:
        return response
    pending, _data, table, results = found
    if request.POST.get("token") != pending.state["token"]:
        messages.error(request, _("汇总表已在其他窗口重新上传，请核对下面的结果后再导入。"))
        return redirect("applications_annex4_check")
    only_valid = request.POST.get("mode") == "only_valid"
    valid_count = sum(result.ok for result in results)
    if request.POST.get("expected") != str(valid_count):
        messages.error(request, _("检查结果已经变化（数据可能已更新），请核对下面的结果后再导入。"))
        return redirect("applications_annex4_check")
    outcome = import_rows(
        results,
        campaign,
        unit,
        request.user,
        grassroots_opinion=pending.state["grassroots_opinion"],
        grassroots_union=pending.state["grassroots_union"],
        only_valid=only_valid,
        carry_over_declared=request.POST.get("carry_over_declared") == "yes",
        grassroots=_grassroots(pending),
        consent=consent.on_paper(campaign, request.user, Consent.Method.ANNEX4),
    )
    if outcome.refused or not outcome.count:
        messages.error(request, _("未导入任何申报，请查看下面的错误。"))
        context = {"unit": unit, "campaign": campaign, **_results_context(pending, table, results, outcome)}
        return TemplateResponse(request, "applications/unit_channel/annex4/check.html", context)
    grassroots = _grassroots(pending)
    pending.discard()
    request.session[DONE_KEY] = [submitted.application.pk for submitted in outcome.imported]
    if grassroots is not None:
        text = _("已导入 %(count)s 份申报，已提交%(unit)s预审。") % {"count": outcome.count, "unit": unit.name}
    else:
        text = _("已导入 %(count)s 份申报，状态为“审核单位已通过，待市总工会审核”。") % {"count": outcome.count}
    if outcome.skipped:
        text += _("有误的 %(skipped)s 行未导入，请修改后另行上传。") % {"skipped": outcome.skipped}
    messages.success(request, text)
    return redirect("applications_annex4_done")


@require_POST
def cancel(request):
    """Forget the uploaded table; nothing was imported."""
    _context(request)
    PendingSummary(request.session).discard()
    messages.info(request, _("已取消，未导入任何申报。"))
    return redirect("applications_annex4_upload")


@require_GET
def done(request):
    """The applications just imported, with links to review them and attach their scans."""
    unit, campaign = _context(request)
    pks = request.session.get(DONE_KEY, [])
    imported = visible_applications(
        request.user, Application.objects.filter(pk__in=pks, unit=unit).select_related("new_level")
    ).order_by("pk")
    return TemplateResponse(
        request,
        "applications/unit_channel/annex4/done.html",
        {
            "unit": unit,
            "grassroots": grassroots_of(request.user),
            "campaign": campaign,
            "imported": imported,
            "index_url": reverse("applications_application_modeladmin_index") + "?channel__exact=unit",
        },
    )


def annex4_urls():
    return [
        path("applications/annex4/", upload, name="applications_annex4_upload"),
        path("applications/annex4/check/", check, name="applications_annex4_check"),
        path("applications/annex4/annotated.xlsx", annotated, name="applications_annex4_annotated"),
        path("applications/annex4/import/", confirm, name="applications_annex4_import"),
        path("applications/annex4/cancel/", cancel, name="applications_annex4_cancel"),
        path("applications/annex4/done/", done, name="applications_annex4_done"),
        path("applications/scans/", scans_zip, name="applications_scans_zip"),
        path("applications/review/<int:pk>/scans/", application_scans, name="applications_review_scans"),
    ]


class UnitReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return reviewer_unit(request.user) is not None


class EntryMenuItem(MenuItem):
    def is_shown(self, request):
        return entry_scope(request.user) is not None


def annex4_menu_item():
    return EntryMenuItem(
        gettext_lazy("导入汇总表(附件4)"),
        reverse("applications_annex4_upload"),
        name="annex4-upload",
        icon_name="table",
        order=153,
    )


def scans_menu_item():
    return UnitReviewerMenuItem(
        gettext_lazy("上传扫描件压缩包"),
        reverse("applications_scans_zip"),
        name="scans-zip",
        icon_name="folder-open-inverse",
        order=154,
    )
