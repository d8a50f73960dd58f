"""Writing the portal's Excel files so that Excel shows exactly what the portal holds.

- Identifiers (ID numbers, bank cards, mobiles, certificate numbers) are text cells in columns
  formatted as text ("@"), so Excel never rounds them to 15 significant digits, shows them in
  scientific notation or turns a number typed later into one.
- Text that a spreadsheet would take for a formula (starting with =, +, -, @, or a tab or carriage
  return, per OWASP's CSV-injection advice) is never a formula cell. `write_table` writes it as a
  string cell with Excel's quote prefix (the style Excel itself gives to text typed after an
  apostrophe): it shows exactly as held, and stays text when someone edits the cell. `neutralise`
  is for writers that can only pass values (CSV, openpyxl's `cell.value`): it prefixes an apostrophe.
- Every table prints on A4 landscape, one page wide, with the header row repeated on each page.

`write_table` streams: it uses XlsxWriter's constant_memory mode, which writes each row to a
temporary file as soon as the next one starts, so 50,000 rows need no more memory than 50. It was
measured against openpyxl's default and write-only modes (bench/excel_export.py, bench/README.md):
for the filled Annex 4 it takes 30-40 % of the CPU time of either openpyxl mode, and under 1 MB
of Python memory where the default mode takes 41 MB for 8,000 rows and 246 MB for 50,000.
"""

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


def _write_cell(sheet, row, col, value, column, cell_format, quoted_format):
    """One body cell: identifiers and text as strings (formula-like text quote-prefixed), numbers as numbers."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否", cell_format)
    elif isinstance(value, int | float) and not column.text:
        sheet.write_number(row, col, value, cell_format)
    else:
        text = str(value)
        sheet.write_string(row, col, text, quoted_format if looks_like_formula(text) else cell_format)


def _merged_text(sheet, row, first_col, last_col, text, cell_format):
    if last_col > first_col:
        sheet.merge_range(row, first_col, row, last_col, "", cell_format)
    sheet.write_string(row, first_col, text, cell_format)


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
        sheet.write_string(HEADER_ROW, col, title, formats.header)

    row = FIRST_DATA_ROW
    write_string = sheet.write_string
    cells = list(zip(range(last_col + 1), layout.columns, formats.body, formats.quoted, strict=True))
    for values in rows:
        if len(values) <= last_col:
            values = [*values, *[None] * (last_col + 1 - len(values))]
        for (col, column, body, quoted), value in zip(cells, values, strict=False):  # longer rows: extra values ignored
            if value.__class__ is str and value:  # most cells: `_write_cell`'s text branch, without its tests
                write_string(row, col, value, quoted if looks_like_formula(value) else body)
            else:
                _write_cell(sheet, row, col, value, column, body, quoted)
        row += 1
    count = row - FIRST_DATA_ROW
    if total is not None:
        for col, column in enumerate(layout.columns):
            _write_cell(sheet, row, col, total[col], column, formats.total[col], formats.total[col])
        row += 1
    for _ in range(layout.blank_rows):
        sheet.set_row(row, 24)
        for col in range(last_col + 1):
            sheet.write_blank(row, col, None, formats.body[col])
        row += 1
    for note in layout.notes:
        sheet.set_row(row, 30 if len(note) > 60 else 20)
        _merged_text(sheet, row, 0, last_col, note, formats.note)
        row += 1
    workbook.close()
    return count


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
