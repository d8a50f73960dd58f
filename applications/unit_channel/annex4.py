"""The unit channel in bulk: importing the Annex 4 summary table (汇总表, .xlsx) for many applicants at once.

A review unit uploads the table with the contract's columns (序号 · 姓名 · 性别 · 工作单位 · 身份证号 ·
职业(工种) · 技术等级 · 证书编号 · 联系方式(手机号码) · 银行卡号 · 银行卡开户行). The flow is:

1. `parse_summary_table(file)` reads the first worksheet, finds the header row among the first ten
   rows (the title and the 填报单位:(盖章)/date lines above it are skipped) and maps columns by
   their header text; raises `SummaryTableError` when the file or its header cannot be used.
2. `validate_rows(table, campaign, unit)` checks every row as the online form would and returns a
   `RowResult` per row: the Applicant-ready values, or `CellError`s (row, column, Chinese message).
3. `import_rows(...)` imports nothing while any row has errors, unless the reviewer explicitly asks
   for the valid rows only (`only_valid=True`); the rows go in through `submission.submit` (channel
   unit, so they start as unit_approved) inside one transaction: all of them, or none.
4. `annotated_copy(file_bytes, results)` gives back the uploaded workbook with a 错误说明 column and
   the erroneous cells highlighted, for the unit to correct and upload again.

Annex 4 lacks some Annex 3 fields. Decisions:

- 发证时间 (certificate issue date): the rules need it, so the table may carry an extra column
  "发证时间" (a date cell, or text YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日); a row without it is an error.
- 发证机构类型 and 发证机构 (section 二(二)): two more extra columns, required on every row as 发证时间 is, and
  checked by the one issuer rule (`certificates.issuers`); the type cell takes 人社部门, 认可的第三方评价机构
  or 企业 (or a short form).
- 学历 (education): unknown, stored as "". `Application.education` has choices, but Django enforces
  choices only in forms and `full_clean`, never in the database, and `submit` does not call either;
  review screens show the blank value as it is.
- 原有最高技能等级 and its date: none (the rules then only check the new level).
- 是否外来务工人员: 否 (no hukou place, no years in Hangzhou); the table has no such column.
- 基层工会 (grassroots union): an optional extra column "基层工会" per row, otherwise the uploader's
  `grassroots_union` parameter; a row with neither is an error (in `validate_rows` when it is given
  the default, else at import): the employer must have a union organisation. 基层工会意见: one
  opinion for the whole file, from the uploader.
- Size: at most MAX_ROWS filled rows and MAX_UNPACKED_BYTES unpacked (an .xlsx is a zip archive).
- Formula-like cells (a formula, or text starting with =, +, -, @) are refused and never evaluated;
  the only exception is a mobile number written as +86 followed by digits.
- Bank card numbers must pass the Luhn check: unlike the online form there is no "我已核对" box.
- Duplicates: the same ID number twice in the file flags every such row; an ID number that already
  has a live application in the campaign (any unit, any channel) is an error too, with the one
  message `submission.UNIT_DUPLICATE` that names nothing of that application (it may be another
  unit's). The unit channel never replaces; a higher level replacing a live application is the
  city service center's (`admin.paper_entry.replace_application`).
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from applications.apply.submission import (
    UNIT_DUPLICATE,
    Applicant,
    SubmissionError,
    applied_in_previous_campaign,
    submit,
)
from applications.core.bank_details import luhn_ok, validate_bank_branch, validate_bank_card
from applications.core.constants import LIVE_STATES, Channel
from applications.core.crypto import keyed_hash
from applications.core.identity import gender_and_birth_date, validate_id_number, validate_mobile
from applications.documents.annex_tables import SUMMARY_IMPORT_COLUMNS
from applications.documents.tables import WorkbookError, cell_text, find_header, is_xlsx, read_first_sheet
from applications.members.directory import NOT_A_MEMBER, is_verified_member
from applications.members.imports import _read_bytes
from applications.models import Application, ReviewUnit, SkillLevel
from applications.programme import eligibility

# The Annex 4 columns in order, then the optional extra ones (annex_tables declares them); keys are
# used in code, labels in messages.
COLUMNS = {column.key: column.label for column in SUMMARY_IMPORT_COLUMNS}
OPTIONAL = ("seq", "issued_on", "issuer_type", "issuer", "grassroots_union", "unit")
REQUIRED = tuple(key for key in COLUMNS if key not in OPTIONAL)
ERROR_COLUMN = "错误说明"
MISSING_UNION = "未填写基层工会；受奖励人员所在单位必须建立工会组织。"
MAX_LENGTHS = {"name": 40, "employer": 100, "occupation": 60, "certificate_number": 60, "bank_branch": 100}
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 3000  # filled rows in the sheet, title and header included
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
_FORMULA_START = ("=", "+", "-", "@")
_PLUS86_RE = re.compile(r"^\+86[\d\s-]+$")
_SCIENTIFIC_RE = re.compile(r"^\d+(\.\d+)?[eE]\+?\d+$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_GENDERS = {"男": "male", "女": "female"}
# Where a SubmissionError's field is shown.
_FIELD_COLUMNS = {
    "new_level": "level",
    "certificate_issued_on": "issued_on",
    "carry_over_declared": "issued_on",
    "id_number": "id_number",
    "certificate_issuer": "issuer",
}


class SummaryTableError(ValueError):
    """The file as a whole cannot be used: not an .xlsx, unreadable, no header, missing columns."""


@dataclass(frozen=True)
class CellError:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"第{self.row}行 {self.column}：{self.message}" if self.row else f"{self.column}：{self.message}"


@dataclass(frozen=True)
class SummaryRow:
    row: int  # the spreadsheet's row number (1-based)
    cells: dict  # column key -> raw cell value (None when the column is absent or empty)


@dataclass(frozen=True)
class SummaryTable:
    header_row: int  # 1-based
    columns: dict  # column key -> 0-based position
    rows: list[SummaryRow]


@dataclass
class RowResult:
    row: int
    values: dict | None = None  # Applicant keyword arguments (without the grassroots opinion)
    errors: list[CellError] = field(default_factory=list)
    carry_over: bool = False  # the certificate is of the carry-over window: needs the uploader's confirmation

    @property
    def ok(self):
        return not self.errors


@dataclass
class ImportOutcome:
    """What `import_rows` did. `refused`: nothing was imported; `errors` say why, per row and column."""

    imported: list = field(default_factory=list)  # Submitted, in row order
    refused: bool = False
    skipped: int = 0
    errors: list[CellError] = field(default_factory=list)

    @property
    def count(self):
        return len(self.imported)


# Reading.


def _find_header(rows):
    """The first of the first ten rows that names any Annex 4 column: (index, {key: position})."""
    header = find_header(rows, SUMMARY_IMPORT_COLUMNS, required=REQUIRED, search_rows=HEADER_SEARCH_ROWS)
    if header is None:
        expected = "、".join(title for key, title in COLUMNS.items() if key not in OPTIONAL or key == "seq")
        raise SummaryTableError(f"找不到表头，前{HEADER_SEARCH_ROWS}行中应有一行包含这些列：{expected}。")
    if header.missing:
        raise SummaryTableError(f"第{header.index + 1}行表头缺少列：{'、'.join(header.missing)}。")
    return header.index, header.positions


def _read_rows(data):
    if not is_xlsx(data):
        raise SummaryTableError("请上传附件4汇总表的 .xlsx 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。")
    try:
        # Not data_only: a formula must be seen as a formula (and refused), never its cached result.
        return read_first_sheet(data, data_only=False, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)
    except WorkbookError as error:
        raise SummaryTableError(str(error)) from error


def parse_summary_table(file) -> SummaryTable:
    """Read an Annex 4 .xlsx (a path, bytes or a file object) into rows keyed by column; blank rows are left out."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        try:
            data, _name = _read_bytes(file)
        except Exception as error:
            raise SummaryTableError(f"无法读取文件：{error}") from error
    rows = _read_rows(data)
    header_index, columns = _find_header(rows)
    table_rows = []
    for number, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {key: values[index] if index < len(values) else None for key, index in columns.items()}
        if all(cell_text(value) == "" for key, value in cells.items() if key != "seq"):
            continue
        table_rows.append(SummaryRow(number, cells))
    return SummaryTable(header_row=header_index + 1, columns=columns, rows=table_rows)


# Validating.


def _is_formula(key, value):
    if value is None or isinstance(value, bool | int | float | datetime.date | datetime.time):
        return False
    if not isinstance(value, str):
        return True  # ArrayFormula, DataTableFormula and the like
    text = value.strip()
    if key == "mobile" and _PLUS86_RE.match(text):
        return False
    return text.startswith(_FORMULA_START)


def _parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        if 1 <= value < 2958466:  # an Excel date serial in a cell not formatted as a date
            return from_excel(value).date()
        raise ValidationError("日期不正确。")
    match = _DATE_RE.match(cell_text(value))
    if not match:
        raise ValidationError(f"“{cell_text(value)}”不是日期，请写成 YYYY-MM-DD，如 2022-06-30。")
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        raise ValidationError(f"“{cell_text(value)}”不是存在的日期。") from None


def _bank_card(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = cell_text(value)
        if (isinstance(value, float) and not value.is_integer()) or len(digits) > 15:
            raise ValidationError(
                "银行卡号被 Excel 存成了数字，15位以后的数字已丢失；请把该列设为“文本”格式后重新填写。"
            )
    number = re.sub(r"[\s-]", "", cell_text(value))
    if not number:
        raise ValidationError("必须填写。")
    if _SCIENTIFIC_RE.match(number):
        raise ValidationError(
            f"“{number}”是科学计数法，银行卡号被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新填写。"
        )
    validate_bank_card(number)
    if not luhn_ok(number):
        raise ValidationError("银行卡号未通过校验，可能有误，请核对。")
    return number


def _bank_branch(value):
    branch = re.sub(r"\s", "", cell_text(value))
    if not branch:
        raise ValidationError("必须填写。")
    return validate_bank_branch(branch)


def validate_rows(table: SummaryTable, campaign, unit, *, today=None, grassroots_union=None) -> list[RowResult]:
    """Check every row as an online application would be checked; one RowResult per row, in order.

    `grassroots_union`: the uploader's default for rows without a 基层工会 cell. When given (even
    blank), a row with neither is an error here already; when None, only `import_rows` refuses it.
    """
    from django.utils import timezone

    today = today or timezone.localdate()
    rules = eligibility.rules_for(campaign)
    rewarded = "、".join(level.name for level in rules.rewarded_levels)
    levels_by_name = {level.name: level for level in SkillLevel.objects.all()}
    unit_names = set(ReviewUnit.objects.values_list("name", flat=True))
    results = [_validate_row(row, rules, rewarded, levels_by_name, unit, today) for row in table.rows]
    _check_units(table, results, unit, unit_names)
    _flag_duplicates(results)
    _flag_existing(results, campaign)
    _check_eligibility(results, campaign, rules, today)
    _check_issuers(table, results, campaign)
    if grassroots_union is not None and not grassroots_union.strip():
        for result in results:
            if not result.values.get("grassroots_union"):
                result.errors.append(CellError(result.row, COLUMNS["grassroots_union"], MISSING_UNION))
    for result in results:
        order = list(COLUMNS.values())
        result.errors.sort(key=lambda error: order.index(error.column) if error.column in order else len(order))
        if result.errors:
            result.values = None
    return results


def _check_units(table, results, unit, unit_names):
    """An optional 所属工会 column must name the uploading unit: the unit channel is per unit."""
    for summary_row, result in zip(table.rows, results, strict=True):
        named = re.sub(r"\s", "", cell_text(summary_row.cells.get("unit")))
        if not named or named == unit.name or _is_formula("unit", summary_row.cells.get("unit")):
            continue
        if named in unit_names:
            message = f"“{named}”不是本单位（{unit.name}）；其他单位的人员请由该单位上传。"
        else:
            message = f"“{named}”不是审核单位的名称（见附件1任务分解表），本表只能填写“{unit.name}”。"
        result.errors.append(CellError(summary_row.row, COLUMNS["unit"], message))


def _validate_row(summary_row, rules, rewarded, levels_by_name, unit, today):
    cells, result = summary_row.cells, RowResult(summary_row.row)
    values = {"unit": unit}

    def error(key, message):
        result.errors.append(CellError(summary_row.row, COLUMNS[key], message))

    formulas = {key for key, value in cells.items() if key != "seq" and _is_formula(key, value)}
    for key in formulas:
        error(key, f"单元格内容“{cell_text(cells[key])[:30]}”以 = + - @ 开头，像是公式，不予读取；请直接填写内容。")

    def check(key, validate):
        if key in formulas:
            return None
        try:
            return validate(cells.get(key))
        except ValidationError as invalid:
            error(key, invalid.messages[0])
            return None

    for key in ("name", "employer", "occupation", "certificate_number"):
        if key in formulas:
            continue
        text = re.sub(r"\s", "", cell_text(cells.get(key))) if key == "name" else cell_text(cells.get(key))
        if not text:
            error(key, "必须填写。")
        elif len(text) > MAX_LENGTHS[key]:
            error(key, f"不能超过{MAX_LENGTHS[key]}个字。")
        values[key] = text

    values["id_number"] = check("id_number", validate_id_number)
    if values["id_number"] and values.get("name") and not is_verified_member(values["name"], values["id_number"]):
        error("id_number", NOT_A_MEMBER)
    values["mobile"] = check("mobile", validate_mobile)
    values["bank_card"] = check("bank_card", _bank_card)
    values["bank_branch"] = check("bank_branch", _bank_branch)

    gender_text = re.sub(r"\s", "", cell_text(cells.get("gender")))
    if "gender" not in formulas:
        if not gender_text:
            error("gender", "必须填写。")
        elif gender_text not in _GENDERS:
            error("gender", f"“{gender_text}”不正确，请填写“男”或“女”。")
    if values["id_number"]:
        gender, values["birth_date"] = gender_and_birth_date(values["id_number"])
        values["gender"] = gender
        if gender_text in _GENDERS and _GENDERS[gender_text] != gender:
            said = "男" if gender == "male" else "女"
            error("gender", f"性别“{gender_text}”与身份证号码（{said}）不一致，请核对。")

    level_name = re.sub(r"\s", "", cell_text(cells.get("level")))
    if "level" not in formulas:
        level = levels_by_name.get(level_name)
        if not level_name:
            error("level", "必须填写。")
        elif level is None:
            error("level", f"“{level_name}”不是技术等级名称，{rules.year}年度奖励的等级为：{rewarded}。")
        else:
            decision = eligibility.check_level(rules, level.code)
            if decision.eligible:
                values["new_level"] = level
            else:
                error("level", decision.reason)

    if "issued_on" not in formulas:
        if cell_text(cells.get("issued_on")) == "":
            error("issued_on", "必须填写（附件4没有此列，请在表格末尾增加“发证时间”列，填写等级证书上的发证日期）。")
        else:
            values["certificate_issued_on"] = check("issued_on", _parse_date)

    union = cell_text(cells.get("grassroots_union"))
    if "grassroots_union" not in formulas and len(union) > 100:
        error("grassroots_union", "不能超过100个字。")
    values.update(
        grassroots_union=union,
        education="",
        previous_level=None,
        previous_level_obtained_on=None,
        is_migrant=False,
        hukou_place="",
        years_in_hangzhou=None,
    )
    result.values = values
    return result


def _check_issuers(table, results, campaign):
    """发证机构类型 and 发证机构: required on every row, and accepted by the campaign's issuer rule."""
    from applications.certificates import issuers

    rules = issuers.rules_for(campaign)
    for summary_row, result in zip(table.rows, results, strict=True):
        cells = summary_row.cells
        if _is_formula("issuer_type", cells.get("issuer_type")) or _is_formula("issuer", cells.get("issuer")):
            continue  # already refused as formula-like
        issuer_type = issuers.issuer_type_from_text(cell_text(cells.get("issuer_type")))
        name = cell_text(cells.get("issuer"))
        if issuer_type is None:
            result.errors.append(
                CellError(
                    result.row, COLUMNS["issuer_type"], issuers.type_cell_problem(cell_text(cells.get("issuer_type")))
                )
            )
        elif not name:
            result.errors.append(CellError(result.row, COLUMNS["issuer"], "必须填写（按证书上的发证机构填写全称）。"))
        elif len(name) > 100:
            result.errors.append(CellError(result.row, COLUMNS["issuer"], "不能超过100个字。"))
        elif problem := issuers.issuer_problem(rules, issuer_type, name):
            result.errors.append(CellError(result.row, COLUMNS["issuer"], problem))
        result.values.update(certificate_issuer_type=issuer_type or "", certificate_issuer=name)


def _flag_duplicates(results):
    seen = {}
    for result in results:
        number = result.values.get("id_number")
        if number:
            seen.setdefault(number, []).append(result)
    for same in seen.values():
        for result in same if len(same) > 1 else ():
            others = "、".join(f"第{other.row}行" for other in same if other is not result)
            result.errors.append(CellError(result.row, COLUMNS["id_number"], f"与{others}的身份证号码重复。"))


def _flag_existing(results, campaign):
    """A row whose ID number has a live application anywhere in the campaign is refused, in words that
    say nothing of that application (its unit, reference, level or state may be another unit's)."""
    by_hash = {}
    for result in results:
        if result.values.get("id_number"):
            by_hash.setdefault(keyed_hash(result.values["id_number"]), []).append(result)
    if not by_hash:
        return
    taken = Application.objects.filter(campaign=campaign, id_hash__in=list(by_hash), state__in=LIVE_STATES)
    for id_hash in set(taken.values_list("id_hash", flat=True)):
        for result in by_hash[id_hash]:
            result.errors.append(CellError(result.row, COLUMNS["id_number"], UNIT_DUPLICATE))


def _check_eligibility(results, campaign, rules, today):
    for result in results:
        values = result.values
        if not values.get("new_level") or not values.get("certificate_issued_on"):
            continue
        applied_before = (
            applied_in_previous_campaign(campaign, keyed_hash(values["id_number"])) if values.get("id_number") else None
        )
        decision = eligibility.check_certificate(
            rules, values["new_level"].code, values["certificate_issued_on"], None, applied_before, today=today
        )
        if not decision.eligible:
            key = "level" if decision.rule in ("unknown_level", "level_not_rewarded") else "issued_on"
            result.errors.append(CellError(result.row, COLUMNS[key], decision.reason))
        result.carry_over = decision.eligible and decision.window == eligibility.CARRY_OVER


# Importing.


def carry_over_unconfirmed(year):
    """Why a carry-over row is not imported without the uploader's confirmation of its declaration."""
    previous = year - 1
    return (
        f"发证时间在补报时间段内：补报仅限符合{previous}年度奖励条件、且未申请过{previous}年度奖励的职工。"
        "请核对该职工纸质申请表上的声明，并在导入时勾选确认。"
    )


class _RollBack(Exception):
    pass


def import_rows(
    results,
    campaign,
    unit,
    user,
    *,
    grassroots_opinion,
    grassroots_union="",
    only_valid=False,
    carry_over_declared=False,
    grassroots=None,
    consent=None,
) -> ImportOutcome:
    """Submit the valid rows (channel unit, so unit_approved) in one transaction, or nothing.

    While any row has errors nothing is imported, unless `only_valid`. A row without a grassroots
    union (column 基层工会, else `grassroots_union`) is refused. A carry-over row needs
    `carry_over_declared`: the uploader confirms that each such person declared on the paper form
    meeting last year's conditions without having applied last year. If `submit` refuses any row,
    the whole import is rolled back and the outcome reports every refusal per row.
    `grassroots`: the grassroots union uploading (its account); its rows start as submitted, for `unit`'s
    pre-review.
    the whole import is rolled back and the outcome reports every refusal per row. `consent` (the
    signed paper forms' consent, confirmed at upload) is recorded with each application.
    """
    invalid = [result for result in results if not result.ok]
    outcome = ImportOutcome(skipped=len(invalid), errors=[error for result in invalid for error in result.errors])
    valid = [result for result in results if result.ok]
    missing_union = [result for result in valid if not (result.values["grassroots_union"] or grassroots_union)]
    for result in missing_union:
        outcome.errors.append(CellError(result.row, COLUMNS["grassroots_union"], MISSING_UNION))
    undeclared = [result for result in valid if result.carry_over and not carry_over_declared]
    for result in undeclared:
        outcome.errors.append(CellError(result.row, COLUMNS["issued_on"], carry_over_unconfirmed(campaign.year)))
    if (invalid and not only_valid) or missing_union or undeclared or not grassroots_opinion.strip():
        if not grassroots_opinion.strip():
            outcome.errors.append(CellError(0, "基层工会意见", "必须填写。"))
        outcome.refused = True
        return outcome
    failures = []
    try:
        with transaction.atomic():
            for result in valid:
                values = {**result.values, "unit": unit}
                values["grassroots_union"] = values["grassroots_union"] or grassroots_union
                values["carry_over_declared"] = result.carry_over and carry_over_declared
                applicant = Applicant(**values, grassroots_opinion=grassroots_opinion.strip())
                try:
                    outcome.imported.append(
                        submit(
                            campaign,
                            applicant,
                            {},
                            channel=Channel.UNIT,
                            actor=user,
                            grassroots=grassroots,
                            consent=consent,
                        )
                    )
                except SubmissionError as error:
                    column = COLUMNS.get(_FIELD_COLUMNS.get(error.field, ""), "")
                    failures.append(CellError(result.row, column or COLUMNS["name"], error.message))
            if failures:
                raise _RollBack
    except _RollBack:
        outcome.imported = []
        outcome.refused = True
        outcome.errors.extend(failures)
    outcome.errors.sort(key=lambda error: error.row)
    return outcome


# The annotated copy.


def annotated_copy(file_bytes, results) -> bytes:
    """The uploaded workbook with a 错误说明 column filled per row and the erroneous cells highlighted."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font, PatternFill

    workbook = load_workbook(io.BytesIO(file_bytes))
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_index, columns = _find_header(rows)
    header_row = header_index + 1
    positions = {COLUMNS[key]: position for key, position in columns.items()}
    existing = [
        index for index, value in enumerate(rows[header_index], start=1) if cell_text(value) == ERROR_COLUMN
    ]  # a file annotated before: reuse its column
    note_column = existing[0] if existing else sheet.max_column + 1
    fill = PatternFill(fill_type="solid", fgColor="FFC7CE")
    sheet.cell(row=header_row, column=note_column, value=ERROR_COLUMN).font = Font(bold=True, color="9C0006")
    sheet.column_dimensions[sheet.cell(row=header_row, column=note_column).column_letter].width = 60
    for result in results:
        note = sheet.cell(row=result.row, column=note_column, value=None)
        if not result.errors:
            continue
        note.value = "；".join(f"{error.column}：{error.message}" for error in result.errors)
        note.fill = fill
        for error in result.errors:
            if error.column in positions:
                sheet.cell(row=result.row, column=positions[error.column] + 1).fill = fill
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
