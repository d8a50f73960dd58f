"""Importing the member list the city union keeps (.xlsx or .csv) into the registry.

Used by the `import_members` command; every create and change is recorded
(`applications.members.changes`).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.core.crypto import keyed_hash
from applications.core.identity import validate_id_number, validate_mobile
from applications.documents.tables import Heading, WorkbookError, cell_text, find_header, read_table
from applications.models import Member, ReviewUnit

HEADINGS = (
    Heading("name", "姓名"),
    Heading("id_number", "身份证号码", aliases=("身份证号",)),
    Heading("mobile", "手机号码", aliases=("手机号", "联系方式(手机号码)")),
    Heading("unit", "所属工会"),
    Heading("employer", "工作单位"),
    Heading("grassroots_union", "基层工会"),
)
COLUMNS = {heading.key: heading.label for heading in HEADINGS}
_MAX_LENGTHS = {"name": 40, "employer": 100, "grassroots_union": 100}
_FIELDS = ("name", "id_number", "mobile", "unit", "employer", "grassroots_union", "is_verified")


class MemberImportError(ValueError):
    """The file as a whole cannot be read: wrong format, no header, missing columns."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"第{self.row}行 {self.column}：{self.message}"


@dataclass(frozen=True)
class CheckedRows:
    """The data rows of an uploaded table, each cleaned: the valid ones by row number, and the errors."""

    valid: dict
    invalid: set
    errors: list


def check_rows(rows, header_index, positions, clean_row, *, unique, column, noun) -> CheckedRows:
    """Clean every non-blank row below the header with `clean_row(row_number, cells)` → (values, errors).

    Row numbers are the spreadsheet's (1-based). Rows sharing `values[unique]` are all refused, each
    naming the others ("与第N行的<noun>重复。", in `column`). Errors come sorted by row.
    """
    checked = CheckedRows({}, set(), [])
    seen = {}
    for number, values in enumerate(rows[header_index + 1 :], start=header_index + 2):
        cells = {key: values[index] if index < len(values) else None for key, index in positions.items()}
        if all(cell_text(value) == "" for value in cells.values()):
            continue
        cleaned, errors = clean_row(number, cells)
        if errors:
            checked.errors.extend(errors)
            checked.invalid.add(number)
            continue
        seen.setdefault(cleaned[unique], []).append(number)
        checked.valid[number] = cleaned
    for numbers in seen.values():
        for number in numbers if len(numbers) > 1 else ():
            others = "、".join(f"第{other}行" for other in numbers if other != number)
            checked.errors.append(RowError(number, column, f"与{others}的{noun}重复。"))
            checked.invalid.add(number)
            checked.valid.pop(number)
    checked.errors.sort(key=lambda error: error.row)
    return checked


@dataclass
class ImportReport:
    """What an import did. `stopped` means rows had errors and nothing was written."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    stopped: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self):
        return self.created + self.updated + self.unchanged + self.skipped


def import_members(path_or_file, *, skip_invalid=False, actor=None) -> ImportReport:
    """Create or update members (by ID number) from an .xlsx or .csv file, in one transaction.

    Rows with errors stop the whole import unless `skip_invalid`, which imports the valid rows.
    Each member created or changed is recorded (`changes`, by `actor`, by default the
    command line's account with source "import_members"); a changed mobile is texted at both numbers.
    Raises MemberImportError when the file cannot be read or lacks a column.
    """
    data, name = _read_bytes(path_or_file)
    rows = _read_rows(data, name)
    header = require_header(rows, HEADINGS, COLUMNS, MemberImportError)
    units = {unit.name: unit for unit in ReviewUnit.objects.filter(is_active=True)}

    checked = check_rows(
        rows,
        header.index,
        header.positions,
        lambda number, cells: _clean_row(number, cells, units),
        unique="id_number",
        column=COLUMNS["id_number"],
        noun="身份证号码",
    )
    report = ImportReport(skipped=len(checked.invalid), errors=checked.errors)
    if checked.invalid and not skip_invalid:
        report.stopped = True
        return report
    _save(list(checked.valid.values()), report, actor)
    return report


def _read_bytes(path_or_file):
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        try:
            return path.read_bytes(), path.name
        except OSError as error:
            raise MemberImportError(f"无法读取文件 {path}：{error.strerror}") from error
    data = path_or_file.read()
    return (data.encode() if isinstance(data, str) else data), getattr(path_or_file, "name", "") or ""


def _read_rows(data, name):
    try:
        return read_table(data, name)
    except WorkbookError as error:
        raise MemberImportError(str(error)) from error


def require_header(rows, headings, columns, error):
    """The header (the first of the first ten rows naming any of `headings`), with every column of
    `columns` (key → label); otherwise `error` (an exception class) saying what is not found."""
    header = find_header(rows, headings, required=columns)
    if header is None:
        raise error(f"找不到表头，第一行应包含这些列：{'、'.join(columns.values())}。")
    if header.missing:
        raise error(f"第{header.index + 1}行表头缺少列：{'、'.join(header.missing)}。")
    return header


def _clean_row(row, cells, units):
    member, errors = {}, []

    def error(key, message):
        errors.append(RowError(row, COLUMNS[key], message))

    for key in ("name", "employer", "grassroots_union"):
        member[key] = cell_text(cells[key])
        if not member[key] and key != "grassroots_union":
            error(key, "必须填写。")
        elif len(member[key]) > _MAX_LENGTHS[key]:
            error(key, f"不能超过{_MAX_LENGTHS[key]}个字。")
    for key, validate in (("id_number", validate_id_number), ("mobile", validate_mobile)):
        try:
            member[key] = validate(cells[key])
        except ValidationError as invalid:
            error(key, invalid.messages[0])
    unit_name = re.sub(r"\s", "", cell_text(cells["unit"]))
    member["unit"] = units.get(unit_name)
    if not unit_name:
        error("unit", "必须填写。")
    elif member["unit"] is None:
        error("unit", f"“{unit_name}”不是附件1中的工会名称（如“西湖区总工会”“工业工会”）。")
    return member, sorted(errors, key=lambda e: list(COLUMNS.values()).index(e.column))


@transaction.atomic
def _save(members, report, actor=None, batch_size=500):
    from applications.members import changes as member_changes

    now = timezone.now()
    hashes = {keyed_hash(member["id_number"]): member for member in members}
    existing = {}
    keys = list(hashes)
    for start in range(0, len(keys), batch_size):
        for member in Member.objects.select_related("unit").filter(id_hash__in=keys[start : start + batch_size]):
            existing[member.id_hash] = member
    to_create, to_update, befores = [], [], {}
    for id_hash, values in hashes.items():
        values = {**values, "is_verified": True}
        member = existing.get(id_hash)
        if member is None:
            to_create.append(Member(id_hash=id_hash, **values))
        elif any(getattr(member, key) != value for key, value in values.items()):
            befores[id_hash] = member_changes.snapshot(member)
            for key, value in values.items():
                setattr(member, key, value)
            member.updated_at = now
            to_update.append(member)
        else:
            report.unchanged += 1
    Member.objects.bulk_create(to_create, batch_size=batch_size)
    Member.objects.bulk_update(to_update, [*_FIELDS, "updated_at"], batch_size=batch_size)
    report.created, report.updated = len(to_create), len(to_update)
    _link_created(to_create, batch_size)
    member_changes.record_many(
        [(member, None) for member in to_create] + [(member, befores[member.id_hash]) for member in to_update],
        actor or member_changes.command_line_actor("import_members"),
        batch_size=batch_size,
    )


def _link_created(members, batch_size):
    """Give members made by bulk_create their primary keys where the database did not return them."""
    missing = {member.id_hash: member for member in members if member.pk is None}
    keys = list(missing)
    for start in range(0, len(keys), batch_size):
        for id_hash, pk in Member.objects.filter(id_hash__in=keys[start : start + batch_size]).values_list(
            "id_hash", "pk"
        ):
            missing[id_hash].pk = pk
