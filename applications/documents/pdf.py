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
import html
import io
import subprocess
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from applications.core.constants import ApplicationState

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
        self.underlay_stylesheets = [
            *self.stylesheets,
            CSS(string=UNDERLAY_CSS, font_config=self.font_config, url_fetcher=self.fetcher),
        ]


@functools.lru_cache(maxsize=4)
def _assets(family):
    return _Assets(family)


# The blank form drawn under a bundle's values layer: the value cells' own text (the labels in the
# form's meta line and the migrant row, the empty date) is hidden there and drawn by the values layer.
UNDERLAY_CSS = "div[data-value], span[data-value], td[data-value] > * { visibility: hidden; }"

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
    A grassroots union's own entry (基层工会初审 online) dates its box by its latest submission (the
    first, or the resubmission after a correction), whose opinion is the one the application keeps.
    """
    unit_event = city_event = None
    for event in events:
        if event.to_state == ApplicationState.UNIT_APPROVED or (
            event.to_state == ApplicationState.REJECTED and event.from_state == ApplicationState.SUBMITTED
        ):
            unit_event = event
        elif event.from_state == ApplicationState.UNIT_APPROVED and event.to_state in (
            ApplicationState.APPROVED,
            ApplicationState.REJECTED,
        ):  # not the return to approved after a bank card correction
            city_event = event
    unit = _stage_opinion(OPINION_LABELS[1], unit_event)
    entered_on_paper = unit_event is not None and not unit_event.from_state
    if entered_on_paper and unit_event.opinion.strip() == application.grassroots_opinion.strip():
        unit.text = ""
    return [
        Opinion(OPINION_LABELS[0], application.grassroots_opinion, _grassroots_date(application, events)),
        unit,
        _stage_opinion(OPINION_LABELS[2], city_event),
    ]


def _grassroots_date(application, events):
    if not application.grassroots_entry_id:
        return None
    submissions = [event for event in events if event.to_state == ApplicationState.SUBMITTED]
    return timezone.localdate(submissions[-1].created_at) if submissions else None


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


def render_document(forms, title=None, *, stylesheets=None):
    """A WeasyPrint Document of `forms` (Annex3 values), one page each, in one layout pass."""
    from weasyprint import HTML

    assets = _assets(require_font())
    with translation.override(FORM_LANGUAGE):
        source = render_to_string(TEMPLATE, {"forms": forms, "title": title or forms[0].title})
    with _render_lock:
        return HTML(string=source, url_fetcher=assets.fetcher).render(
            font_config=assets.font_config,
            stylesheets=stylesheets or assets.stylesheets,
        )


def write_pdf(documents):
    """The pages of one or more rendered documents as the bytes of one PDF."""
    documents = list(documents)
    pages = [page for document in documents for page in document.pages]
    with _render_lock:
        return documents[0].copy(pages).write_pdf()


def filled_form_pdf(application, *, now=None):
    """One application's Annex 3, filled, as PDF bytes (`now`: the time in its footer)."""
    return write_pdf([render_document([filled_form(application, now=now)])])


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


# A bundle's pages in two layers. The blank form is laid out once (Underlay: the content rectangle
# of every value cell, marked data-value in the template, and the blank page as PDF); each form's
# page then lays out only its values, absolutely placed at those rectangles (render_values), and
# the blank page is drawn under it as a PDF Form XObject (lay_underlays). A table cell's value
# taller than the cell grows its row as in the full form: the underlay is then a variant with that
# row grown, and the values below are moved down. A form whose opinion, header line or date does
# not fit its box is rendered whole with the full template instead.

_EPSILON = 0.01  # CSS px


@dataclass(frozen=True)
class _Cell:
    left: float
    top: float
    width: float
    height: float  # the most the value may take: the cell's set height, the block's own height
    middle: bool  # a table cell centred vertically: the value is moved down by half the room left


class Underlay:
    """The blank form of one title, laid out once: where its values go, and the page as PDF bytes.

    `grown` ((name, height in px), …) gives table cells whose value is taller than the cell: set to
    that height, the blank form's rows grow as the filled form's do, and every cell below moves down.
    """

    def __init__(self, title, grown=()):
        from weasyprint import CSS

        assets = _assets(require_font())
        stylesheets = assets.underlay_stylesheets
        if grown:
            rules = "".join(f'.grid td[data-value="{name}"] {{ height: {height}px; }}' for name, height in grown)
            stylesheets = [*stylesheets, CSS(string=rules, font_config=assets.font_config, url_fetcher=assets.fetcher)]
        document = render_document(
            [Annex3(title=title, opinions=[Opinion(label) for label in OPINION_LABELS])], stylesheets=stylesheets
        )
        section, boxes = None, {}
        for box in document.pages[0]._page_box.descendants():
            element = box.element
            if element is None:
                continue
            if section is None and "annex3" in (element.get("class") or "").split():
                section = box
            name = element.get("data-value")
            if name and name not in boxes:
                boxes[name] = box
        left, top = section.content_box_x(), section.content_box_y()
        self.title = title
        self.cells = {}
        for name, box in boxes.items():
            is_cell = box.element_tag == "td"
            height = box.computed_height if is_cell else box.height
            self.cells[name] = _Cell(box.content_box_x() - left, box.content_box_y() - top, box.width, height, is_cell)
        self.pdf = write_pdf([document])


@functools.lru_cache(maxsize=32)
def _underlay(title, grown, family, digest):
    return Underlay(title, grown)


def underlay_for(title, grown=()):
    return _underlay(title, grown, require_font(), _assets_digest())


_CELL_CLASSES = {
    "certificate_number": "code",
    "id_number": "number",
    "mobile": "number",
    "bank_card": "number",
    "employer": "left",
}
_TABLE_FIELDS = (
    "name",
    "gender",
    "education",
    "occupation",
    "previous_level",
    "previous_level_obtained_on",
    "new_level",
    "certificate_number",
    "certificate_issued_on",
    "id_number",
    "mobile",
    "bank_card",
    "bank_branch",
    "employer",
)


def _checkbox(checked):
    return f'<span class="checkbox">{"√" if checked else "　"}</span>'


def _value_divs(form):
    """(name, classes, inner HTML) of every value drawn on `form`'s values layer."""
    e = html.escape
    yield (
        "meta",
        "left form-meta",
        f'<p class="filled-on">填报日期：{e(form.filled_on)}</p><p>所属区县市(产业)工会：{e(form.unit)}</p>',
    )
    for name in _TABLE_FIELDS:
        value = getattr(form, name)
        if value:
            classes = "long" if name == "bank_branch" and form.bank_branch_is_long else _CELL_CLASSES.get(name, "")
            yield name, classes, e(value)
    yield (
        "migrant",
        "left migrant",
        f'<span class="choice">{_checkbox(form.is_migrant is True)}是（户籍地：'
        f'<span class="blank-line">{e(form.hukou_place)}</span>，来杭年限：'
        f'<span class="blank-line short">{e(form.years_in_hangzhou)}</span>年）</span> '
        f'<span class="choice">{_checkbox(form.is_migrant is False)}否</span>',
    )
    for number, opinion in enumerate(form.opinions):
        if opinion.text:
            yield f"opinion{number}", "text long" if opinion.is_long else "text", e(opinion.text)
        date = opinion.date
        yield (
            f"date{number}",
            "date",
            f"{date.year} 年 {date.month} 月 {date.day} 日" if date else "年    月    日",
        )


def _values_html(forms, underlay, title):
    parts = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{html.escape(title)}</title><meta name="author" content="杭州市总工会"></head><body>'
    ]
    for form in forms:
        parts.append('<section class="annex3 values">')
        for name, classes, inner in _value_divs(form):
            cell = underlay.cells[name]
            parts.append(
                f'<div class="v {classes}" data-v="{name}" '
                f'style="left:{cell.left}px;top:{cell.top}px;width:{cell.width}px">{inner}</div>'
            )
        if form.footer:
            parts.append(f'<p class="form-footer">{html.escape(form.footer)}</p>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def render_values(forms, underlay, title=None):
    """The values layers of `forms` (all with `underlay.title`) as one Document, and each page's underlay.

    Returns (document, underlays): page i of the document is forms[i]'s values layer, to be drawn
    over underlays[i]: `underlay`, or a variant of it whose rows grow with a value taller than its
    cell (the values below are moved down to match), or None when a value that is not in a table
    cell (an opinion, the header line, a date) does not fit: then the page must not be used.
    """
    from weasyprint import HTML

    assets = _assets(require_font())
    source = _values_html(forms, underlay, title or forms[0].title)
    with _render_lock:
        document = HTML(string=source, url_fetcher=assets.fetcher).render(
            font_config=assets.font_config, stylesheets=assets.stylesheets
        )
    underlays = []
    for page in document.pages:
        boxes = {}
        for box in page._page_box.descendants():
            element = box.element
            name = element.get("data-v") if element is not None else None
            if name and name not in boxes:
                boxes[name] = (box, box.margin_height())
        grown = tuple(
            (name, round(height, 3))
            for name, (box, height) in boxes.items()
            if underlay.cells[name].middle and height > underlay.cells[name].height + _EPSILON
        )
        placed = underlay_for(underlay.title, grown) if grown else underlay
        for name, (box, height) in boxes.items():
            cell, old = placed.cells[name], underlay.cells[name]
            if height > cell.height + _EPSILON:
                placed = None
                break
            shift = cell.top - old.top + ((cell.height - height) / 2 if cell.middle else 0)
            if shift:
                box.translate(dy=shift)
        underlays.append(placed)
    return document, underlays


def render_layers(forms, title=None):
    """The pages of `forms` for a bundle, in order: [(page, Underlay or None)], and the documents they come from.

    Each form is its values layer (to be drawn over its Underlay by lay_underlays), or its whole
    form (None) when a value does not fit (see render_values).
    """
    pages, documents, start = [], [], 0
    while start < len(forms):
        run_title = forms[start].title
        end = start
        while end < len(forms) and forms[end].title == run_title:
            end += 1
        run = forms[start:end]
        values, underlays = render_values(run, underlay_for(run_title), title)
        documents.append(values)
        misfits = [form for form, underlay in zip(run, underlays, strict=True) if underlay is None]
        whole = iter(())
        if misfits:
            documents.append(render_document(misfits, title=title))
            whole = iter(documents[-1].pages)
        for page, underlay in zip(values.pages, underlays, strict=True):
            pages.append((page, underlay) if underlay is not None else (next(whole), None))
        start = end
    return pages, documents


def write_layers(documents, pages):
    """The PDF bytes of `pages` ([(page, Underlay or None)] from render_layers), each over its underlay."""
    with _render_lock:
        content = documents[0].copy([page for page, _ in pages]).write_pdf()
    return lay_underlays(content, [underlay for _, underlay in pages])


def lay_underlays(content, underlays):
    """`content` (PDF bytes) with the blank page of `underlays[i]` drawn under page i (None: nothing)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=io.BytesIO(content))
    forms = {}
    for page, underlay in zip(writer.pages, underlays, strict=True):
        if underlay is None:
            continue
        if underlay not in forms:
            blank = PdfReader(io.BytesIO(underlay.pdf)).pages[0]
            xobject = DecodedStreamObject()
            xobject.set_data(blank.get_contents().get_data())
            xobject.update(
                {
                    NameObject("/Type"): NameObject("/XObject"),
                    NameObject("/Subtype"): NameObject("/Form"),
                    NameObject("/BBox"): ArrayObject(blank.mediabox),
                    NameObject("/Resources"): blank["/Resources"].get_object().clone(writer),
                }
            )
            reference = writer._add_object(xobject.flate_encode())  # pypdf has no public name for it
            forms[underlay] = (NameObject(f"/Annex3Blank{len(forms)}"), reference)
        name, reference = forms[underlay]
        resources = page["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[name] = reference
        draw = DecodedStreamObject()
        draw.set_data(b"q " + name.encode() + b" Do Q\n")
        contents = page["/Contents"]
        contents = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(draw), *contents])
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
