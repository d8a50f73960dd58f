"""Admin views that are not plain create/edit screens."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from wagtail_modeladmin.views import IndexView

from applications.core.access import user_can_roll_over
from applications.models import Campaign
from applications.programme.rollover import RolloverError, prepare_next_campaign


@require_http_methods(["GET", "POST"])
def rollover(request, pk):
    if not user_can_roll_over(request.user):
        return forbidden(request)
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        try:
            new = prepare_next_campaign(campaign, user=request.user)
        except RolloverError as error:
            messages.error(request, str(error))
            return redirect("applications_campaign_modeladmin_index")
        messages.success(
            request,
            f"已生成{new.year}年度奖励活动（未开放）和通知、附件草稿。请在本页逐项核对日期、金额和指导数；"
            "通知和附件草稿由网站编辑修改文号和正文后发布。",
        )
        return redirect("applications_campaign_modeladmin_edit", new.pk)
    return TemplateResponse(
        request,
        "applications/admin/rollover_confirm.html",
        {"campaign": campaign, "next_year": campaign.year + 1},
    )


def forbidden(request):
    """A 403 page saying whose work the screen is (Wagtail would redirect to the dashboard instead)."""
    return TemplateResponse(request, "applications/admin/forbidden.html", status=403)


class RefusedWith403:
    """For wagtail-modeladmin views: a user without the permission gets a 403, not a redirect."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.check_action_permitted(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class IndexRefusedWith403(RefusedWith403, IndexView):
    """A wagtail-modeladmin list that answers 403 to a user who may not list (`user_can_list`)."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)
