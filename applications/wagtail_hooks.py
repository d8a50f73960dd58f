"""Admin for the campaign settings (campaigns, levels, review units, quotas), members and text messages."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from applications.core.access import MANAGE_MEMBERS, VIEW_MEMBER_CHANGES, user_can_roll_over
from applications.core.crypto import mask
from applications.core.search import KeyedIdSearchHandler
from applications.documents import views as pdf_views  # noqa: F401
from applications.documents.admin import bundles as bundle_views  # noqa: F401
from applications.documents.admin import exports as excel_views  # noqa: F401
from applications.members.admin import (
    CREATE_PANELS,
    MemberCreateView,
    MemberDeleteView,
    MemberEditView,
    MemberPermissionHelper,
)
from applications.models import (
    Campaign,
    CampaignChange,
    Member,
    MemberChange,
    Quota,
    ReviewUnit,
    SkillLevel,
    SmsMessage,
)
from applications.payments.admin import batches as payment_admin  # noqa: F401
from applications.payments.admin import corrections as card_correction_admin  # noqa: F401
from applications.programme.admin import rollover as admin_views
from applications.programme.admin.campaigns import (
    CampaignCreateView,
    CampaignEditView,
    CampaignInspectView,
    QuotaCreateView,
    QuotaDeleteView,
    QuotaEditView,
)
from applications.programme.admin.rollover import IndexRefusedWith403
from applications.programme.campaign_history import FIELDS as CAMPAIGN_FIELDS
from applications.review.admin import applications as review_admin  # noqa: F401
from applications.review.admin import dashboard_hooks  # noqa: F401
from applications.unit_channel.admin import annex4 as annex4_views  # noqa: F401


class ReadOnlyPermissionHelper(PermissionHelper):
    """Lists and inspects; nobody adds, edits or deletes (records of what happened)."""

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False


def changes_text(changes, limit=8):
    """A record's changes on one line: "手机号码：139****0001 → 138****0002；…" (values as recorded, masked)."""
    parts = [f"{change['label']}：{change['before'] or '—'} → {change['after'] or '—'}" for change in changes[:limit]]
    if len(changes) > limit:
        parts.append(f"等共{len(changes)}项")
    return "；".join(parts)


class CampaignButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, *args, **kwargs):
        buttons = super().get_buttons_for_obj(obj, *args, **kwargs)
        if user_can_roll_over(self.request.user):
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
    """Changed only by the economic work department (model permissions); each change recorded."""

    model = Campaign
    menu_label = _("奖励活动")
    menu_icon = "date"
    button_helper_class = CampaignButtonHelper
    create_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    inspect_view_class = CampaignInspectView
    inspect_view_enabled = True
    inspect_view_fields = CAMPAIGN_FIELDS
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
    create_view_class = QuotaCreateView
    edit_view_class = QuotaEditView
    delete_view_class = QuotaDeleteView
    list_display = ("campaign", "unit", "guidance_number")
    list_filter = ("campaign", "unit__kind")
    search_fields = ("unit__name",)


class SkillLevelAdmin(ModelAdmin):
    model = SkillLevel
    menu_label = _("技能等级")
    menu_icon = "order"
    list_display = ("name", "national_grade", "code", "rank")


class CampaignChangeAdmin(ModelAdmin):
    """Who changed which rule that decides money, when, before and after (read-only)."""

    model = CampaignChange
    menu_label = _("奖励活动变更记录")
    menu_icon = "history"
    permission_helper_class = ReadOnlyPermissionHelper
    index_view_class = IndexRefusedWith403
    list_display = ("changed_at", "campaign", "actor_label", "source", "changes_summary")
    list_filter = ("campaign", "source")
    list_select_related = ("campaign",)
    search_fields = ("actor_label",)

    def changes_summary(self, obj):
        return changes_text(obj.changes)

    changes_summary.short_description = _("变更内容")


@modeladmin_register
class CampaignSettingsGroup(ModelAdminGroup):
    menu_label = _("奖励活动设置")
    menu_icon = "cogs"
    menu_order = 200
    items = (CampaignAdmin, QuotaAdmin, ReviewUnitAdmin, SkillLevelAdmin, CampaignChangeAdmin)


@hooks.register("register_admin_urls")
def register_rollover_url():
    return [path("campaigns/<int:pk>/rollover/", admin_views.rollover, name="applications_campaign_rollover")]


class MemberAdmin(ModelAdmin):
    """The city service center's alone (`manage_members`); ID numbers and mobiles masked, writes recorded."""

    model = Member
    menu_label = _("工会会员")
    menu_icon = "user"
    permission_helper_class = MemberPermissionHelper
    index_view_class = IndexRefusedWith403
    create_view_class = MemberCreateView
    edit_view_class = MemberEditView
    delete_view_class = MemberDeleteView
    list_display = ("name", "masked_id_number", "masked_mobile_number", "unit", "employer", "is_verified")
    list_filter = ("unit", "is_verified")
    list_select_related = ("unit",)
    search_fields = ("name",)
    search_handler_class = KeyedIdSearchHandler
    inspect_view_enabled = False  # it would show every field, the full ID number among them
    edit_handler = CREATE_PANELS  # the edit view uses EDIT_PANELS, without the ID number

    def masked_id_number(self, obj):
        return obj.masked_id

    masked_id_number.short_description = _("身份证号码")

    def masked_mobile_number(self, obj):
        return obj.masked_mobile

    masked_mobile_number.short_description = _("手机号码")


class MemberChangePermissionHelper(ReadOnlyPermissionHelper):
    def user_can_list(self, user):
        return user.has_perm(MANAGE_MEMBERS) and user.has_perm(VIEW_MEMBER_CHANGES)

    def user_can_inspect_obj(self, user, obj):
        return False


class MemberChangeAdmin(ModelAdmin):
    """Every create, change and delete of a member, values masked (read-only)."""

    model = MemberChange
    menu_label = _("会员名册变更记录")
    menu_icon = "history"
    permission_helper_class = MemberChangePermissionHelper
    index_view_class = IndexRefusedWith403
    list_display = ("changed_at", "member_label", "action", "changes_summary", "actor_label", "source", "ip_address")
    list_filter = ("action", "source")
    search_fields = ("member_label", "actor_label")

    def changes_summary(self, obj):
        return changes_text(obj.changes)

    changes_summary.short_description = _("变更内容（已打码）")


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
    items = (MemberAdmin, MemberChangeAdmin, SmsMessageAdmin)
