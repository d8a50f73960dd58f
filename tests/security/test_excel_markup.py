"""Text typed into a field cannot change an Excel export: no cell added, none overwritten, none hidden.

XlsxWriter writes a string that starts with <r> and ends with </r> into the sheet's XML as it is: it
takes it for rich text it made itself. An applicant who typed such an employer or bank branch could
add cells to their row of the city's Annex 4 export (a second bank card column, say), change what
the cell shows, or leave a file Excel has to repair. Each test here fails on the writer before
`spreadsheets._Rows` and `_xlsxwriter_text`.
"""

import datetime
import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from applications.documents import annex_tables
from applications.documents.spreadsheets import write_table
from tests.documents.test_excel_downloads import EXPORT, data_rows, workbook_sheet
from tests.documents.test_spreadsheets import CAMPAIGN, CARD_19_DIGITS, applicant, row_values, summary_sheet
from tests.factories import ApplicationFactory
from tests.layouts import ANNEX_4_COLUMNS

MARKUP = (
    '<r><t>x</t></r></is></c><c r="J4" t="inlineStr"><is><t>6222999999999999999</t></is></c>'
    '<c r="Z4"><is><r><t>y</t></r>'
)
COLUMNS = {"name": "B", "employer": "D", "occupation": "F", "bank_branch": "K"}


@pytest.mark.parametrize("field", list(COLUMNS))
def test_annex_4_shows_markup_as_typed_and_adds_no_cell(field):
    sheet, _count, _data = summary_sheet([applicant(**{field: MARKUP})], unit_name="<r><t>单位</t></r>")
    assert sheet[f"{COLUMNS[field]}4"].value == MARKUP
    assert sheet["J4"].value == CARD_19_DIGITS
    assert sheet.max_column == len(ANNEX_4_COLUMNS)
    assert sheet["A2"].value == annex_tables.SUMMARY_UNIT_LABEL + "<r><t>单位</t></r>"


def test_the_quota_tables_unit_names_and_total_show_markup_as_typed():
    counts = dict(guidance=1, submitted=0, unit_approved=0, approved=0, paid=0)
    unit_rows = [SimpleNamespace(unit_name="<r><t>工业</t></r>", **counts)]
    total = SimpleNamespace(unit_name="<r>合计</r>", **counts)
    out = io.BytesIO()
    annex_tables.write_quota_table(out, CAMPAIGN, unit_rows, total, datetime.datetime(2022, 12, 1, 10, 0))
    sheet = load_workbook(out).active
    assert [sheet["A4"].value, sheet["A5"].value] == ["<r><t>工业</t></r>", "<r>合计</r>"]


def test_titles_captions_headers_and_notes_show_markup_as_typed():
    layout = annex_tables.Layout(
        sheet_name="测试",
        title="<r>标题 & </r>",
        columns=(annex_tables.Column("<r>序号</r>", 6), annex_tables.Column("名称", 10)),
        caption_left="<r><t>左</t></r>",
        caption_right="<r>右</r>",
        notes=("<r>注</r>",),
    )
    out = io.BytesIO()
    write_table(out, layout, [[1, "甲"]])
    sheet = load_workbook(out).active
    assert [sheet["A1"].value, sheet["A2"].value, sheet["B2"].value] == [
        "<r>标题 & </r>",
        "<r><t>左</t></r>",
        "<r>右</r>",
    ]
    assert row_values(sheet, 3) == ["<r>序号</r>", "名称"]
    assert sheet["A5"].value == "<r>注</r>"


@pytest.mark.django_db
def test_the_city_export_shows_an_applicants_markup_as_typed(client, service_center, campaign_2022):
    typed = '<r></is></c><c r="J5" t="inlineStr"><is><t>6222999999999999999</t></is></c><c><is><r></r>'  # 89 of 100
    ApplicationFactory(campaign=campaign_2022, name="西湖甲")
    ApplicationFactory(campaign=campaign_2022, name="西湖戊", employer=typed, bank_branch="<r>支行</r>")
    client.force_login(service_center)
    sheet = workbook_sheet(client.get(EXPORT, {"state": "all"}))
    assert sheet.max_column == len(ANNEX_4_COLUMNS) + 1  # the unit column of the city-wide export
    assert "6222999999999999999" not in [value for row in sheet.iter_rows(values_only=True) for value in row]
    (row,) = [row for row in data_rows(sheet, width=12) if row[1] == "西湖戊"]
    assert row[3] == typed and row[10] == "<r>支行</r>"
