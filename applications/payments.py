"""Paying the rewards: approved applications go into a batch, the bank transfers, the results come back.

- `create_batch` puts approved applications (of a unit, approved in a date range, chosen one by
  one, or all) that are neither awaiting the bank nor paid into a new batch, copying the name,
  bank card, branch and amount as sent to the bank.
- `transfer_file` writes the batch's transfer file (.xlsx) for the bank.
- `mark_paid` settles a whole batch as paid; `import_bank_result` reads the bank's result file
  (reference, status, reason), checks every row and applies all of them or none.
- A failed payment puts the application in `payment_failed` with the bank's reason;
  `correct_bank_card` takes the corrected card and moves it back to `approved`, for a later batch.
- `reconciliation` gives the figures an auditor checks: paid total = sum of the paid applications.

Each action is one transaction; every state change goes through `applications.workflow` and
leaves an ApplicationEvent; the text messages go out once the transaction has committed. The
database constraints on PaymentItem (one pending item per application, one paid item) are the
last guard against paying twice, whatever happens above them.
"""

import datetime
import io
import logging
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .constants import ApplicationState as S
from .crypto import mask
from .eligibility import format_date
from .forms import BRANCH_SUFFIXES, _luhn_ok
from .models import Application, ApplicationEvent, Campaign, PaymentBatch, PaymentItem
from .spreadsheets import neutralise
from .workflow import WorkflowError, take, take_all

logger = logging.getLogger("portal.payments")

Result = PaymentItem.Result
CHUNK = 500  # ids per query (SQLite limits the parameters of one statement)

TRANSFER_SHEET = "转账明细"
TRANSFER_TITLE = "杭州市职工高技能人才奖励发放转账明细"
TRANSFER_COLUMNS = ("序号", "姓名", "银行卡号", "银行卡开户行", "金额(元)", "申报编号")
TRANSFER_WIDTHS = (8, 14, 26, 36, 14, 18)
TRANSFER_HEADER_ROW = 7  # title, batch, campaign, count, total, exported, then the column headings
AMOUNT_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"

RESULT_REFERENCE, RESULT_STATUS, RESULT_REASON = "申报编号", "状态", "原因"
STATUS_WORDS = {
    "成功": Result.PAID,
    "已发放": Result.PAID,
    "发放成功": Result.PAID,
    "paid": Result.PAID,
    "success": Result.PAID,
    "失败": Result.FAILED,
    "发放失败": Result.FAILED,
    "failed": Result.FAILED,
    "fail": Result.FAILED,
}
HEADER_SEARCH_ROWS = 20
MAX_RESULT_ROWS = 50_000
REASON_MAX_LENGTH = PaymentItem._meta.get_field("reason").max_length


class PaymentError(Exception):
    """The action cannot be taken; `message` says why in Chinese, `errors` maps form fields to messages."""

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def _require(user, permission):
    if not user.has_perm(permission):
        raise PaymentError("您无权办理发放。")


def _chunks(values):
    values = list(values)
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Choosing what to pay.


def payable(campaign):
    """Approved applications of `campaign` neither awaiting the bank in a batch nor ever paid.

    Each carries `approved_at`, the moment of its latest move to approved (the city's approval,
    or the correction of its bank card after a failed payment).
    """
    latest_approval = ApplicationEvent.objects.filter(application=OuterRef("pk"), to_state=S.APPROVED).order_by(
        "-created_at", "-pk"
    )
    blocking = PaymentItem.objects.filter(application=OuterRef("pk"), result__in=[Result.PENDING, Result.PAID])
    return (
        Application.objects.filter(campaign=campaign, state=S.APPROVED)
        .exclude(Exists(blocking))
        .annotate(approved_at=Subquery(latest_approval.values("created_at")[:1]))
    )


def select_payable(campaign, *, unit=None, approved_from=None, approved_to=None, applications=None):
    """The payable applications chosen by unit, by approval date (inclusive, local dates) or one by one.

    `applications` (Application objects or primary keys) must all be payable, or PaymentError
    names those that are not. Ordered as the transfer file lists them: by unit, then reference.
    """
    if approved_from and approved_to and approved_from > approved_to:
        raise PaymentError("审核通过日期的起始日不能晚于截止日。", {"approved_to": "截止日不能早于起始日。"})
    queryset = payable(campaign).select_related("unit")
    if unit is not None:
        queryset = queryset.filter(unit=unit)
    if approved_from:
        queryset = queryset.filter(approved_at__gte=_start_of(approved_from))
    if approved_to:
        queryset = queryset.filter(approved_at__lt=_start_of(approved_to + datetime.timedelta(days=1)))
    if applications is not None:
        wanted = {getattr(application, "pk", application) for application in applications}
        chosen = [pk for chunk in _chunks(wanted) for pk in queryset.filter(pk__in=chunk).values_list("pk", flat=True)]
        missing = wanted - set(chosen)
        if missing:
            references = Application.objects.filter(pk__in=list(missing)[:CHUNK]).values_list("reference", flat=True)
            raise PaymentError(
                f"以下申报不能放入发放批次（不是“市总工会已审核通过，待发放”，已在待发放批次中、已发放，"
                f"或不符合筛选条件）：{'、'.join(sorted(references)[:20])}",
                {"references": "有申报不能放入发放批次。"},
            )
        queryset = queryset.filter(pk__in=[pk for chunk in _chunks(chosen) for pk in chunk])
    return queryset.order_by("unit__sort_order", "unit__name", "reference")


@dataclass(frozen=True)
class Selection:
    """How many applications a choice holds and their total, overall and per unit."""

    count: int
    total: int
    by_unit: tuple = ()


def preview(campaign, **choice):
    """The figures of `select_payable(campaign, **choice)`, to check before creating the batch."""
    queryset = select_payable(campaign, **choice)
    rows = (
        queryset.order_by()
        .values("unit__name", "unit__sort_order")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("unit__sort_order", "unit__name")
    )
    by_unit = tuple((row["unit__name"], row["count"], row["total"]) for row in rows)
    return Selection(count=sum(row[1] for row in by_unit), total=sum(row[2] for row in by_unit), by_unit=by_unit)


def next_number(campaign):
    """The campaign's next batch number: year, dash, three-digit sequence (2022-001)."""
    prefix = f"{campaign.year}-"
    numbers = PaymentBatch.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    sequence = max((int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{sequence + 1:03d}"


EMPTY_SELECTION = "没有符合条件的待发放申报（须为市总工会已审核通过、不在其他待发放批次中、未发放过）。"
CONCURRENT_BATCH = "其中有申报刚刚已被放入另一个发放批次（或另一个批次同时在创建），请刷新后重新核对再创建。"


def create_batch(
    campaign,
    user,
    *,
    unit=None,
    approved_from=None,
    approved_to=None,
    applications=None,
    note="",
    expected=None,
    now=None,
):
    """A new open batch of the chosen payable applications, or PaymentError (an empty choice is refused).

    `expected`, a (count, total) pair the person checked on screen, must still hold, or nothing is
    created. Batches of one campaign are created one at a time (the campaign row is locked).
    """
    _require(user, "applications.add_paymentbatch")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
            chosen = list(
                select_payable(
                    campaign, unit=unit, approved_from=approved_from, approved_to=approved_to, applications=applications
                ).only("pk", "name", "bank_card", "bank_branch", "amount", "reference", "unit")
            )
            if not chosen:
                raise PaymentError(EMPTY_SELECTION)
            figures = (len(chosen), sum(application.amount for application in chosen))
            if expected is not None and tuple(expected) != figures:
                raise PaymentError(
                    f"符合条件的申报在您核对之后有变化（现为 {figures[0]} 份、{figures[1]} 元），请核对后再创建。"
                )
            batch = PaymentBatch.objects.create(
                campaign=campaign,
                number=next_number(campaign),
                note=(note or "").strip(),
                created_by=user,
                created_at=now,
            )
            PaymentItem.objects.bulk_create(
                [
                    PaymentItem(
                        batch=batch,
                        application=application,
                        name=application.name,
                        bank_card=application.bank_card,
                        bank_branch=application.bank_branch,
                        amount=application.amount,
                    )
                    for application in chosen
                ],
                batch_size=CHUNK,
            )
    except IntegrityError as error:
        raise PaymentError(CONCURRENT_BATCH) from error
    logger.info("%s created payment batch %s: %s items, %s yuan", user.get_username(), batch.number, *figures)
    return batch


def _locked(batch):
    """The batch as it is now, its row locked until the transaction ends (actions on a batch queue up)."""
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def _check_open(batch, *, exported=True):
    if batch.state != PaymentBatch.State.OPEN:
        raise PaymentError(f"批次{batch.number}{batch.get_state_display()}，不能再办理。")
    if exported and batch.exported_at is None:
        raise PaymentError("请先导出转账文件并在银行办理转账，再登记发放结果。")


def _settle_if_done(batch, user, now):
    if batch.items.filter(result=Result.PENDING).exists():
        return False
    PaymentBatch.objects.filter(pk=batch.pk).update(state=PaymentBatch.State.SETTLED, settled_by=user, settled_at=now)
    batch.refresh_from_db()
    return True


# The transfer file.


@dataclass(frozen=True)
class TransferRow:
    """One line of a transfer file."""

    name: str
    bank_card: str
    bank_branch: str
    amount: int
    reference: str


def write_transfer_file(out, *, number, campaign_name, count, total, rows, exported_at, write_only=True):
    """Write a transfer file to the binary stream `out`: the header with the figures, then `rows`.

    `write_only` picks openpyxl's streaming writer (the default; rows are never all in memory) or
    its ordinary workbook (kept for the benchmark). Card numbers and references are text cells;
    text that looks like a formula is neutralised. Raises PaymentError if `rows` do not add up
    to `count` and `total`, which the header has already stated.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet(TRANSFER_SHEET) if write_only else workbook.active
    sheet.title = TRANSFER_SHEET
    for index, width in enumerate(TRANSFER_WIDTHS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{TRANSFER_HEADER_ROW}:{TRANSFER_HEADER_ROW}"
    sheet.freeze_panes = f"A{TRANSFER_HEADER_ROW + 1}"
    bold = Font(bold=True)

    def cell(value, number_format=None, font=None):
        written = WriteOnlyCell(sheet, value=neutralise(value))
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        return written

    sheet.append([cell(TRANSFER_TITLE, font=Font(bold=True, size=14))])
    sheet.append([cell("批次号", font=bold), cell(number, TEXT_FORMAT)])
    sheet.append([cell("奖励活动", font=bold), cell(str(campaign_name))])
    sheet.append([cell("笔数", font=bold), cell(count, "0")])
    sheet.append([cell("合计金额(元)", font=bold), cell(total, AMOUNT_FORMAT)])
    sheet.append([cell("导出时间", font=bold), cell(f"{timezone.localtime(exported_at):%Y-%m-%d %H:%M}")])
    sheet.append([cell(heading, font=bold) for heading in TRANSFER_COLUMNS])
    written, summed = 0, 0
    for row in rows:
        written += 1
        summed += row.amount
        sheet.append(
            [
                cell(written, "0"),
                cell(row.name),
                cell(str(row.bank_card), TEXT_FORMAT),
                cell(row.bank_branch),
                cell(row.amount, AMOUNT_FORMAT),
                cell(str(row.reference), TEXT_FORMAT),
            ]
        )
    if (written, summed) != (count, total):
        raise PaymentError(f"转账明细（{written} 笔、{summed} 元）与批次（{count} 笔、{total} 元）不符，已停止导出。")
    workbook.save(out)


def transfer_file(batch, *, now=None):
    """The batch's transfer file (.xlsx bytes) of its items awaiting the bank; notes the first export.

    Only an open batch exports, and only its pending items: an item the bank has already paid or
    returned is never sent again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        batch = _locked(batch)
        _check_open(batch, exported=False)
        items = batch.items.filter(result=Result.PENDING).order_by("pk")
        figures = items.aggregate(count=Count("pk"), total=Coalesce(Sum("amount"), Value(0)))
        if not figures["count"]:
            raise PaymentError(f"批次{batch.number}没有待银行转账的明细。")
        out = io.BytesIO()
        write_transfer_file(
            out,
            number=batch.number,
            campaign_name=batch.campaign.display_name,
            count=figures["count"],
            total=figures["total"],
            rows=(
                TransferRow(item.name, item.bank_card, item.bank_branch, item.amount, item.application.reference)
                for item in items.select_related("application").iterator(chunk_size=CHUNK)
            ),
            exported_at=now,
        )
        if batch.exported_at is None:
            PaymentBatch.objects.filter(pk=batch.pk).update(exported_at=now)
    return out.getvalue()


# Results.


def _strip_end(text):
    return text.strip().rstrip("。.；;，,")


@dataclass(frozen=True)
class Notice:
    """A text message to send once the transaction has committed."""

    mobile: str
    text: str
    purpose: str
    reference: str


def _paid_notice(application, amount, now):
    return Notice(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励（编号{application.reference}）"
        f"{amount}元已于{format_date(timezone.localtime(now).date())}发放至您申报时登记的银行卡，请注意查收。",
        "payment_paid",
        application.reference,
    )


def _failed_notice(application, amount, reason):
    return Notice(
        application.mobile,
        f"【杭州市总工会】您的{application.campaign.year}年度高技能人才奖励（编号{application.reference}）"
        f"{amount}元发放失败，原因：{_strip_end(reason)}。请尽快联系{application.unit.name}提供本人正确的银行卡号"
        "和开户行（写至支行），更正后将重新发放。",
        "payment_failed",
        application.reference,
    )


def _send_after_commit(notices):
    def send():
        from .sms import send_sms

        for notice in notices:
            try:
                send_sms(notice.mobile, notice.text, purpose=notice.purpose)
            except ValueError as error:
                logger.error("SMS for %s (%s) not sent: %s", notice.reference, notice.purpose, error)

    if notices:
        transaction.on_commit(send)


def _pay(batch, items, user, now):
    """Mark `items` (pending, of `batch`) and their applications paid; returns the messages to send."""
    items = list(items)
    take_all(
        "pay",
        [item.application_id for item in items],
        user,
        f"随发放批次{batch.number}发放",
        now=now,
        via="payments",
    )
    updated = sum(
        PaymentItem.objects.filter(pk__in=chunk, result=Result.PENDING).update(result=Result.PAID, settled_at=now)
        for chunk in _chunks(item.pk for item in items)
    )
    if updated != len(items):
        raise PaymentError("有明细刚刚已被他人登记结果，请刷新后查看。")
    return [_paid_notice(item.application, item.amount, now) for item in items]


def mark_paid(batch, user, *, now=None):
    """Every pending item of the open, exported batch paid, its application paid, the batch settled.

    Each paid applicant gets a text message (amount and reference, no card number).
    Returns the number of items paid.
    """
    _require(user, "applications.change_paymentbatch")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _locked(batch)
            _check_open(locked)
            items = locked.items.filter(result=Result.PENDING).select_related("application__campaign")
            notices = _pay(locked, items, user, now)
            if not notices:
                raise PaymentError(f"批次{locked.number}没有待登记结果的明细。")
            _settle_if_done(locked, user, now)
    except WorkflowError as error:
        raise PaymentError(str(error)) from error
    _send_after_commit(notices)
    batch.refresh_from_db()
    return len(notices)


@dataclass
class BankResult:
    """What an import of the bank's result file did, or the errors that stopped it (nothing applied)."""

    errors: list = field(default_factory=list)
    paid: int = 0
    failed: int = 0
    settled: bool = False

    @property
    def ok(self):
        return not self.errors


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(name, data):
    """The file's rows as (row number, list of texts); PaymentError if it is neither .xlsx nor .csv."""
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [
                (number, [_text(v) for v in row]) for number, row in enumerate(sheet.iter_rows(values_only=True), 1)
            ]
            workbook.close()
            return rows
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise PaymentError("无法读取这个 Excel 文件，请确认是 .xlsx 格式且没有损坏。") from error
    if name.lower().endswith((".xls", ".et")) or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise PaymentError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv 后再上传。")
    import csv

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PaymentError("无法识别文件的编码，请上传 .xlsx 文件或 UTF-8、GBK 编码的 .csv 文件。")
    return [(number, [_text(v) for v in row]) for number, row in enumerate(csv.reader(io.StringIO(text)), 1)]


@dataclass(frozen=True)
class ResultRow:
    row: int
    reference: str
    result: str
    reason: str


def parse_bank_result(name, data):
    """The rows of a bank result file, checked on their own; returns (rows, errors).

    The heading row (within the first 20 rows) must hold 申报编号 and 状态; 原因 (or 失败原因) is
    read when present; other columns are ignored, so the transfer file with two columns added
    is accepted. Status: 成功/已发放/paid or 失败/发放失败/failed; a failure needs a reason.
    """
    from .sms import check_text

    rows = _read_rows(name, data)
    header = next(
        (
            (number, values)
            for number, values in rows[:HEADER_SEARCH_ROWS]
            if RESULT_REFERENCE in values and RESULT_STATUS in values
        ),
        None,
    )
    if header is None:
        raise PaymentError(f"文件的前{HEADER_SEARCH_ROWS}行中没有找到含“申报编号”和“状态”两列的表头。")
    header_row, headings = header
    reference_col, status_col = headings.index(RESULT_REFERENCE), headings.index(RESULT_STATUS)
    reason_col = next((i for i, h in enumerate(headings) if h in (RESULT_REASON, "失败原因")), None)

    def at(values, column):
        return values[column] if column is not None and column < len(values) else ""

    parsed, errors, seen = [], [], {}
    for number, values in rows:
        if number <= header_row or not any(values):
            continue
        reference = at(values, reference_col).upper()
        status = at(values, status_col)
        reason = at(values, reason_col)
        result = STATUS_WORDS.get(status.lower())
        problems = []
        if not reference:
            problems.append("缺少申报编号")
        elif reference in seen:
            problems.append(f"申报编号{reference}与第{seen[reference]}行重复")
        if result is None:
            problems.append(f"状态“{status}”无法识别，请填写“成功”或“失败”" if status else "缺少状态")
        if result == Result.FAILED and not reason:
            problems.append("状态为失败时须填写原因（申请人会在短信和进度查询中看到）")
        if len(reason) > REASON_MAX_LENGTH:
            problems.append(f"原因不能超过{REASON_MAX_LENGTH}字")
        try:
            check_text(reason)
        except ValueError:
            problems.append("原因中不能含银行卡号或身份证号码（申请人会在短信中看到），请删去号码")
        if problems:
            errors.append(f"第{number}行：{'；'.join(problems)}。")
        if reference:
            seen.setdefault(reference, number)
        parsed.append(ResultRow(number, reference, result, reason))
    if len(parsed) > MAX_RESULT_ROWS:
        raise PaymentError(f"回执文件超过{MAX_RESULT_ROWS}行，请分批导入。")
    if not parsed:
        raise PaymentError("文件中表头以下没有回执数据。")
    return parsed, errors


def _check_against_batch(batch, rows):
    """Per-row errors of rows that do not match a pending item of `batch`; returns (items by reference, errors)."""
    items = {
        item.application.reference: item
        for item in batch.items.select_related("application__campaign", "application__unit")
    }
    unknown = {row.reference for row in rows if row.reference and row.reference not in items}
    elsewhere = {
        reference
        for chunk in _chunks(unknown)
        for reference in Application.objects.filter(reference__in=chunk).values_list("reference", flat=True)
    }
    errors = []
    for row in rows:
        item = items.get(row.reference)
        if not row.reference:
            continue
        if item is None:
            where = f"不在本批次（{batch.number}）中" if row.reference in elsewhere else "不存在"
            errors.append(f"第{row.row}行：申报编号{row.reference}{where}。")
        elif item.result != Result.PENDING:
            errors.append(
                f"第{row.row}行：申报编号{row.reference}在本批次中已登记为“{item.get_result_display()}”，不能重复登记。"
            )
    return items, errors


def import_bank_result(batch, file, user, *, now=None):
    """Apply the bank's result file (an uploaded .xlsx or .csv) to the open batch: all rows or none.

    Every row is checked first (format, reference known, in this batch, still pending); any
    error stops the import with the errors per row and nothing changed. Otherwise paid rows make
    their applications paid, failed rows make theirs payment_failed with the bank's reason
    (the applicant sees it and is told by SMS how to correct the card). Items not in the file
    stay pending; the batch is settled when none is left. Returns a BankResult.
    """
    _require(user, "applications.change_paymentbatch")
    now = now or timezone.now()
    try:
        rows, errors = parse_bank_result(getattr(file, "name", "") or "", file.read())
    except PaymentError as error:
        return BankResult(errors=[error.message])
    try:
        with transaction.atomic():
            locked = _locked(batch)
            _check_open(locked)
            items, batch_errors = _check_against_batch(locked, rows)
            errors = sorted(errors + batch_errors, key=lambda text: int(re.match(r"第(\d+)行", text).group(1)))
            if errors:
                return BankResult(errors=errors)
            paid = [items[row.reference] for row in rows if row.result == Result.PAID]
            failed = [(items[row.reference], row.reason) for row in rows if row.result == Result.FAILED]
            notices = _pay(locked, paid, user, now) if paid else []
            for item, reason in failed:
                if not PaymentItem.objects.filter(pk=item.pk, result=Result.PENDING).update(
                    result=Result.FAILED, reason=reason, settled_at=now
                ):
                    raise PaymentError("有明细刚刚已被他人登记结果，请刷新后查看。")
                take("payment_fail", item.application, user, reason, now=now, via="payments")
                notices.append(_failed_notice(item.application, item.amount, reason))
            settled = _settle_if_done(locked, user, now)
    except PaymentError as error:
        return BankResult(errors=[error.message])
    except WorkflowError as error:
        return BankResult(errors=[str(error)])
    _send_after_commit(notices)
    batch.refresh_from_db()
    return BankResult(paid=len(paid), failed=len(failed), settled=settled)


# Correcting a bank card after a failed payment.


def clean_bank_card(bank_card, bank_branch, *, confirmed=False):
    """The card and branch checked as the application form checks them; PaymentError with field errors."""
    errors = {}
    card = re.sub(r"\s+", "", bank_card or "")
    branch = (bank_branch or "").strip()
    if not card.isdigit() or not 12 <= len(card) <= 19:
        errors["bank_card"] = "银行卡号应为12至19位数字。"
    elif not _luhn_ok(card) and not confirmed:
        errors["bank_card"] = "卡号未通过校验，可能有误，请核对；如确认无误，请勾选“我已核对，卡号无误”。"
    if ("银行" not in branch and "信用社" not in branch) or not branch.endswith(BRANCH_SUFFIXES):
        errors["bank_branch"] = "开户行请写至支行，例：中国工商银行杭州西湖支行。"
    if len(branch) > Application._meta.get_field("bank_branch").max_length:
        errors["bank_branch"] = "开户行名称过长。"
    if errors:
        raise PaymentError("请更正标出的项目。", errors)
    return card, branch


def correct_bank_card(application, user, bank_card, bank_branch, *, confirmed=False, note="", now=None):
    """Store the corrected card of a payment_failed application and move it back to approved.

    It can then go into a later batch. The event records the new card masked and the branch.
    """
    _require(user, "applications.change_paymentbatch")
    card, branch = clean_bank_card(bank_card, bank_branch, confirmed=confirmed)
    application.refresh_from_db()
    if application.state != S.PAYMENT_FAILED:
        raise PaymentError(f"这份申报现在是“{application.get_state_display()}”，不是发放失败，无需更正银行卡信息。")
    opinion = f"银行卡信息已更正：卡号{mask(card)}，开户行{branch}"
    if (note or "").strip():
        opinion = f"{opinion}。{note.strip()}"
    try:
        with transaction.atomic():
            Application.objects.filter(pk=application.pk, state=S.PAYMENT_FAILED).update(
                bank_card=card, bank_branch=branch, updated_at=now or timezone.now()
            )
            take("correct_bank_card", application, user, opinion, now=now, via="payments")
    except WorkflowError as error:
        raise PaymentError(str(error)) from error
    return application


# Reconciliation.


@dataclass(frozen=True)
class ResultFigures:
    result: str
    label: str
    count: int
    total: int


@dataclass(frozen=True)
class Reconciliation:
    """The figures of a batch or a campaign: items per result, and the paid applications they must match.

    `mismatched` lists references where an item and its application disagree: a paid item whose
    application is not paid, a paid application without a paid item (campaign only), or a paid
    item whose amount differs from the application's.
    """

    by_result: tuple
    count: int
    total: int
    paid_count: int
    paid_total: int
    paid_applications_count: int
    paid_applications_total: int
    mismatched: tuple = ()

    @property
    def balanced(self):
        return (
            self.paid_count == self.paid_applications_count
            and self.paid_total == self.paid_applications_total
            and not self.mismatched
        )

    def figures(self, result):
        return next(row for row in self.by_result if row.result == result)


def reconciliation(target):
    """Reconcile a PaymentBatch or, for a Campaign, all its batches that were not cancelled."""
    if isinstance(target, PaymentBatch):
        items = PaymentItem.objects.filter(batch=target)
        paid_applications = Application.objects.filter(
            Exists(PaymentItem.objects.filter(batch=target, result=Result.PAID, application=OuterRef("pk"))),
            state=S.PAID,
        )
        unpaid_with_item = Q()
    else:
        items = PaymentItem.objects.filter(batch__campaign=target).exclude(batch__state=PaymentBatch.State.CANCELLED)
        paid_applications = Application.objects.filter(campaign=target, state=S.PAID)
        unpaid_with_item = Q(
            ~Exists(PaymentItem.objects.filter(application=OuterRef("pk"), result=Result.PAID)), state=S.PAID
        )
    rows = {row["result"]: row for row in items.values("result").annotate(count=Count("pk"), total=Sum("amount"))}
    by_result = tuple(
        ResultFigures(result, str(label), rows.get(result, {}).get("count", 0), rows.get(result, {}).get("total") or 0)
        for result, label in Result.choices
    )
    applications = paid_applications.aggregate(
        count=Count("pk"), total=Coalesce(Sum("amount"), Value(0), output_field=IntegerField())
    )
    wrong = items.filter(result=Result.PAID).filter(~Q(application__state=S.PAID) | ~Q(amount=F("application__amount")))
    mismatched = set(wrong.values_list("application__reference", flat=True)[:50])
    if unpaid_with_item:
        mismatched |= set(
            Application.objects.filter(unpaid_with_item, campaign=target).values_list("reference", flat=True)[:50]
        )
    paid = next(row for row in by_result if row.result == Result.PAID)
    return Reconciliation(
        by_result=by_result,
        count=sum(row.count for row in by_result),
        total=sum(row.total for row in by_result),
        paid_count=paid.count,
        paid_total=paid.total,
        paid_applications_count=applications["count"],
        paid_applications_total=applications["total"],
        mismatched=tuple(sorted(mismatched)),
    )
