"""Admin views for the rules that decide money: each create, edit or delete of a campaign (with its
reward levels and quotas inline) or of a quota records a `CampaignChange` in the same transaction,
and the campaign's screens show its recent changes.

Who may change them is the model permissions' business (the economic work department holds
add/change; editors and the service center only view); these views add the record.
"""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.helpers import ButtonHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup
from wagtail_modeladmin.views import CreateView, DeleteView, EditView, InspectView

from applications.core.access import VIEW_CAMPAIGN_CHANGES, user_can_roll_over
from applications.core.admin_pages import IndexRefusedWith403, ReadOnlyPermissionHelper, RefusedWith403, changes_text
from applications.models import Campaign, CampaignChange, Quota, ReviewUnit, SkillLevel
from applications.programme import campaign_history
from applications.programme.campaign_history import FIELDS as CAMPAIGN_FIELDS


class RecordsCampaignChanges:
    """For a create or edit view: snapshot the campaigns it touches, save, record each difference."""

    def campaigns_before(self, form) -> set[int]:
        """Primary keys of the existing campaigns this save may change."""
        return set()

    def campaign_after(self) -> int | None:
        return None

    def form_valid(self, form):
        with transaction.atomic():
            befores = {
                pk: campaign_history.snapshot(Campaign.objects.select_for_update().get(pk=pk))
                for pk in sorted(pk for pk in self.campaigns_before(form) if pk)
            }
            response = super().form_valid(form)
            touched = {*befores, self.campaign_after()} - {None}
            for pk in sorted(touched):
                campaign_history.record(Campaign.objects.get(pk=pk), befores.get(pk, {}), user=self.request.user)
        return response


class ShowsCampaignChanges:
    """Adds the campaign's recent changes to the context for those who may read them."""

    def get_context_data(self, **kwargs):
        if self.request.user.has_perm(VIEW_CAMPAIGN_CHANGES) and getattr(self.instance, "pk", None):
            kwargs.setdefault("show_campaign_changes", True)
            kwargs.setdefault("campaign_changes", campaign_history.recent(self.instance))
        return super().get_context_data(**kwargs)


class CampaignCreateView(RefusedWith403, RecordsCampaignChanges, CreateView):
    def campaign_after(self):
        return self.instance.pk


class CampaignEditView(RefusedWith403, ShowsCampaignChanges, RecordsCampaignChanges, EditView):
    def campaigns_before(self, form):
        return {self.instance.pk}

    def campaign_after(self):
        return self.instance.pk

    def get_template_names(self):
        return ["applications/programme/campaign_edit.html"]


class CampaignInspectView(RefusedWith403, ShowsCampaignChanges, InspectView):
    """The campaign as it stands, with its levels, quotas and recent changes: for those who only read."""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("reward_levels", self.instance.ordered_reward_levels())
        kwargs.setdefault("quotas", self.instance.quotas.select_related("unit"))
        kwargs.setdefault("recognised_issuers", self.instance.recognised_issuers.all())
        return super().get_context_data(**kwargs)

    def get_template_names(self):
        return ["applications/programme/campaign_inspect.html"]


QUOTA_PANELS = ObjectList([FieldPanel("campaign"), FieldRowPanel([FieldPanel("unit"), FieldPanel("guidance_number")])])


class QuotaCreateView(RefusedWith403, RecordsCampaignChanges, CreateView):
    def get_edit_handler(self):
        return QUOTA_PANELS.bind_to_model(self.model)

    def campaigns_before(self, form):
        return {form.instance.campaign_id}

    def campaign_after(self):
        return self.instance.campaign_id


class QuotaEditView(RefusedWith403, RecordsCampaignChanges, EditView):
    def get_edit_handler(self):
        return QUOTA_PANELS.bind_to_model(self.model)

    def campaigns_before(self, form):
        stored = type(self.instance).objects.filter(pk=self.instance.pk).values_list("campaign_id", flat=True)
        return {*stored, form.instance.campaign_id}

    def campaign_after(self):
        return self.instance.campaign_id


class QuotaDeleteView(RefusedWith403, DeleteView):
    def delete_instance(self):
        # DeleteView.post calls this inside its transaction.
        campaign = Campaign.objects.select_for_update().get(pk=self.instance.campaign_id)
        before = campaign_history.snapshot(campaign)
        self.instance.delete()
        campaign_history.record(campaign, before, user=self.request.user)


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


class CampaignSettingsGroup(ModelAdminGroup):
    menu_label = _("奖励活动设置")
    menu_icon = "cogs"
    menu_order = 200
    items = (CampaignAdmin, QuotaAdmin, ReviewUnitAdmin, SkillLevelAdmin, CampaignChangeAdmin)
