"""上年度记录 in the admin: the city service center uploads earlier years' applicants and looks them up.

Only a user with `applications.import_history` (the city service center) sees the menu or any of these
screens; anyone else gets a 403. ID numbers are shown masked, found by exact number through the keyed hash.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from wagtail.admin.menu import MenuItem
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup

from applications.core.access import IMPORT_HISTORY, may_import_history
from applications.core.admin_pages import IndexRefusedWith403, ReadOnlyPermissionHelper, admin_page, forbidden
from applications.core.search import KeyedIdSearchHandler
from applications.models import HistoryImport, PreviousApplicant
from applications.programme.history_import import COLUMNS, HistoryImportError, import_history

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class HistoryUploadForm(forms.Form):
    year = forms.IntegerField(
        label=_("年度"),
        help_text=_("名单所属的年度，如 2021：2022年度的补报核对 2021年度的名单。"),
        error_messages={"required": _("请填写名单所属的年度。"), "invalid": _("请填写四位数字的年度，如 2021。")},
    )
    file = forms.FileField(
        label=_("名单文件（.xlsx 或 .csv）"),
        help_text=_("列：姓名、身份证号码、技能等级、结果、所属工会。不超过10MB。出错后需重新选择文件。"),
        error_messages={"required": _("请选择要上传的名单文件。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    skip_invalid = forms.BooleanField(label=_("跳过有错误的行，只导入正确的行"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过10MB。"))
        return upload


@require_http_methods(["GET", "POST"])
def upload(request):
    """The upload form, what the import did (or every row error, nothing imported), and the imports so far."""
    if not may_import_history(request.user):
        return forbidden(request)
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = HistoryUploadForm(data, files)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = import_history(
                form.cleaned_data["file"],
                year=form.cleaned_data["year"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                user=request.user,
                source=request.FILES["file"].name,
            )
        except HistoryImportError as error:
            form.add_error("file", str(error))
        else:
            if not report.stopped:
                messages.success(
                    request,
                    _(
                        "已导入 %(year)s年度 %(source)s：%(created)s 条"
                        "（替换此文件上次导入的 %(replaced)s 条，跳过 %(skipped)s 行）。"
                    )
                    % vars(report),
                )
                return redirect("applications_history_upload")
    return admin_page(
        request,
        "applications/programme/history_upload.html",
        _("导入上年度记录"),
        {"form": form, "report": report, "columns": COLUMNS.values(), "imports": HistoryImport.objects.all()[:50]},
        icon="history",
    )


class HistoryPermissionHelper(ReadOnlyPermissionHelper):
    def user_can_list(self, user):
        return user.has_perm(IMPORT_HISTORY)

    def user_can_inspect_obj(self, user, obj):
        return False


class PreviousApplicantAdmin(ModelAdmin):
    """Earlier years' applicants, ID numbers masked; an exact 18-character ID number finds a person."""

    model = PreviousApplicant
    menu_label = _("上年度申报记录")
    menu_icon = "list-ul"
    permission_helper_class = HistoryPermissionHelper
    index_view_class = IndexRefusedWith403
    inspect_view_enabled = False
    list_display = ("year", "name", "masked_id_number", "level", "result", "union", "source")
    list_filter = ("year", "result")
    list_select_related = ("level", "batch")
    search_fields = ("name",)
    search_handler_class = KeyedIdSearchHandler

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")

    def source(self, obj):
        return obj.batch.source

    source.short_description = _("来源文件")


class HistoryImportAdmin(ModelAdmin):
    """Each file imported: year, source, who and when, how many rows."""

    model = HistoryImport
    menu_label = _("导入记录")
    menu_icon = "history"
    permission_helper_class = HistoryPermissionHelper
    index_view_class = IndexRefusedWith403
    inspect_view_enabled = False
    list_display = ("year", "source", "row_count", "actor_label", "imported_at")
    list_filter = ("year",)


class UploadMenuItem(MenuItem):
    def is_shown(self, request):
        return may_import_history(request.user)


class HistoryGroup(ModelAdminGroup):
    menu_label = _("上年度记录")
    menu_icon = "history"
    menu_order = 215
    items = (PreviousApplicantAdmin, HistoryImportAdmin)

    def get_submenu_items(self):
        upload_item = UploadMenuItem(
            _("导入名单"), reverse("applications_history_upload"), name="history-upload", icon_name="upload", order=0
        )
        return [upload_item, *super().get_submenu_items()]


def history_urls():
    return [path("applications/history/upload/", upload, name="applications_history_upload")]
