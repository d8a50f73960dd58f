"""Importing the certificate register (证书库) from the HR department's list (.xlsx or .csv).

Used by `manage.py import_certificates FILE`. Rows are checked one by one and reported as the member
import reports them (第N行 列：问题); rows with errors stop the whole import unless `skip_invalid`.
Certificates are created or updated by 证书编号 in one transaction, and then the stored 证书核验 of
every live application with one of the imported numbers is recomputed.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.certificates import verification
from applications.certificates.register import normalise_number
from applications.core.crypto import keyed_hash
from applications.core.identity import validate_id_number
from applications.documents.tables import Heading, WorkbookError, cell_text, read_table
from applications.members.imports import RowError, _read_bytes, check_rows, require_header
from applications.models import Certificate

HEADINGS = (
    Heading("number", "证书编号", aliases=("等级证书编号", "证书号")),
    Heading("name", "姓名"),
    Heading("id_number", "身份证号码", aliases=("身份证号", "证件号码")),
    Heading("occupation", "职业(工种)", aliases=("职业", "工种", "职业（工种）")),
    Heading("level", "等级", aliases=("技能等级", "技术等级", "等级(级别)")),
    Heading("issued_on", "发证日期", aliases=("发证时间",)),
    Heading("issuer", "发证机构", aliases=("发证单位", "评价机构")),
)
COLUMNS = {heading.key: heading.label for heading in HEADINGS}
MAX_LENGTHS = {"number": 60, "name": 40, "occupation": 60, "level": 40, "issuer": 100}
FIELDS = ("name", "id_number", "occupation", "level", "issued_on", "issuer")


class CertificateImportError(ValueError):
    """The file as a whole cannot be read: wrong format, no header, missing columns."""


@dataclass
class ImportReport:
    """What an import did. `stopped`: rows had errors and nothing was written. `checks`: the recomputed
    证书核验 results of the applications concerned, per result."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    stopped: bool = False
    errors: list[RowError] = field(default_factory=list)
    checks: dict = field(default_factory=dict)


def import_certificates(path_or_file, *, skip_invalid=False, source="import_certificates") -> ImportReport:
    """Create or update certificates (by number) from an .xlsx or .csv file; see the module docstring.

    Raises CertificateImportError when the file cannot be read or lacks a column.
    """
    from applications.unit_channel.annex4 import _parse_date  # the one reading of a date cell

    data, name = _read_bytes(path_or_file)
    try:
        rows = read_table(data, name)
    except WorkbookError as error:
        raise CertificateImportError(str(error)) from error
    header = require_header(rows, HEADINGS, COLUMNS, CertificateImportError)

    checked = check_rows(
        rows,
        header.index,
        header.positions,
        lambda number, cells: _clean_row(number, cells, _parse_date),
        unique="number",
        column=COLUMNS["number"],
        noun="证书编号",
    )
    report = ImportReport(skipped=len(checked.invalid), errors=checked.errors)
    if checked.invalid and not skip_invalid:
        report.stopped = True
        return report
    _save(list(checked.valid.values()), report, source)
    return report


def _clean_row(row, cells, parse_date):
    certificate, errors = {}, []

    def error(key, message):
        errors.append(RowError(row, COLUMNS[key], message))

    for key, limit in MAX_LENGTHS.items():
        text = cell_text(cells[key])
        certificate[key] = normalise_number(text) if key == "number" else text
        if not text:
            error(key, "必须填写。")
        elif len(text) > limit:
            error(key, f"不能超过{limit}个字。")
    try:
        certificate["id_number"] = validate_id_number(cells["id_number"])
    except ValidationError as invalid:
        error("id_number", invalid.messages[0])
    if cell_text(cells["issued_on"]) == "":
        error("issued_on", "必须填写。")
    else:
        try:
            certificate["issued_on"] = parse_date(cells["issued_on"])
        except ValidationError as invalid:
            error("issued_on", invalid.messages[0])
    order = list(COLUMNS.values())
    return certificate, sorted(errors, key=lambda e: order.index(e.column))


@transaction.atomic
def _save(certificates, report, source, batch_size=500):
    now = timezone.now()
    by_number = {certificate["number"]: certificate for certificate in certificates}
    numbers = list(by_number)
    existing = {}
    for start in range(0, len(numbers), batch_size):
        for certificate in Certificate.objects.filter(number__in=numbers[start : start + batch_size]):
            existing[certificate.number] = certificate
    to_create, to_update = [], []
    for number, values in by_number.items():
        stored = existing.get(number)
        if stored is None:
            to_create.append(
                Certificate(
                    number=number,
                    id_hash=keyed_hash(values["id_number"]),
                    source=source,
                    updated_at=now,
                    **{key: values[key] for key in FIELDS},
                )
            )
        elif any(getattr(stored, key) != values[key] for key in FIELDS):
            for key in FIELDS:
                setattr(stored, key, values[key])
            stored.id_hash, stored.source, stored.updated_at = keyed_hash(values["id_number"]), source, now
            to_update.append(stored)
        else:
            report.unchanged += 1
    Certificate.objects.bulk_create(to_create, batch_size=batch_size)
    Certificate.objects.bulk_update(to_update, [*FIELDS, "id_hash", "source", "updated_at"], batch_size=batch_size)
    report.created, report.updated = len(to_create), len(to_update)
    report.checks = verification.refresh(verification.with_certificate_numbers(numbers))
