"""StreamField blocks shared by the home page, notices and annexes."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题文字"))
    level = blocks.ChoiceBlock(
        label=_("层级"),
        choices=[("h2", _("一级（一、）")), ("h3", _("二级（（一））")), ("h4", _("三级"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("标题")
        template = "blocks/heading_block.html"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("段落")
        template = "blocks/paragraph_block.html"


class NumberedListBlock(blocks.StructBlock):
    start = blocks.IntegerBlock(label=_("起始编号"), default=1, min_value=1)
    items = blocks.ListBlock(blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("条目")), label=_("条目"))

    class Meta:
        icon = "list-ol"
        label = _("编号列表")
        template = "blocks/numbered_list_block.html"


class CaptionedTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label=_("表格标题"), required=False)
    table = TableBlock(label=_("表格"))

    class Meta:
        icon = "table"
        label = _("表格")
        template = "blocks/table_block.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(label=_("样式"), choices=[("info", _("提示")), ("warning", _("注意"))], default="info")
    title = blocks.CharBlock(label=_("标题"), required=False)
    text = blocks.RichTextBlock(label=_("内容"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("提示框")
        template = "blocks/callout_block.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("说明"), required=False)
    alt = blocks.CharBlock(label=_("替代文字"), help_text=_("给读屏软件的图片描述。"))

    class Meta:
        icon = "image"
        label = _("图片")
        template = "blocks/image_block.html"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("步骤"))
    text = blocks.RichTextBlock(label=_("说明"), features=RICH_TEXT_FEATURES, required=False)
    screenshot = ImageChooserBlock(label=_("截图"), required=False)
    screenshot_alt = blocks.CharBlock(label=_("截图替代文字"), required=False)


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("流程名称"), required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("步骤"))

    class Meta:
        icon = "list-ol"
        label = _("操作步骤")
        template = "blocks/steps_block.html"


def _campaign_of(parent_context):
    """The campaign of the page a block is rendered on (notices and annexes have one)."""
    page = (parent_context or {}).get("page")
    return getattr(getattr(page, "specific", page), "campaign", None)


class QuotaTableBlock(blocks.StructBlock):
    """Annex 1 drawn from the campaign's quota data, with the total computed."""

    note = blocks.CharBlock(label=_("表注"), required=False, default="指导数为工作任务目标，上不封顶。")

    class Meta:
        icon = "table"
        label = _("任务分解表（自动生成）")
        template = "blocks/quota_table_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        campaign = _campaign_of(parent_context)
        context["campaign"] = campaign
        context["quotas"] = list(campaign.quotas.select_related("unit")) if campaign else []
        context["total"] = sum(q.guidance_number for q in context["quotas"])
        return context


DOWNLOAD_CHOICES = [
    ("application-form.pdf", _("申请表（PDF）")),
    ("summary-table.xlsx", _("汇总表（Excel）")),
    ("quota-table.xlsx", _("任务分解表（Excel）")),
]


class DownloadsBlock(blocks.StructBlock):
    """Links to the campaign's generated forms and to documents from the library."""

    title = blocks.CharBlock(label=_("标题"), required=False, default="表格下载")
    files = blocks.MultipleChoiceBlock(label=_("生成的表格"), choices=DOWNLOAD_CHOICES, required=False)
    documents = blocks.ListBlock(DocumentChooserBlock(), label=_("其他文件"), default=[])

    class Meta:
        icon = "download"
        label = _("下载")
        template = "blocks/downloads_block.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        campaign = _campaign_of(parent_context)
        labels = dict(DOWNLOAD_CHOICES)
        context["generated"] = (
            [
                {"url": f"/downloads/{campaign.year}/{name}", "label": labels[name], "name": name}
                for name in value["files"]
            ]
            if campaign
            else []
        )
        return context


class SelfCheckBlock(blocks.StructBlock):
    """A small eligibility self-check form that opens the full self-check page with the answer."""

    title = blocks.CharBlock(label=_("标题"), required=False, default="资格自测")

    class Meta:
        icon = "tick-inverse"
        label = _("资格自测")
        template = "blocks/self_check_block.html"

    def get_context(self, value, parent_context=None):
        from applications.models import ApplyPage, Campaign
        from applications.programme.eligibility import rules_for

        context = super().get_context(value, parent_context)
        campaign = _campaign_of(parent_context)
        if campaign is None or not campaign.accepts_applications():
            campaign = Campaign.objects.current() or campaign
        apply_page = ApplyPage.objects.live().first()
        if campaign and apply_page:
            context["action"] = apply_page.url + apply_page.reverse_subpage("self_check", args=[campaign.year])
            context["levels"] = rules_for(campaign).rewarded_levels
            context["campaign"] = campaign
        return context


class FaqBlock(blocks.StructBlock):
    """Chosen published questions of 在线咨询 (service_hall) as an FAQ: named by reference, or the latest of a topic."""

    title = blocks.CharBlock(label=_("标题"), required=False, default="常见问题")
    references = blocks.ListBlock(
        blocks.CharBlock(label=_("咨询编号")),
        label=_("指定的咨询"),
        default=[],
        help_text=_("已公开咨询的编号（见在线咨询页面每条问答下方），按此顺序显示；未公开的不显示。"),
    )
    topic = blocks.ChoiceBlock(
        label=_("或按类别显示最新的"),
        required=False,
        choices=[("policy", "政策"), ("applying", "申报"), ("review", "审核"), ("payment", "发放"), ("other", "其他")],
    )
    count = blocks.IntegerBlock(label=_("最多条数"), default=5, min_value=1, max_value=20)

    class Meta:
        icon = "help"
        label = _("常见问题（在线咨询）")
        template = "blocks/faq_block.html"

    def get_context(self, value, parent_context=None):
        from service_hall.consultations import faq

        context = super().get_context(value, parent_context)
        context["questions"] = faq(list(value["references"]), value["topic"] or None, value["count"])
        return context


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    numbered_list = NumberedListBlock()
    table = CaptionedTableBlock()
    callout = CalloutBlock()
    image = ImageBlock()
    steps = StepsBlock()
    quota_table = QuotaTableBlock()
    downloads = DownloadsBlock()
    self_check = SelfCheckBlock()
    faq = FaqBlock()

    class Meta:
        block_counts = {}
