"""Admin views for the rules that decide money: each create, edit or delete of a campaign (with its
reward levels and quotas inline) or of a quota records a `CampaignChange` in the same transaction,
and the campaign's screens show its recent changes.

Who may change them is the model permissions' business (the economic work department holds
add/change; editors and the service center only view); these views add the record.
"""

from django.db import transaction
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail_modeladmin.views import CreateView, DeleteView, EditView, InspectView

from applications.core.access import VIEW_CAMPAIGN_CHANGES
from applications.models import Campaign
from applications.programme import campaign_history
from applications.programme.admin.rollover import RefusedWith403


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
        return ["applications/admin/campaign_edit.html"]


class CampaignInspectView(RefusedWith403, ShowsCampaignChanges, InspectView):
    """The campaign as it stands, with its levels, quotas and recent changes: for those who only read."""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("reward_levels", self.instance.ordered_reward_levels())
        kwargs.setdefault("quotas", self.instance.quotas.select_related("unit"))
        return super().get_context_data(**kwargs)

    def get_template_names(self):
        return ["applications/admin/campaign_inspect.html"]


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
