"""The yearly notice, its annexes and the archive that lists them by year."""

from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from notices.blocks import BodyBlock
from notices.search_text import SearchTextMixin


class NoticeIndexPage(SearchTextMixin, Page):
    """The archive: every year's notice, newest first."""

    intro = RichTextField(_("简介"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    search_fields = Page.search_fields + [index.SearchField("search_text")]
    search_text_sources = ("intro",)

    parent_page_types = ["home.HomePage"]
    subpage_types = ["notices.NoticePage"]
    max_count = 1

    class Meta:
        verbose_name = _("通知归档")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = (
            NoticePage.objects.child_of(self)
            .live()
            .select_related("campaign")
            .order_by("-campaign__year", "-first_published_at")
        )
        return context


class NoticePage(SearchTextMixin, Page):
    """A notice laid out like the official document (红头文件)."""

    campaign = models.ForeignKey(
        "applications.Campaign",
        verbose_name=_("奖励活动"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notice_pages",
    )
    issuing_office = models.CharField(_("发文机关标志"), max_length=60, default="杭州市总工会办公室文件")
    document_number = models.CharField(
        _("发文字号"), max_length=60, blank=True, help_text=_("如：杭总工办〔2022〕12号")
    )
    addressees = models.CharField(_("主送机关"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)
    signatory = models.CharField(_("发文机关署名"), max_length=60, blank=True)
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    cc = models.CharField(_("抄送"), max_length=200, blank=True)
    printed_by = models.CharField(_("印发机关"), max_length=60, blank=True)
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("campaign"),
                FieldRowPanel([FieldPanel("issuing_office"), FieldPanel("document_number")]),
                FieldPanel("addressees"),
            ],
            heading=_("版头"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("signatory"), FieldPanel("signed_on")]),
                FieldPanel("cc"),
                FieldRowPanel([FieldPanel("printed_by"), FieldPanel("printed_on")]),
            ],
            heading=_("落款与版记"),
        ),
    ]

    search_fields = Page.search_fields + [index.SearchField("search_text")]
    search_text_sources = ("document_number", "addressees", "body", "signatory", "cc")

    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types = ["notices.AnnexPage"]

    class Meta:
        verbose_name = _("通知")

    def annexes(self):
        return AnnexPage.objects.child_of(self).live().order_by("number", "path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["annexes"] = self.annexes()
        return context


class AnnexKind(models.TextChoices):
    QUOTA_TABLE = "quota_table", _("任务分解表")
    PROCEDURE = "procedure", _("申报流程说明")
    APPLICATION_FORM = "application_form", _("申请表")
    SUMMARY_TABLE = "summary_table", _("汇总表")
    OTHER = "other", _("其他")


class AnnexPage(SearchTextMixin, Page):
    """One annex (附件) of a notice."""

    number = models.PositiveSmallIntegerField(_("附件序号"))
    kind = models.CharField(_("类别"), max_length=30, choices=AnnexKind.choices, default=AnnexKind.OTHER)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("number"), FieldPanel("kind")]),
        FieldPanel("body"),
    ]

    search_fields = Page.search_fields + [index.SearchField("search_text")]
    search_text_sources = ("body",)

    parent_page_types = ["notices.NoticePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("附件")

    @cached_property
    def notice(self):
        return NoticePage.objects.filter(path=self.path[: -self.steplen]).select_related("campaign").first()

    @property
    def campaign(self):
        notice = self.notice
        return notice.campaign if notice else None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notice = self.notice
        context["notice"] = notice
        context["siblings"] = list(notice.annexes()) if notice else []
        return context
