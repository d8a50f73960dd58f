"""Admin views that are not plain create/edit screens."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from .models import Campaign
from .rollover import RolloverError, prepare_next_campaign


def user_can_roll_over(user):
    """Rolling over writes a campaign and pages, so it needs both permissions."""
    from wagtail.models import Page

    root = Page.get_first_root_node()
    return user.has_perm("applications.add_campaign") and root.permissions_for_user(user).can_add_subpage()


@require_http_methods(["GET", "POST"])
def rollover(request, pk):
    if not user_can_roll_over(request.user):
        raise PermissionDenied
    campaign = get_object_or_404(Campaign, pk=pk)
    if request.method == "POST":
        try:
            new = prepare_next_campaign(campaign, user=request.user)
        except RolloverError as error:
            messages.error(request, str(error))
            return redirect("applications_campaign_modeladmin_index")
        messages.success(
            request,
            f"已生成{new.year}年度奖励活动（未开放）和通知、附件草稿，请逐项修改日期、文号和正文后再发布。",
        )
        return redirect("applications_campaign_modeladmin_edit", new.pk)
    return TemplateResponse(
        request,
        "applications/admin/rollover_confirm.html",
        {"campaign": campaign, "next_year": campaign.year + 1},
    )
