"""Admin for the campaign settings (campaigns, levels, review units, quotas), members and text messages."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

# These modules register admin URLs, views and menu items of their own.
from . import (  # noqa: F401
    admin_views,
    annex4_views,
    bundle_views,
    dashboard_hooks,
    excel_views,
    payment_admin,
    pdf_views,
    review_admin,
)
from .admin_search import KeyedIdSearchHandler
from .crypto import keyed_hash, mask
from .members import validate_id_number, validate_mobile
from .models import Campaign, Member, Quota, ReviewUnit, SkillLevel, SmsMessage


class CampaignButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, *args, **kwargs):
        buttons = super().get_buttons_for_obj(obj, *args, **kwargs)
        if admin_views.user_can_roll_over(self.request.user):
            buttons.append(
                {
                    "url": reverse("applications_campaign_rollover", args=[obj.pk]),
                    "label": _("准备下一年度"),
                    "classname": "button button-small button-secondary",
                    "title": _("复制本活动和通知，生成下一年度的草稿"),
                }
            )
        return buttons


class CampaignAdmin(ModelAdmin):
    model = Campaign
    menu_label = _("奖励活动")
    menu_icon = "date"
    button_helper_class = CampaignButtonHelper
    list_display = ("year", "name", "window_start", "window_end", "deadline", "is_open", "is_demo")
    list_filter = ("is_open", "is_demo")
    ordering = ("-year",)


class ReviewUnitAdmin(ModelAdmin):
    model = ReviewUnit
    menu_label = _("审核单位")
    menu_icon = "group"
    list_display = ("name", "kind", "contact_person", "contact_phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


class QuotaAdmin(ModelAdmin):
    model = Quota
    menu_label = _("任务分解表")
    menu_icon = "list-ol"
    list_display = ("campaign", "unit", "guidance_number")
    list_filter = ("campaign", "unit__kind")
    search_fields = ("unit__name",)


class SkillLevelAdmin(ModelAdmin):
    model = SkillLevel
    menu_label = _("技能等级")
    menu_icon = "order"
    list_display = ("name", "national_grade", "code", "rank")


@modeladmin_register
class CampaignSettingsGroup(ModelAdminGroup):
    menu_label = _("奖励活动设置")
    menu_icon = "cogs"
    menu_order = 200
    items = (CampaignAdmin, QuotaAdmin, ReviewUnitAdmin, SkillLevelAdmin)


@hooks.register("register_admin_urls")
def register_rollover_url():
    return [path("campaigns/<int:pk>/rollover/", admin_views.rollover, name="applications_campaign_rollover")]


class MemberForm(WagtailAdminModelForm):
    """Checks the ID number and mobile as the import does, and that the ID is not registered twice."""

    def clean_id_number(self):
        number = validate_id_number(self.cleaned_data.get("id_number"))
        if Member.objects.filter(id_hash=keyed_hash(number)).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("该身份证号码已登记。"))
        return number

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data.get("mobile"))

    def clean_name(self):
        return self.cleaned_data["name"].strip()


class MemberAdmin(ModelAdmin):
    model = Member
    menu_label = _("工会会员")
    menu_icon = "user"
    list_display = ("name", "masked_id_number", "masked_mobile_number", "unit", "employer", "is_verified")
    list_filter = ("unit", "is_verified")
    list_select_related = ("unit",)
    search_fields = ("name",)
    search_handler_class = KeyedIdSearchHandler
    inspect_view_enabled = False  # it would show every field, the full ID number among them
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("id_number", widget=forms.TextInput)]),
            FieldRowPanel([FieldPanel("mobile"), FieldPanel("unit")]),
            FieldRowPanel([FieldPanel("employer"), FieldPanel("grassroots_union")]),
            FieldPanel("is_verified"),
        ],
        base_form_class=MemberForm,
    )

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")

    def masked_mobile_number(self, obj):
        return obj.masked_mobile

    masked_mobile_number.short_description = _("手机号码")


class ReadOnlyPermissionHelper(PermissionHelper):
    """Lists and inspects; nobody adds, edits or deletes (records of what happened)."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


class SmsMessageAdmin(ModelAdmin):
    model = SmsMessage
    menu_label = _("短信记录")
    menu_icon = "mail"
    permission_helper_class = ReadOnlyPermissionHelper
    inspect_view_enabled = True
    inspect_view_fields = ("created_at", "to", "purpose", "backend", "status", "error", "text")
    list_display = ("created_at", "masked_to", "purpose", "status", "backend")
    list_filter = ("status", "purpose")

    def masked_to(self, obj):
        return mask(obj.to, head=3, tail=4)

    masked_to.short_description = _("手机号码")


@modeladmin_register
class MembersGroup(ModelAdminGroup):
    menu_label = _("会员与短信")
    menu_icon = "user"
    menu_order = 210
    items = (MemberAdmin, SmsMessageAdmin)
