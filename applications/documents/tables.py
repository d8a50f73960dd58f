"""Reading uploaded tables: the first worksheet of an .xlsx, or a .csv (members, Annex 4, bank results).

An .xlsx is a zip archive, so a hostile one can unpack to far more than it weighs; callers that
take files from the web give limits (`max_unpacked_bytes`, `max_rows`) that are checked before
and while the sheet is read, never after.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

XLSX_SIGNATURE = b"PK\x03\x04"
OLD_EXCEL_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and WPS .et (OLE2 compound files)


class WorkbookError(ValueError):
    """The workbook cannot be read, or is larger than the caller allows; the message is in Chinese."""


def cell_text(value) -> str:
    """A cell's value as stripped text: "" for an empty cell, 600 for a number Excel stored as 600.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True)
class Heading:
    """A column an uploaded table may have: `key` in code, `label` in messages, other `aliases` accepted."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    index: int  # 0-based row of the header
    positions: dict  # column key -> 0-based position
    missing: list  # labels of the required columns the header lacks


def heading_text(value) -> str:
    """A header cell as compared with labels: no spaces, half-width brackets, no required-field star."""
    return re.sub(r"\s", "", cell_text(value)).replace("（", "(").replace("）", ")").strip("*")


def find_header(rows, columns, *, required, search_rows=10):
    """The first of the first `search_rows` rows that names any of `columns`, as a `Header`; else None.

    `columns` is a column definition: each column has a `key`, a `label` and `aliases` (the Annex 4
    columns of `annex_tables`, the member list's `Heading`s). A cell names a column by its label or
    one of its aliases, compared as `heading_text`. `required` holds the keys the header must have;
    the labels of those it lacks are its `missing`.
    """
    lookup = {}
    for column in columns:
        lookup.setdefault(column.label, column.key)
    for column in columns:
        for alias in column.aliases:
            lookup.setdefault(alias, column.key)
    for index, values in enumerate(rows[:search_rows]):
        positions = {}
        for position, value in enumerate(values):
            key = lookup.get(heading_text(value))
            if key and key not in positions:
                positions[key] = position
        if positions:
            missing = [column.label for column in columns if column.key in required and column.key not in positions]
            return Header(index, positions, missing)
    return None


def is_xlsx(data: bytes) -> bool:
    """Whether the bytes start like an .xlsx (a zip archive); says nothing about its content."""
    return data[:4] == XLSX_SIGNATURE


def _check_unpacked_size(data, limit):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise WorkbookError("无法读取 .xlsx 文件，请确认文件未损坏。") from error
    if unpacked > limit:
        raise WorkbookError(f"文件解压后超过{limit // (1024 * 1024)}MB，请删除多余的工作表和内容后重新上传。")


def read_first_sheet(data: bytes, *, data_only: bool, max_rows=None, max_unpacked_bytes=None) -> list[list]:
    """The rows of the first worksheet as lists of cell values (None for empty cells).

    A blank row is an empty list; blank rows after the last filled one are left out (a sheet
    formatted down to row 1,048,576 costs nothing), and only filled rows count toward `max_rows`.

    `data_only=True` gives formulas' cached results; `False` gives formulas as written (e.g. "=1+1"),
    for callers that must see and refuse them. Raises WorkbookError if the file is not a readable
    workbook, unpacks to more than `max_unpacked_bytes`, or has more than `max_rows` rows.
    """
    from openpyxl import load_workbook

    if max_unpacked_bytes is not None:
        _check_unpacked_size(data, max_unpacked_bytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds for a broken or foreign file
        raise WorkbookError("无法读取 .xlsx 文件，请确认文件未损坏。") from error
    try:
        rows, blank, filled = [], 0, 0
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            if all(value is None for value in row):
                blank += 1  # kept only if a filled row follows, so row numbers stay right
                continue
            filled += 1
            if max_rows is not None and filled > max_rows:
                raise WorkbookError(f"表格超过{max_rows}行，请分成几个文件上传。")
            rows.extend([] for _ in range(blank))
            rows.append(list(row))
            blank = 0
        return rows
    except WorkbookError:
        raise
    except Exception as error:
        raise WorkbookError("无法读取 .xlsx 文件，请确认文件未损坏。") from error
    finally:
        workbook.close()


def read_table(data: bytes, name: str = "", **xlsx_options) -> list[list]:
    """The rows of an .xlsx (its first sheet, see `read_first_sheet`) or of a .csv in UTF-8 or GBK.

    Refuses the old binary .xls with a message saying how to save it as .xlsx or .csv.
    """
    if is_xlsx(data):
        return read_first_sheet(data, **{"data_only": True, **xlsx_options})
    if data.startswith(OLD_EXCEL_SIGNATURE) or str(name).lower().endswith((".xls", ".et")):
        raise WorkbookError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 .csv 后再上传。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError("无法识别文件的编码，请上传 .xlsx 文件或 UTF-8、GBK 编码的 .csv 文件。")
    return list(csv.reader(io.StringIO(text, newline="")))
