"""Wagtail pages that hold the public forms, so editors write the text around them."""

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from .campaign import Campaign

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class ApplyPage(RoutablePageMixin, Page):
    """`/apply/`: the online application and, at `/apply/<year>/check/`, the eligibility self-check."""

    intro = RichTextField(_("申报说明"), blank=True, features=TEXT_FEATURES)
    check_intro = RichTextField(_("资格自测说明"), blank=True, features=TEXT_FEATURES)
    help_text = RichTextField(_("帮助"), blank=True, features=TEXT_FEATURES)
    contact = models.CharField(_("咨询电话"), max_length=120, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("check_intro"),
        FieldPanel("help_text"),
        FieldPanel("contact"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("网上申报页")

    @path("<int:year>/check/", name="self_check")
    def self_check(self, request, year):
        from .. import eligibility
        from ..forms import NO_PREVIOUS_LEVEL, SelfCheckForm

        campaign = get_object_or_404(Campaign, year=year)
        rules = eligibility.rules_for(campaign)
        form = SelfCheckForm(rules, request.GET or None)
        decision = None
        if form.is_valid():
            data = form.cleaned_data
            decision = eligibility.check_certificate(
                rules,
                data["level"],
                data["issued"],
                previous_level_code=data["previous_level"] if data["previous_level"] != NO_PREVIOUS_LEVEL else None,
                applied_last_campaign=data["applied_last_campaign"],
            )
        return self.render(
            request,
            template="applications/self_check.html",
            context_overrides={
                "campaign": campaign,
                "form": form,
                "decision": decision,
                "acceptance": eligibility.accepting(rules),
            },
        )


class StatusPage(Page):
    """`/status/`: an applicant looks up an application with the ID number and the query password."""

    intro = RichTextField(_("查询说明"), blank=True, features=TEXT_FEATURES)
    help_text = RichTextField(_("帮助"), blank=True, features=TEXT_FEATURES)
    contact = models.CharField(_("咨询电话"), max_length=120, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("help_text"), FieldPanel("contact")]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = _("进度查询页")
