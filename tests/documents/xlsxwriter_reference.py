"""`spreadsheets.write_table` as it was before it wrote its rows itself: XlsxWriter's public methods, cell by cell.

The reference that `tests/documents/test_spreadsheets.py` compares `write_table`'s files with, byte
for byte, and the baseline of `bench/excel_export.py` and `bench/export_view.py`. No Django here.
"""

import xlsxwriter

from applications.documents import spreadsheets
from applications.documents.spreadsheets import looks_like_formula


def write_table(out, layout, rows, *, total=None):
    """`layout` and `rows` as `spreadsheets.write_table` wrote them before `_Rows`: every cell through XlsxWriter."""
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, **options})
    sheet = workbook.add_worksheet(layout.sheet_name)
    formats = spreadsheets._Formats(workbook, layout)
    last_col = len(layout.columns) - 1
    spreadsheets._page_setup(sheet, layout)
    for col, column in enumerate(layout.columns):
        sheet.set_column(col, col, column.width, formats.column[col])

    def merged(row, first, last, text, cell_format):
        if last > first:
            sheet.merge_range(row, first, row, last, "", cell_format)
        sheet.write_string(row, first, text, cell_format)

    def cell(row, col, value, column, cell_format, quoted_format):
        if value is None or value == "":
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", cell_format)
        elif isinstance(value, int | float) and not column.text:
            sheet.write_number(row, col, value, cell_format)
        else:
            text = str(value)
            sheet.write_string(row, col, text, quoted_format if looks_like_formula(text) else cell_format)

    sheet.set_row(0, 32)
    merged(0, 0, last_col, layout.title, formats.title)
    split = (last_col + 1) // 2
    sheet.set_row(1, 22)
    merged(1, 0, split - 1, layout.caption_left, formats.caption_left)
    merged(1, split, last_col, layout.caption_right, formats.caption_right)
    sheet.set_row(2, 32)
    for col, title in enumerate(layout.titles):
        sheet.write_string(2, col, title, formats.header)
    row = 3
    for values in rows:
        values = [*values, *[None] * (last_col + 1 - len(values))]
        for col, column in enumerate(layout.columns):
            cell(row, col, values[col], column, formats.body[col], formats.quoted[col])
        row += 1
    if total is not None:
        for col, column in enumerate(layout.columns):
            cell(row, col, total[col], column, formats.total[col], formats.total[col])
        row += 1
    for _ in range(layout.blank_rows):
        sheet.set_row(row, 24)
        for col in range(last_col + 1):
            sheet.write_blank(row, col, None, formats.body[col])
        row += 1
    for note in layout.notes:
        sheet.set_row(row, 30 if len(note) > 60 else 20)
        merged(row, 0, last_col, note, formats.note)
        row += 1
    workbook.close()
