"""The two files of a payment batch: the transfer file the portal writes for the bank, and the
bank's result file the portal reads back.

Transfer file (.xlsx, one sheet 转账明细, A4 landscape): a title row; 批次号, 奖励活动, 笔数,
合计金额(元) and 导出时间, each a label and a value; then the column headings 序号, 姓名,
银行卡号, 银行卡开户行, 金额(元), 申报编号 (row 7, repeated on every printed page) and one row per
payment. Card numbers and references are text cells (Excel never rounds them); text that a
spreadsheet would take for a formula is neutralised.

Bank result file (.xlsx, or .csv in UTF-8 or GBK): a heading row within the first 20 rows with
申报编号 and 状态, and 原因 (or 失败原因) when present; other columns are ignored, so the transfer
file with two columns added is accepted. 状态: 成功/已发放/发放成功/paid/success or
失败/发放失败/failed/fail; a failed row needs a reason, which the applicant will read.
"""

from dataclasses import dataclass

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from applications.documents.spreadsheets import neutralise
from applications.documents.tables import WorkbookError, cell_text, read_table
from applications.models import PaymentItem

Result = PaymentItem.Result

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


class PaymentFileError(Exception):
    """A file cannot be written or read; `message` says why in Chinese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


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
    text that looks like a formula is neutralised. Raises PaymentFileError if `rows` do not add up
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
        written = WriteOnlyCell(sheet, value=_text(value))
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
                written,
                _text(row.name),
                cell(str(row.bank_card), TEXT_FORMAT),
                _text(row.bank_branch),
                cell(row.amount, AMOUNT_FORMAT),
                cell(str(row.reference), TEXT_FORMAT),
            ]
        )
    if (written, summed) != (count, total):
        raise PaymentFileError(
            f"转账明细（{written} 笔、{summed} 元）与批次（{count} 笔、{total} 元）不符，已停止导出。"
        )
    workbook.save(out)


def _text(value):
    """`value` as a cell can hold it: formula-like text neutralised, characters a worksheet cannot hold left out.

    Those are control characters, which nobody can type into a form's text box. Left in, openpyxl
    refuses the whole file, and one applicant's branch would stop every payment of the batch.
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


# The bank's result file.


def _read_rows(name, data):
    """The file's rows as (row number, list of texts); PaymentFileError if it is neither .xlsx nor .csv."""
    try:
        rows = read_table(data, name)
    except WorkbookError as error:
        raise PaymentFileError(str(error)) from error
    return [(number, [cell_text(value) for value in row]) for number, row in enumerate(rows, 1)]


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
    from applications.core.sms import check_text

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
        raise PaymentFileError(f"文件的前{HEADER_SEARCH_ROWS}行中没有找到含“申报编号”和“状态”两列的表头。")
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
        raise PaymentFileError(f"回执文件超过{MAX_RESULT_ROWS}行，请分批导入。")
    if not parsed:
        raise PaymentFileError("文件中表头以下没有回执数据。")
    return parsed, errors
