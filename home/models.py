"""The site's front page."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from applications.models import Campaign
from notices.blocks import BodyBlock
from notices.models import AnnexKind, AnnexPage
from notices.search_text import SearchTextMixin


class HomePage(SearchTextMixin, Page):
    """Leads with the current campaign: amounts, certificate window, deadline, and where to go next."""

    intro = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)
    contact = models.CharField(_("咨询电话"), max_length=120, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body"), FieldPanel("contact")]

    search_fields = Page.search_fields + [index.SearchField("search_text")]
    search_text_sources = ("intro", "body", "contact")

    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        campaign = Campaign.objects.current()
        notice = campaign.notice if campaign else None
        context["campaign"] = campaign
        context["notice"] = notice
        if campaign:
            context["accepting"] = campaign.accepts_applications()
            context["reward_levels"] = campaign.ordered_reward_levels()
        if notice:
            context["guide"] = AnnexPage.objects.child_of(notice).live().filter(kind=AnnexKind.PROCEDURE).first()
        return context
