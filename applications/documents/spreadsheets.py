"""Writing the portal's Excel files so that Excel shows exactly what the portal holds.

- Identifiers (ID numbers, bank cards, mobiles, certificate numbers) are text cells in columns
  formatted as text ("@"), so Excel never rounds them to 15 significant digits, shows them in
  scientific notation or turns a number typed later into one.
- Text that a spreadsheet would take for a formula (starting with =, +, -, @, or a tab or carriage
  return, per OWASP's CSV-injection advice) is never a formula cell. `write_table` writes it as a
  string cell with Excel's quote prefix (the style Excel itself gives to text typed after an
  apostrophe): it shows exactly as held, and stays text when someone edits the cell. `neutralise`
  is for writers that can only pass values (CSV, openpyxl's `cell.value`): it prefixes an apostrophe.
- Text is shown exactly as typed, whatever it holds: markup-like text (XlsxWriter copies a string
  that looks like its own rich text, <r>…</r>, into the sheet's XML unescaped) is escaped like any
  other, so nothing typed into a field can add cells or change what another cell shows.
- Every table prints on A4 landscape, one page wide, with the header row repeated on each page.

`write_table` streams: it uses XlsxWriter's constant_memory mode, which writes each row to a
temporary file as soon as the next one starts, so 50,000 rows need no more memory than 50. It was
measured against openpyxl's default and write-only modes (bench/excel_export.py, bench/README.md):
for the filled Annex 4 it takes 30-40 % of the CPU time of either openpyxl mode, and under 1 MB
of Python memory where the default mode takes 41 MB for 8,000 rows and 246 MB for 50,000. The rows
below the header are written by `_Rows`, in a third of the time XlsxWriter's own methods take.
"""

import re
from xml.sax.saxutils import escape

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
PAPER_A4 = 9
MARGINS_INCHES = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}  # about 1 cm and 1.5 cm
FONT = "宋体"
TITLE_ROW, CAPTION_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1


def looks_like_formula(value):
    """True for text that a spreadsheet would read as a formula when typed or imported."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def neutralise(value):
    """`value` unchanged unless it is text that starts like a formula; then with a leading apostrophe."""
    if looks_like_formula(value):
        return "'" + value
    return value


class _Formats:
    """The cell formats of one workbook: title, captions, header, notes, and per column body formats."""

    def __init__(self, workbook, layout):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        ruled = {**base, "border": 1, "text_wrap": True, "font_size": 10}
        self.title = workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.caption_left = workbook.add_format({**base, "align": "left"})
        self.caption_right = workbook.add_format({**base, "align": "right"})
        self.header = workbook.add_format({**ruled, "bold": True, "align": "center"})
        self.note = workbook.add_format({**base, "font_size": 10, "align": "left", "text_wrap": True})
        self.column = []
        self.body, self.quoted, self.total = [], [], []
        for column in layout.columns:
            cell = {**ruled, "align": column.align}
            if column.text:
                cell["num_format"] = TEXT_FORMAT
            elif column.number_format:
                cell["num_format"] = column.number_format
            self.column.append(workbook.add_format({"num_format": TEXT_FORMAT}) if column.text else None)
            self.body.append(workbook.add_format(cell))
            self.quoted.append(workbook.add_format({**cell, "quote_prefix": True}))
            self.total.append(workbook.add_format({**cell, "bold": True}))


def _merged_text(sheet, row, first_col, last_col, text, cell_format):
    text = _xlsxwriter_text(text)
    if last_col > first_col:
        sheet.merge_range(row, first_col, row, last_col, "", cell_format)
    sheet.write_string(row, first_col, text, cell_format)


def _xlsxwriter_text(text):
    """`text` as XlsxWriter must be given it to show it as it is.

    XlsxWriter copies a string that starts with <r> and ends with </r> into the sheet's XML unescaped
    (it takes it for rich text it made itself); such a string is given as one run of rich text
    holding the escaped text, which Excel shows as the text itself.
    """
    if text.startswith("<r>") and text.endswith("</r>"):
        return f'<r><t xml:space="preserve">{escape(text)}</t></r>'
    return text


def write_table(out, layout, rows, *, total=None):
    """Write `layout` with `rows` (sequences in column order) as an .xlsx to `out`; returns the row count.

    `out` is a path or a binary file object. `rows` may be any iterable, consumed once and never
    held: a queryset's `.iterator()` streams from the database to the file. `total`, if given, is
    a last row in bold. The sheet: the title across the table, the caption line (left and right),
    the header row, the rows, `layout.blank_rows` empty ruled rows, then the notes.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(layout.sheet_name)
    formats = _Formats(workbook, layout)
    last_col = len(layout.columns) - 1
    _page_setup(sheet, layout)
    for col, column in enumerate(layout.columns):
        sheet.set_column(col, col, column.width, formats.column[col])

    sheet.set_row(TITLE_ROW, 32)
    _merged_text(sheet, TITLE_ROW, 0, last_col, layout.title, formats.title)
    split = (last_col + 1) // 2
    sheet.set_row(CAPTION_ROW, 22)
    _merged_text(sheet, CAPTION_ROW, 0, split - 1, layout.caption_left, formats.caption_left)
    _merged_text(sheet, CAPTION_ROW, split, last_col, layout.caption_right, formats.caption_right)
    sheet.set_row(HEADER_ROW, 32)
    for col, title in enumerate(layout.titles):
        sheet.write_string(HEADER_ROW, col, _xlsxwriter_text(title), formats.header)

    body = _Rows(sheet, layout.columns, FIRST_DATA_ROW)
    body.write_all(rows, formats.body, formats.quoted)
    count = body.row - FIRST_DATA_ROW
    if total is not None:
        body.write(total, formats.total, formats.total)
    for _ in range(layout.blank_rows):
        body.write((), formats.body, formats.body, height=24)
    row = body.close()
    for note in layout.notes:
        sheet.set_row(row, 30 if len(note) > 60 else 20)
        _merged_text(sheet, row, 0, last_col, note, formats.note)
        row += 1
    workbook.close()
    return count


class _Rows:
    """Writes the rows below the header straight into the sheet's XML, as XlsxWriter would write them.

    XlsxWriter spends about 10 µs of Python on each cell (argument checks, a tuple per cell, its
    XML writer's escaping in several passes); 50,000 rows of Annex 4 are 600,000 cells. This class
    writes a row as one string into the file XlsxWriter keeps the sheet's rows in (constant_memory
    mode), with each column's cell prefix made once, and tests each text once for anything to escape.
    The XML is byte for byte what XlsxWriter's `write_string`, `write_number` and `write_blank` make
    (`tests/documents/test_spreadsheets.py` compares the files for the XlsxWriter version pinned in
    requirements.txt), except that a text is always escaped, where XlsxWriter copies one that looks
    like its own rich text into the XML as it is.

    The cells of a row: identifiers and text as inline strings (formula-like text with the column's
    quote-prefixed format), numbers as numbers, booleans as 是 or 否, None and "" as blank ruled
    cells. It uses five of XlsxWriter's internals, all of constant_memory mode's row writing: the
    row file (`fh`), the row last written (`previous_row`) and the call that writes it out
    (`_write_single_row`), the sheet's dimensions (`_check_dimensions`) and each format's style
    number (`_get_xf_index`).
    """

    def __init__(self, sheet, columns, first_row):
        from xlsxwriter.utility import xl_col_to_name

        assert sheet.constant_memory, "the rows go into constant_memory mode's row file"
        sheet._write_single_row(first_row)  # XlsxWriter writes out the row above (the header) and moves on
        self.sheet, self.columns, self.row = sheet, columns, first_row
        self.letters = [xl_col_to_name(col) for col in range(len(columns))]
        self.prefixes = {}

    def _prefix(self, col, cell_format):
        """`<c r="D` … `" s="7"`: a cell's start, around its row number, for one column and format."""
        key = (col, cell_format)
        if key not in self.prefixes:
            self.prefixes[key] = (f'<c r="{self.letters[col]}', f'" s="{cell_format._get_xf_index()}"')
        return self.prefixes[key]

    def write_all(self, rows, body, quoted):
        """Each row of `rows` in turn, with `body` formats (and `quoted` for formula-like text)."""
        for values in rows:
            self.write(values, body, quoted)

    def write(self, values, formats, quoted_formats, *, height=None):
        """One row: `values` in column order (missing ones blank, extra ones ignored), each with its column's format."""
        row = self.row
        if row >= EXCEL_ROWS:
            raise ValueError(f"Excel 工作表最多 {EXCEL_ROWS} 行")
        number = str(row + 1)
        if height is None:
            parts = [f'<row r="{number}">']
        else:
            parts = [f'<row r="{number}" ht="{int(height * 4 / 3 + 0.5) * 0.75:.16g}" customHeight="1">']
        append = parts.append
        prefix = self._prefix
        values = iter(values)
        for col, column in enumerate(self.columns):
            value = next(values, None)
            if value.__class__ is not str:  # the most common cells, text, go straight on
                if value is None:
                    value = ""
                elif value.__class__ is bool:
                    value = "是" if value else "否"
                elif isinstance(value, int | float) and not column.text:
                    start, style = prefix(col, formats[col])
                    append(f"{start}{number}{style}><v>{value:.16G}</v></c>")
                    continue
                else:
                    value = str(value)
            if not value:  # None and "": a blank ruled cell
                start, style = prefix(col, formats[col])
                append(f"{start}{number}{style}/>")
                continue
            start, style = prefix(col, quoted_formats[col] if looks_like_formula(value) else formats[col])
            if len(value) <= EXCEL_TEXT_UNITS // 2 and _NEEDS_CARE.search(value) is None:
                append(f'{start}{number}{style} t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                text, preserve = _inline_text(value)
                append(f'{start}{number}{style} t="inlineStr"><is><t{preserve}>{text}</t></is></c>')
        append("</row>")
        self.sheet.fh.write("".join(parts))
        self.row = row + 1

    def close(self):
        """Hands the sheet back to XlsxWriter below the last row written; returns the next row's number."""
        sheet = self.sheet
        if sheet.previous_row < self.row:  # any row written: the sheet's dimensions reach the last one
            sheet._check_dimensions(self.row - 1, len(self.columns) - 1)
            sheet.previous_row = self.row
        return self.row


EXCEL_ROWS = 1_048_576
EXCEL_TEXT_UNITS = 32_767  # a cell holds at most this many UTF-16 code units
_EXCEL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_LEADING_OR_TRAILING_SPACE = re.compile(r"^\s|\s$")
# Anything in a text that `_inline_text` would change: XML's special characters, non-characters, and
# what the three patterns above find. Most texts have none and are written as they are.
_NEEDS_CARE = re.compile(
    "|".join([r"[&<>\ufffe\uffff]", *(p.pattern for p in (_EXCEL_ESCAPE, _CONTROL, _LEADING_OR_TRAILING_SPACE))])
)


def _inline_text(value):
    """`value` as the XML of an inline string, as XlsxWriter escapes it, and the `<t>` tag's attribute."""
    if len(value) > EXCEL_TEXT_UNITS // 2:  # only then can it be over the limit; XlsxWriter cuts it too
        value = value.encode("utf-16-le")[: EXCEL_TEXT_UNITS * 2].decode("utf-16-le", errors="ignore")
    value = _EXCEL_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda match: f"_x{ord(match.group(1)):04X}_", value)
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if _LEADING_OR_TRAILING_SPACE.search(value) else ""
    return escape(value), preserve


def _page_setup(sheet, layout):
    """A4 landscape, one page wide (as many long as needed), the header row on every page, page numbers."""
    sheet.set_landscape()
    sheet.set_paper(PAPER_A4)
    # The string "1" makes XlsxWriter write fitToWidth="1"; it leaves out the integer 1 as the spec's
    # default, and some readers (openpyxl among them) then report no width at all.
    sheet.fit_to_pages("1", 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.set_margins(**MARGINS_INCHES)
    sheet.center_horizontally()
    sheet.set_footer(layout.footer)
    sheet.freeze_panes(FIRST_DATA_ROW, 0)
