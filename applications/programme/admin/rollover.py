"""Preparing next year's campaign from the campaign list (准备下一年度): the confirmation screen."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views.decorators.http import require_http_methods

from applications.core.access import user_can_roll_over
from applications.core.admin_pages import forbidden
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
        "applications/programme/rollover_confirm.html",
        {"campaign": campaign, "next_year": campaign.year + 1},
    )


def rollover_urls():
    return [path("campaigns/<int:pk>/rollover/", rollover, name="applications_campaign_rollover")]
