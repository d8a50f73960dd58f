"""Admin for the campaign settings: campaigns, levels, review units, quotas."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.helpers import ButtonHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from . import admin_views
from .models import Campaign, Quota, ReviewUnit, SkillLevel


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
