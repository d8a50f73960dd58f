"""Annex 3 (申请表) as A4 PDF pages with WeasyPrint: blank, filled for one application, or many in one.

The Chinese font comes from fontconfig (Debian's fonts-noto-cjk; family in `PDF_FONT_FAMILY`).
A missing family raises `FontMissingError` before anything is drawn, so a PDF never shows boxes
in place of characters. Nothing is fetched over the network: the stylesheet is read from the
static files and the URL fetcher accepts only `data:` URLs.

The stylesheet is parsed once per process and the font configuration reused, so a document of
many forms costs little more per form than its layout (see bench/pdf_forms.py).
"""

import datetime
import functools
import hashlib
import subprocess
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from .constants import ApplicationState

DEFAULT_FONT_FAMILY = "Noto Serif CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"
STYLESHEET = "css/annex3-pdf.css"
TEMPLATE = "documents/annex3.html"
FORM_LANGUAGE = "zh-hans"  # the official form is Chinese whatever the reader's language
BLANK_CACHE_SECONDS = 24 * 3600
# What fits the fixed grid: longer opinions and bank branches are set smaller, and an opinion beyond
# OPINION_MAX_CHARS is cut with a pointer to the full text, so a form is always exactly one page.
LONG_OPINION_CHARS = 110
OPINION_MAX_CHARS = 180
LONG_CELL_CHARS = 14


class FontMissingError(RuntimeError):
    """The CJK font family for PDFs is not installed; the message names the package to install."""


def font_family():
    """The font family PDFs are set in (`PDF_FONT_FAMILY`, default Noto Serif CJK SC)."""
    return getattr(settings, "PDF_FONT_FAMILY", DEFAULT_FONT_FAMILY)


@functools.lru_cache(maxsize=8)
def font_problem(family):
    """None when fontconfig has `family`; otherwise what is wrong and how to fix it, in Chinese."""
    try:
        found = subprocess.run(["fc-list", "-q", family], capture_output=True, timeout=30).returncode == 0
    except FileNotFoundError:
        return "找不到 fontconfig 的 fc-list 命令。请安装 Debian 软件包 fontconfig 和 " + FONT_PACKAGE + "。"
    if found:
        return None
    return (
        f"生成PDF所需的中文字体“{family}”未安装。请安装 Debian 软件包 {FONT_PACKAGE}"
        f"（apt-get install {FONT_PACKAGE}），"
        "或把设置 PDF_FONT_FAMILY 改为已安装的中文字体（fc-list :lang=zh 可列出）。"
    )


def require_font():
    """The configured font family, or FontMissingError naming the Debian package to install."""
    family = font_family()
    problem = font_problem(family)
    if problem:
        raise FontMissingError(problem)
    return family


class _Assets:
    """What every render shares: the font configuration, the parsed stylesheets, the URL fetcher."""

    def __init__(self, family):
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        self.fetcher = URLFetcher(allowed_protocols={"data"})
        self.font_config = FontConfiguration()
        quoted = family.replace("\\", "").replace('"', "")
        self.stylesheets = [
            CSS(filename=finders.find(STYLESHEET), font_config=self.font_config, url_fetcher=self.fetcher),
            CSS(string=f'html {{ font-family: "{quoted}"; }}', font_config=self.font_config, url_fetcher=self.fetcher),
        ]


@functools.lru_cache(maxsize=4)
def _assets(family):
    return _Assets(family)


# The shared font configuration (a Pango font map) is not safe to use from two threads at once.
_render_lock = threading.RLock()


@dataclass
class Opinion:
    """One of the three opinion boxes; the date fills 年 月 日 when known."""

    label: str
    text: str = ""
    date: datetime.date | None = None

    def __post_init__(self):
        self.text = (self.text or "").strip()
        if len(self.text) > OPINION_MAX_CHARS:
            self.text = self.text[:OPINION_MAX_CHARS] + "……（全文见系统办理记录）"

    @property
    def label_lines(self):
        """The label broken where the official form breaks it in its narrow column."""
        return OPINION_LABEL_LINES.get(self.label, [self.label])

    @property
    def is_long(self):
        return len(self.text) > LONG_OPINION_CHARS


@dataclass
class Annex3:
    """The values printed on one form, as text (all empty on the blank form)."""

    title: str
    unit: str = ""
    filled_on: str = ""
    name: str = ""
    gender: str = ""
    education: str = ""
    occupation: str = ""
    previous_level: str = ""
    previous_level_obtained_on: str = ""
    new_level: str = ""
    certificate_number: str = ""
    certificate_issued_on: str = ""
    id_number: str = ""
    mobile: str = ""
    bank_card: str = ""
    bank_branch: str = ""
    employer: str = ""
    is_migrant: bool | None = None
    hukou_place: str = ""
    years_in_hangzhou: str = ""
    opinions: list = field(default_factory=list)
    footer: str = ""

    @property
    def bank_branch_is_long(self):
        return len(self.bank_branch) > LONG_CELL_CHARS


OPINION_LABELS = ("基层工会意见", "区县市产业工会意见", "市总工会意见")
OPINION_LABEL_LINES = {
    "基层工会意见": ["基层工会", "意见"],
    "区县市产业工会意见": ["区县市产业", "工会意见"],
    "市总工会意见": ["市总工会", "意见"],
}


def form_title(campaign):
    title = f"{campaign.year}年杭州市职工高技能人才奖励申请表"
    return f"{title}（演示）" if campaign.is_demo else title


def _date(value):
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _stage_opinion(label, event):
    if event is None:
        return Opinion(label)
    text = event.opinion
    if event.to_state == ApplicationState.REJECTED:
        text = f"未通过：{text}"
    return Opinion(label, text, timezone.localdate(event.created_at))


def opinions_for(application, events):
    """The three boxes from the application and its history (`events` oldest first).

    The review unit's box holds its pre-review (or rejection) and the city's box its final review
    (or rejection). A paper application entered by the unit starts approved with the grassroots
    opinion as its first event's opinion: that date goes in the unit's box, the text only once.
    """
    unit_event = city_event = None
    for event in events:
        if event.to_state == ApplicationState.UNIT_APPROVED or (
            event.to_state == ApplicationState.REJECTED and event.from_state == ApplicationState.SUBMITTED
        ):
            unit_event = event
        elif event.to_state == ApplicationState.APPROVED or (
            event.to_state == ApplicationState.REJECTED and event.from_state == ApplicationState.UNIT_APPROVED
        ):
            city_event = event
    unit = _stage_opinion(OPINION_LABELS[1], unit_event)
    entered_on_paper = unit_event is not None and not unit_event.from_state
    if entered_on_paper and unit_event.opinion.strip() == application.grassroots_opinion.strip():
        unit.text = ""
    return [
        Opinion(OPINION_LABELS[0], application.grassroots_opinion),
        unit,
        _stage_opinion(OPINION_LABELS[2], city_event),
    ]


def blank_form(campaign):
    return Annex3(title=form_title(campaign), opinions=[Opinion(label) for label in OPINION_LABELS])


def filled_form(application, *, now=None):
    """Every Annex 3 field of `application` with full ID and bank card numbers, for printing and archiving.

    Reads `application.events`; prefetch them (and the related levels, unit, campaign) for many.
    """
    now = timezone.localtime(now or timezone.now())
    with translation.override(FORM_LANGUAGE):
        return Annex3(
            title=form_title(application.campaign),
            unit=application.unit.name,
            filled_on=_date(application.filled_on),
            name=application.name,
            gender=str(application.get_gender_display()),
            education=str(application.get_education_display()),
            occupation=application.occupation,
            previous_level=application.previous_level.name if application.previous_level_id else "",
            previous_level_obtained_on=_date(application.previous_level_obtained_on),
            new_level=application.new_level.name,
            certificate_number=application.certificate_number,
            certificate_issued_on=_date(application.certificate_issued_on),
            id_number=application.id_number,
            mobile=application.mobile,
            bank_card=application.bank_card,
            bank_branch=application.bank_branch,
            employer=application.employer,
            is_migrant=application.is_migrant,
            hukou_place=application.hukou_place if application.is_migrant else "",
            years_in_hangzhou=str(application.years_in_hangzhou or "") if application.is_migrant else "",
            opinions=opinions_for(application, list(application.events.all())),
            footer=f"申报编号：{application.reference}　生成时间：{now:%Y-%m-%d %H:%M}",
        )


def render_document(forms, title=None):
    """A WeasyPrint Document of `forms` (Annex3 values), one page each, in one layout pass."""
    from weasyprint import HTML

    assets = _assets(require_font())
    with translation.override(FORM_LANGUAGE):
        html = render_to_string(TEMPLATE, {"forms": forms, "title": title or forms[0].title})
    with _render_lock:
        return HTML(string=html, url_fetcher=assets.fetcher).render(
            font_config=assets.font_config, stylesheets=assets.stylesheets
        )


def write_pdf(documents):
    """The pages of one or more rendered documents as the bytes of one PDF."""
    documents = list(documents)
    pages = [page for document in documents for page in document.pages]
    with _render_lock:
        return documents[0].copy(pages).write_pdf()


def filled_form_pdf(application):
    """One application's Annex 3, filled, as PDF bytes."""
    return write_pdf([render_document([filled_form(application)])])


@functools.lru_cache(maxsize=1)
def _assets_digest():
    """Changes when the template or the stylesheet does, so a deploy never serves an old blank form."""
    digest = hashlib.sha256(get_template(TEMPLATE).template.source.encode())
    with open(finders.find(STYLESHEET), "rb") as stylesheet:
        digest.update(stylesheet.read())
    return digest.hexdigest()[:16]


def blank_form_cache_key(campaign):
    """Everything the blank form depends on: the title (year, demo mark), the font, the template and CSS."""
    raw = f"{form_title(campaign)}|{font_family()}|{_assets_digest()}"
    return f"annex3-blank:{campaign.year}:{hashlib.sha256(raw.encode()).hexdigest()[:24]}"


def blank_form_pdf(campaign):
    """The blank Annex 3 of `campaign` as PDF bytes, from the cache when it was made before."""
    key = blank_form_cache_key(campaign)
    content = cache.get(key)
    if content is None:
        content = write_pdf([render_document([blank_form(campaign)])])
        cache.set(key, content, BLANK_CACHE_SECONDS)
    return content
