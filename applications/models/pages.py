"""Wagtail pages that hold the public forms, so editors write the text around them."""

from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from applications.models.campaign import Campaign

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

    @path("", name="index")
    def index(self, request):
        """The open campaign's application; without one, this page's text and where to go instead."""
        campaign = Campaign.objects.open_now().order_by("-year").first()
        if campaign:
            return redirect(self.url + self.reverse_subpage("apply", args=[campaign.year]))
        return self.render(request, context_overrides={"campaign": Campaign.objects.current()})

    @path("<int:year>/", name="apply")
    def apply(self, request, year):
        from applications.apply import views

        return views.apply(self, request, year)

    @path("<int:year>/done/", name="done")
    def done(self, request, year):
        from applications.apply import views

        return views.done(self, request, year)

    @path("<int:year>/check/", name="self_check")
    def self_check(self, request, year):
        from applications.apply import views

        return views.self_check(self, request, year)


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

    def serve(self, request, *args, **kwargs):
        """GET shows the form; POST looks the application up. Neither is ever cached."""
        from applications.apply import views

        return views.status(self, request, *args, **kwargs)

    @staticmethod
    def client_address(request):
        from applications.core.client_address import client_address

        return client_address(request) or ""

    @staticmethod
    def apply_url(request):
        """Where to apply again: the live apply page, else `/apply/`."""
        apply_page = ApplyPage.objects.live().first()
        return (apply_page.get_url(request) if apply_page else None) or "/apply/"
