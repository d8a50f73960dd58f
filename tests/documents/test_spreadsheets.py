"""The Excel writer: identifiers as text, formula-like text never a formula, A4 landscape, the annex layouts."""

import datetime
import io
import re
import zipfile
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from applications.documents import annex_tables
from applications.documents.spreadsheets import FORMULA_PREFIXES, looks_like_formula, neutralise, write_table
from applications.unit_channel.annex4 import parse_summary_table
from tests.documents import xlsxwriter_reference
from tests.layouts import ANNEX_4_COLUMNS

ID_ENDING_IN_X = "33010619880517008X"
ID_18_DIGITS = "330106198805170012"  # as a number Excel keeps 15 digits: 330106198805170000
CARD_19_DIGITS = "6222021202000000123"
CAMPAIGN = SimpleNamespace(year=2022, is_demo=False)


def applicant(**overrides):
    values = dict(
        name="张伟",
        gender="male",
        employer="杭州测试精工有限公司",
        id_number=ID_18_DIGITS,
        occupation="车工",
        new_level=SimpleNamespace(name="技师"),
        certificate_number="S000000000001",
        mobile="13800001111",
        bank_card=CARD_19_DIGITS,
        bank_branch="中国工商银行杭州西湖支行",
        unit=SimpleNamespace(name="西湖区总工会"),
    )
    return SimpleNamespace(**{**values, **overrides})


def summary_sheet(applications=(), **options):
    out = io.BytesIO()
    count = annex_tables.write_summary_table(out, CAMPAIGN, applications, **options)
    return load_workbook(io.BytesIO(out.getvalue())).active, count, out.getvalue()


def row_values(sheet, row):
    return [cell.value for cell in sheet[row]]


def all_cells(sheet):
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+8613800001111", "'+8613800001111"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("张伟", "张伟"),
        ("a=1", "a=1"),
        (-2, -2),
        (None, None),
    ],
)
def test_neutralise_prefixes_an_apostrophe_to_formula_like_text_only(value, expected):
    assert neutralise(value) == expected


def test_every_formula_prefix_is_recognised():
    assert all(looks_like_formula(prefix + "1") for prefix in FORMULA_PREFIXES)
    assert not looks_like_formula("1=1") and not looks_like_formula(1)


def test_annex_4_has_the_title_the_unit_and_date_line_the_eleven_columns_and_the_notes():
    sheet, count, _data = summary_sheet([applicant()], unit_name="西湖区总工会")
    assert count == 1
    assert sheet["A1"].value == "2022年度杭州市职工高技能人才奖励人员汇总表"
    assert sheet["A2"].value == "填报单位：（盖章）西湖区总工会"
    assert "年" in sheet["F2"].value and "月" in sheet["F2"].value and sheet["F2"].value.endswith("日")
    assert row_values(sheet, 3) == ANNEX_4_COLUMNS
    assert row_values(sheet, 5)[0].startswith("注：1. 该表仅单位统一申报时需要填写")
    assert "必须建立工会组织" in row_values(sheet, 6)[0]
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert {"A1:K1", "A5:K5", "A6:K6"} <= merged


def test_annex_4_rows_are_numbered_from_one_in_column_order():
    people = [applicant(name="张伟"), applicant(name="李娜", gender="female", id_number=ID_ENDING_IN_X)]
    sheet, count, _data = summary_sheet(people)
    assert count == 2
    assert row_values(sheet, 4) == [
        1,
        "张伟",
        "男",
        "杭州测试精工有限公司",
        ID_18_DIGITS,
        "车工",
        "技师",
        "S000000000001",
        "13800001111",
        CARD_19_DIGITS,
        "中国工商银行杭州西湖支行",
    ]
    assert row_values(sheet, 5)[:3] == [2, "李娜", "女"]


def test_id_bank_card_and_mobile_numbers_are_text_to_the_last_digit():
    sheet, _count, _data = summary_sheet([applicant(), applicant(id_number=ID_ENDING_IN_X, mobile="13900002222")])
    for row, id_number in ((4, ID_18_DIGITS), (5, ID_ENDING_IN_X)):
        id_cell, mobile, card = sheet.cell(row, 5), sheet.cell(row, 9), sheet.cell(row, 10)
        assert id_cell.value == id_number and id_cell.data_type == "s" and id_cell.number_format == "@"
        assert card.value == CARD_19_DIGITS and card.data_type == "s" and card.number_format == "@"
        assert isinstance(mobile.value, str) and mobile.number_format == "@"
    assert sheet.column_dimensions["E"].width >= 18 and sheet.column_dimensions["J"].width >= 19


def test_an_identifier_given_as_a_number_is_still_written_as_exact_text():
    sheet, _count, _data = summary_sheet([applicant(bank_card=6222021202000000123, mobile=13800001111)])
    assert sheet["J4"].value == CARD_19_DIGITS and sheet["J4"].data_type == "s"
    assert sheet["I4"].value == "13800001111"


def test_formula_like_values_are_shown_as_typed_and_never_formulas():
    person = applicant(
        name="=1+1", mobile="+8613800001111", employer="@SUM(A1)", certificate_number="-2", bank_branch="=HYPERLINK(1)"
    )
    sheet, _count, data = summary_sheet([person], unit_name="=cmd|' /C calc'!A0")
    assert [sheet["B4"].value, sheet["I4"].value, sheet["D4"].value, sheet["H4"].value] == [
        "=1+1",
        "+8613800001111",
        "@SUM(A1)",
        "-2",
    ]
    for ref in ("B4", "I4", "D4", "H4", "K4"):
        assert sheet[ref].data_type == "s" and sheet[ref].quotePrefix, ref
    assert not [cell.coordinate for cell in all_cells(sheet) if cell.data_type == "f"]
    assert b"<f>" not in data and b"<f " not in data  # no formula element anywhere in the file
    assert sheet["A2"].data_type == "s"


def test_every_table_prints_on_a4_landscape_one_page_wide_with_the_header_repeated():
    sheet, _count, _data = summary_sheet([applicant()], exported="导出：2022-12-01 10:00 t-xihu")
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_margins.left == pytest.approx(0.4) and sheet.page_margins.top == pytest.approx(0.6)
    assert sheet.print_options.horizontalCentered
    assert sheet.freeze_panes == "A4"
    assert "&P" in sheet.oddFooter.center.text and "t-xihu" in sheet.oddFooter.left.text


def test_the_blank_annex_4_has_ruled_empty_rows_and_identifier_columns_formatted_as_text():
    sheet, count, _data = summary_sheet(blank=True)
    assert count == 0
    assert sheet["A2"].value == "填报单位：（盖章）"
    blank_rows = range(4, 4 + annex_tables.BLANK_SUMMARY_ROWS)
    assert all(sheet.cell(row, 5).value is None and sheet.cell(row, 5).border.left.style for row in blank_rows)
    # What a unit types later into these columns stays text, so Excel cannot round an ID number.
    assert sheet.cell(4, 5).number_format == "@" and sheet.cell(4, 10).number_format == "@"
    assert row_values(sheet, 4 + annex_tables.BLANK_SUMMARY_ROWS)[0].startswith("注：1.")


def test_the_blank_annex_4_is_accepted_by_the_summary_table_import():
    _sheet, _count, data = summary_sheet(blank=True)
    table = parse_summary_table(data)
    assert table.header_row == 3 and table.rows == []
    assert set(table.columns) >= {"name", "id_number", "mobile", "bank_card", "bank_branch"}


def test_a_filled_annex_4_reads_back_with_the_exact_values():
    _sheet, _count, data = summary_sheet([applicant(id_number=ID_ENDING_IN_X)])
    (row,) = parse_summary_table(data).rows
    assert row.cells["id_number"] == ID_ENDING_IN_X and row.cells["bank_card"] == CARD_19_DIGITS
    assert row.cells["mobile"] == "13800001111" and row.cells["name"] == "张伟"


def test_the_city_wide_export_names_each_rows_unit_in_a_last_column():
    sheet, _count, _data = summary_sheet([applicant()], with_unit_column=True, unit_name="全部审核单位")
    assert row_values(sheet, 3) == [*ANNEX_4_COLUMNS, "所属区县市（产业）工会"]
    assert sheet["L4"].value == "西湖区总工会"


def test_a_demo_campaign_is_marked_in_the_title():
    out = io.BytesIO()
    annex_tables.write_summary_table(out, SimpleNamespace(year=2026, is_demo=True), blank=True)
    assert load_workbook(out).active["A1"].value == "2026年度杭州市职工高技能人才奖励人员汇总表（演示）"


def test_rows_are_consumed_once_from_any_iterable():
    consumed = []

    def rows():
        for number in range(1, 1001):
            consumed.append(number)
            yield [number, f"单位{number}"]

    layout = annex_tables.Layout(
        sheet_name="测试",
        title="测试",
        columns=(annex_tables.Column("序号", 6), annex_tables.Column("名称", 10)),
    )
    out = io.BytesIO()
    assert write_table(out, layout, rows()) == 1000 and len(consumed) == 1000
    sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    assert [row for row in sheet.iter_rows(min_row=1003, values_only=True)] == [(1000, "单位1000")]


def test_the_quota_table_shows_counts_a_share_and_a_bold_total():
    unit_rows = [
        SimpleNamespace(unit_name="工业工会", guidance=450, submitted=9, unit_approved=6, approved=3, paid=1),
        SimpleNamespace(unit_name="新单位", guidance=0, submitted=2, unit_approved=0, approved=0, paid=0),
    ]
    total = SimpleNamespace(unit_name="合计", guidance=450, submitted=11, unit_approved=6, approved=3, paid=1)
    out = io.BytesIO()
    annex_tables.write_quota_table(out, CAMPAIGN, unit_rows, total, datetime.datetime(2022, 12, 1, 10, 0))
    sheet = load_workbook(out).active
    assert sheet["A1"].value == "2022年杭州市职工高技能人才奖励工作任务分解表"
    assert sheet["D2"].value == "统计时间：2022年12月01日 10:00"
    assert row_values(sheet, 3)[:2] == ["系统", "高技能人才奖励指导数（上不封顶）"]
    assert row_values(sheet, 4) == ["工业工会", 450, 9, 6, 3, 1, pytest.approx(0.02)]
    assert row_values(sheet, 5) == ["新单位", 0, 2, 0, 0, 0, None]
    assert row_values(sheet, 6)[:6] == ["合计", 450, 11, 6, 3, 1] and sheet["A6"].font.b
    assert sheet["G4"].number_format == "0.0%"


# `write_table` writes the rows below the header itself (`spreadsheets._Rows`), for speed. The file
# must be what XlsxWriter makes of the same table through its public methods alone
# (`xlsxwriter_reference`, which is `write_table` as it was before). A new XlsxWriter that changes
# its XML or the internals `_Rows` uses fails here.


def file_parts(data):
    """Each part of an .xlsx by name, but the creation time in docProps/core.xml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    times = rb"<dcterms:(created|modified)[^<]*</dcterms:\w+>"
    parts["docProps/core.xml"] = re.sub(times, b"", parts["docProps/core.xml"])
    return parts


EVERY_KIND_OF_CELL = [
    [
        1,
        "张伟",
        "male",
        "杭州测试精工",
        ID_18_DIGITS,
        "车工",
        "技师",
        "S000000000001",
        "13800001111",
        CARD_19_DIGITS,
        "工行",
    ],
    [2, "=1+1", "", None, 330106198805170012, " 前后有空格 ", "A & B <c>", "_x0041_", "\t制表", "+86", "-2", "多余"],
    [3, "换行\n文字", True, False, 1.5, "a\x01b\x1fc", "\ufffe", "\r回车", "@x", " ", "x" * 40000],
    [4.25, -7, 0, "'引号", '"双引号"', "😀表情", "_x00zz_", "尾随空格 ", "y" * 32766 + "😀后"],
    [],
]


@pytest.mark.parametrize(
    "table",
    ["filled", "city-wide", "blank", "empty", "quota"],
)
def test_every_table_is_byte_for_byte_what_xlsxwriter_writes_through_its_own_methods(table):
    exported = "导出：2022-12-01 10:00 t-xihu"
    total = None
    if table == "quota":
        layout = annex_tables.quota_layout(CAMPAIGN, datetime.datetime(2022, 12, 1, 10, 0))
        rows = [["工业工会", 450, 9, 6, 3, 1, 0.02], ["新单位", 0, 2, 0, 0, 0, None]]
        total = ["合计", 450, 11, 6, 3, 1, 0.0244]
    elif table == "blank":
        layout, rows = annex_tables.summary_layout(CAMPAIGN, "", blank=True), []
    else:
        city_wide = table == "city-wide"
        layout = annex_tables.summary_layout(CAMPAIGN, "西湖区总工会", with_unit_column=city_wide, exported=exported)
        rows = [] if table == "empty" else EVERY_KIND_OF_CELL * 40
    ours, reference = io.BytesIO(), io.BytesIO()
    write_table(ours, layout, iter(rows), total=total)
    xlsxwriter_reference.write_table(reference, layout, rows, total=total)
    ours, reference = file_parts(ours.getvalue()), file_parts(reference.getvalue())
    assert ours.keys() == reference.keys()
    for name in reference:
        assert ours[name] == reference[name], name


def test_a_row_past_excels_last_is_refused_not_dropped():
    layout = annex_tables.Layout(sheet_name="测试", title="测试", columns=(annex_tables.Column("序号", 6),))
    with pytest.raises(ValueError, match="1048576"):
        write_table(io.BytesIO(), layout, ([n] for n in range(1_048_576)))
