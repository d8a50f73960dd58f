"""Importing earlier years' applicants (上年度记录, .xlsx or .csv) for the carry-over rule.

Columns 姓名, 身份证号码, 技能等级, 结果, 所属工会; one file per year given by the importer. Rows are
checked as the member import checks its rows and reported the same way (`第3行 身份证号码：…`):
rows with errors stop the whole file unless `skip_invalid`. Formula-like cells are refused, never
evaluated. Importing a file of the same name for the same year again replaces the rows that file
brought before (an updated list), so nothing is counted twice; other files of that year stay.
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.core.crypto import keyed_hash
from applications.core.identity import validate_id_number
from applications.documents.tables import Heading, WorkbookError, cell_text, is_xlsx, read_table
from applications.members.imports import RowError, _read_bytes, check_rows, require_header
from applications.models import HistoryImport, PreviousApplicant, SkillLevel

HEADINGS = (
    Heading("name", "姓名"),
    Heading("id_number", "身份证号码", aliases=("身份证号",)),
    Heading("level", "技能等级", aliases=("技术等级", "现晋升的技能等级")),
    Heading("result", "结果", aliases=("审核结果", "办理结果")),
    Heading("union", "所属工会", aliases=("所属区县市(产业)工会",)),
)
COLUMNS = {heading.key: heading.label for heading in HEADINGS}
MAX_LENGTHS = {"name": 40, "union": 60}
MAX_ROWS = 20000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
FIRST_YEAR = 2000
FORMULA_START = ("=", "+", "-", "@")
# What the 结果 column may say, per stored result.
RESULT_WORDS = {
    PreviousApplicant.Result.REWARDED: ("已奖励", "已发放", "奖励", "通过", "已通过", "审核通过"),
    PreviousApplicant.Result.NOT_REWARDED: (
        "未获奖励",
        "未奖励",
        "不予奖励",
        "未通过",
        "不通过",
        "驳回",
        "已驳回",
        "已撤回",
    ),
}
_RESULTS = {word: result for result, words in RESULT_WORDS.items() for word in words}


class HistoryImportError(ValueError):
    """The file as a whole cannot be read, or the year is not one to import."""


@dataclass
class HistoryReport:
    """What an import did. `stopped`: rows had errors and nothing was written; `replaced`: rows of an
    earlier import of the same file for the same year, removed."""

    year: int
    source: str
    created: int = 0
    replaced: int = 0
    skipped: int = 0
    stopped: bool = False
    errors: list[RowError] = field(default_factory=list)


def check_year(year, today=None) -> int:
    """The year as an int if it is one an earlier applicant can belong to (2000 … this year)."""
    today = today or timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise HistoryImportError(f"年度“{year}”不正确，请写四位数字，如 2021。") from None
    if not FIRST_YEAR <= year <= today.year:
        raise HistoryImportError(f"年度应在{FIRST_YEAR}年至{today.year}年之间。")
    return year


def import_history(path_or_file, *, year, skip_invalid=False, user=None, actor_label="", source=None) -> HistoryReport:
    """Store the file's rows as `year`'s applicants, in one transaction, or nothing.

    `source` is the file name recorded with the rows (by default the file's own name); `user` and
    `actor_label` say who imported it. Raises HistoryImportError when the file cannot be read, lacks
    a column, or the year is wrong.
    """
    year = check_year(year)
    data, name = _read_bytes(path_or_file)
    source = PurePath(source or name or "上年度记录").name[:200]
    rows = _read_rows(data, name)
    header = require_header(rows, HEADINGS, COLUMNS, HistoryImportError)

    report = HistoryReport(year=year, source=source)
    levels = {level.name: level for level in SkillLevel.objects.all()}
    levels.update({level.code: level for level in levels.values()})
    checked = check_rows(
        rows,
        header.index,
        header.positions,
        lambda number, cells: _clean_row(number, cells, levels),
        unique="id_number",
        column=COLUMNS["id_number"],
        noun="身份证号码",
    )
    report.errors, report.skipped = checked.errors, len(checked.invalid)
    if checked.invalid and not skip_invalid:
        report.stopped = True
        return report
    _save(list(checked.valid.values()), report, user, actor_label)
    return report


def _read_rows(data, name):
    try:
        if is_xlsx(data):  # formulas as written, to be refused, never their cached results
            return read_table(data, name, data_only=False, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES)
        return read_table(data, name)
    except WorkbookError as error:
        raise HistoryImportError(str(error)) from error


def _is_formula(value):
    if value is None or isinstance(value, bool | int | float):
        return False
    if not isinstance(value, str):
        return not hasattr(value, "year")  # ArrayFormula and the like; a date cell is fine
    return value.strip().startswith(FORMULA_START)


def _clean_row(number, cells, levels):
    row, errors = {}, []

    def error(key, message):
        errors.append(RowError(number, COLUMNS[key], message))

    formulas = {key for key, value in cells.items() if _is_formula(value)}
    for key in formulas:
        error(key, f"单元格内容“{cell_text(cells[key])[:30]}”以 = + - @ 开头，像是公式，不予读取；请直接填写内容。")
    for key in ("name", "union"):
        if key in formulas:
            continue
        text = re.sub(r"\s", "", cell_text(cells.get(key)))
        if not text:
            error(key, "必须填写。")
        elif len(text) > MAX_LENGTHS[key]:
            error(key, f"不能超过{MAX_LENGTHS[key]}个字。")
        row[key] = text
    if "id_number" not in formulas:
        try:
            row["id_number"] = validate_id_number(cells.get("id_number"))
        except ValidationError as invalid:
            error("id_number", invalid.messages[0])
    level_name = re.sub(r"\s", "", cell_text(cells.get("level")))
    if "level" not in formulas:
        row["level"] = levels.get(level_name)
        if not level_name:
            error("level", "必须填写。")
        elif row["level"] is None:
            names = "、".join(dict.fromkeys(level.name for level in levels.values()))
            error("level", f"“{level_name}”不是技能等级名称，应为：{names}。")
    result_word = re.sub(r"\s", "", cell_text(cells.get("result")))
    if "result" not in formulas:
        row["result"] = _RESULTS.get(result_word)
        if not result_word:
            error("result", "必须填写。")
        elif row["result"] is None:
            words = "；".join(f"{result.label}：{'、'.join(words)}" for result, words in RESULT_WORDS.items())
            error("result", f"“{result_word}”不是可识别的结果（{words}）。")
    return row, sorted(errors, key=lambda e: list(COLUMNS.values()).index(e.column))


@transaction.atomic
def _save(rows, report, user, actor_label, batch_size=500):
    """Replace the rows an earlier import of the same file for the same year brought, then store these."""
    previous = HistoryImport.objects.select_for_update().filter(year=report.year, source=report.source).first()
    if previous is not None:
        report.replaced = previous.applicants.count()
        previous.delete()
    batch = HistoryImport.objects.create(
        year=report.year,
        source=report.source,
        imported_by=user,
        actor_label=actor_label or (str(user) if user else "命令行 import_history"),
        row_count=len(rows),
    )
    applicants = []
    for row in rows:
        applicant = PreviousApplicant(batch=batch, year=report.year, **row)
        applicant.id_hash = keyed_hash(row["id_number"])
        applicants.append(applicant)
    PreviousApplicant.objects.bulk_create(applicants, batch_size=batch_size)
    report.created = len(applicants)
    return batch
