"""The Excel downloads: blank Annex 4 and Annex 1 with live counts (public), the filled Annex 4 (reviewers)."""

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from applications.core.constants import ApplicationState as S
from applications.documents import annex_tables
from applications.documents.spreadsheets import XLSX_CONTENT_TYPE
from applications.models import Application, PersonalDataAccess, ReviewUnit
from applications.programme.staff import create_staff
from tests.factories import ApplicationFactory
from tests.layouts import ANNEX_4_COLUMNS

pytestmark = pytest.mark.django_db

SUMMARY = "/downloads/2022/summary-table.xlsx"
QUOTA = "/downloads/2022/quota-table.xlsx"
EXPORT = "/admin/exports/summary-table.xlsx"
EXPORT_PAGE = "/admin/exports/summary-table/"
ANNEX_1 = [
    ("工业工会", 450),
    ("旅贸工会", 400),
    ("建设工会", 450),
    ("经信工会", 100),
    ("金融工会", 10),
    ("宣文卫工会", 20),
    ("教育工会", 20),
    ("发改农林工会", 20),
    ("政法工会", 20),
    ("市级机关工会", 10),
    ("上城区总工会", 600),
    ("拱墅区总工会", 600),
    ("西湖区总工会", 400),
    ("滨江区总工会", 600),
    ("萧山区总工会", 900),
    ("余杭区总工会", 600),
    ("临平区总工会", 400),
    ("钱塘区总工会", 1000),
    ("富阳区总工会", 500),
    ("临安区总工会", 600),
    ("桐庐县总工会", 100),
    ("淳安县总工会", 100),
    ("建德市总工会", 100),
]
ID_ENDING_IN_X = "33010619880517008X"
ID_18_DIGITS = "330106198805170012"


def workbook_sheet(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(data)).active


def data_rows(sheet, width=11):
    """The rows between the header (row 3) and the notes, as lists of `width` values."""
    rows = []
    for row in sheet.iter_rows(min_row=4, max_col=width, values_only=True):
        if isinstance(row[0], str) and row[0].startswith(("注", "\u3000")):
            break
        rows.append(list(row))
    return rows


def unit(name):
    return ReviewUnit.objects.get(name=name)


@pytest.fixture
def applications(campaign_2022):
    """Three live and one rejected application in 西湖区, one approved in 拱墅区, in the 2022 campaign."""
    xihu = [
        ApplicationFactory(campaign=campaign_2022, state=S.SUBMITTED, name="西湖甲", id_number=ID_ENDING_IN_X),
        ApplicationFactory(campaign=campaign_2022, state=S.UNIT_APPROVED, name="=1+1", id_number=ID_18_DIGITS),
        ApplicationFactory(campaign=campaign_2022, state=S.PAID, name="西湖丙", mobile="13800009999"),
        ApplicationFactory(campaign=campaign_2022, state=S.REJECTED, name="西湖驳回"),
    ]
    gongshu = ApplicationFactory(campaign=campaign_2022, state=S.APPROVED, name="拱墅甲", unit=unit("拱墅区总工会"))
    return xihu, gongshu


def test_the_blank_summary_table_downloads_with_a_chinese_file_name(client, site_2022):
    response = client.get(SUMMARY)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename=\"summary-table-2022.xlsx\"; filename*=UTF-8''"
        + quote("2022年度杭州市职工高技能人才奖励人员汇总表.xlsx")
    )
    assert "max-age=3600" in response["Cache-Control"]
    sheet = workbook_sheet(response)
    assert sheet["A1"].value == "2022年度杭州市职工高技能人才奖励人员汇总表"
    assert sheet["A2"].value == "填报单位：（盖章）" and sheet["F2"].value.strip().endswith("日")
    assert [cell.value for cell in sheet[3]] == ANNEX_4_COLUMNS
    assert all(value is None for row in data_rows(sheet) for value in row)
    notes = [row[0] for row in sheet.iter_rows(min_row=4, max_col=1, values_only=True) if row[0]]
    assert notes[0].startswith("注：1. 该表仅单位统一申报时需要填写") and "必须建立工会组织" in notes[1]


@pytest.mark.parametrize("url", ["/downloads/1999/summary-table.xlsx", "/downloads/1999/quota-table.xlsx"])
def test_an_unknown_year_is_404(client, site_2022, url):
    assert client.get(url).status_code == 404


def test_the_quota_table_lists_the_units_in_annex_1_order_with_live_counts_and_the_total(client, applications):
    response = client.get(QUOTA)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "no-store" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert 'filename="quota-table-2022.xlsx"' in response["Content-Disposition"]
    assert quote("2022年杭州市职工高技能人才奖励工作任务分解表.xlsx") in response["Content-Disposition"]
    sheet = workbook_sheet(response)
    assert sheet["A1"].value == "2022年杭州市职工高技能人才奖励工作任务分解表"
    assert [cell.value for cell in sheet[3]][:6] == [
        "系统",
        "高技能人才奖励指导数（上不封顶）",
        "有效申报数",
        "审核单位已通过",
        "市总工会已审核通过",
        "已发放",
    ]
    rows = data_rows(sheet, width=7)
    units, total = rows[:-1], rows[-1]
    assert [(row[0], row[1]) for row in units] == ANNEX_1
    by_name = {row[0]: row for row in units}
    # submitted, unit-approved, approved, paid; the rejected one is not counted.
    assert by_name["西湖区总工会"][2:6] == [3, 2, 1, 1]
    assert by_name["西湖区总工会"][6] == pytest.approx(3 / 400)
    assert by_name["拱墅区总工会"][2:6] == [1, 1, 1, 0]
    assert by_name["工业工会"][2:7] == [0, 0, 0, 0, 0]
    assert total[0] == "合计" and total[1] == 8000
    assert total[1:6] == [sum(row[col] for row in units) for col in range(1, 6)] == [8000, 4, 3, 2, 1]
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert not texts & {"西湖甲", "=1+1", "西湖丙", "拱墅甲", ID_ENDING_IN_X, ID_18_DIGITS}


def test_a_unit_reviewer_exports_their_units_live_applications_with_exact_numbers(client, reviewer, applications):
    xihu, _gongshu = applications
    client.force_login(reviewer)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert quote("西湖区总工会") in response["Content-Disposition"]
    sheet = workbook_sheet(response)
    assert sheet["A2"].value == "填报单位：（盖章）西湖区总工会"
    assert [cell.value for cell in sheet[3]] == ANNEX_4_COLUMNS
    rows = data_rows(sheet)
    assert [row[0] for row in rows] == [1, 2, 3]
    assert [row[1] for row in rows] == ["西湖甲", "=1+1", "西湖丙"]
    assert [row[4] for row in rows] == [ID_ENDING_IN_X, ID_18_DIGITS, xihu[2].id_number]
    assert [row[9] for row in rows] == [application.bank_card for application in xihu[:3]]
    assert rows[2][8] == "13800009999"
    for row in range(4, 7):
        assert sheet.cell(row, 5).data_type == "s" and sheet.cell(row, 5).number_format == "@"
        assert sheet.cell(row, 10).data_type == "s" and sheet.cell(row, 10).number_format == "@"
    assert sheet["B5"].quotePrefix and sheet["B5"].data_type == "s"
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"


def test_each_export_is_recorded_for_the_auditors(client, reviewer, applications):
    client.force_login(reviewer)
    client.get(EXPORT)
    (record,) = PersonalDataAccess.objects.filter(what=PersonalDataAccess.What.EXPORT)
    assert record.user == reviewer and record.application is None
    assert record.detail.startswith("附件4汇总表 2022年度 西湖区总工会") and record.detail.endswith(" 3行")


def test_the_state_filter_picks_one_state_or_everything(client, reviewer, applications):
    client.force_login(reviewer)
    rejected = data_rows(workbook_sheet(client.get(EXPORT, {"state": S.REJECTED})))
    assert [row[1] for row in rejected] == ["西湖驳回"]
    everything = data_rows(workbook_sheet(client.get(EXPORT, {"state": "all"})))
    assert len(everything) == 4
    assert client.get(EXPORT, {"state": "no-such-state"}).status_code == 404


def test_a_unit_reviewer_asking_for_another_unit_gets_404_and_nothing_is_recorded(client, reviewer, applications):
    client.force_login(reviewer)
    assert client.get(EXPORT, {"unit": unit("拱墅区总工会").pk}).status_code == 404
    assert client.get(EXPORT, {"unit": "x"}).status_code == 404
    assert client.get(EXPORT, {"year": 1999}).status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_another_units_reviewer_sees_only_their_own_unit(client, applications):
    gongshu_reviewer = create_staff("t-gongshu", "unit_reviewer", password="pw-for-tests", unit_name="拱墅区总工会")[0]
    client.force_login(gongshu_reviewer)
    rows = data_rows(workbook_sheet(client.get(EXPORT)))
    assert [row[1] for row in rows] == ["拱墅甲"]
    assert client.get(EXPORT, {"unit": unit("西湖区总工会").pk}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, applications):
    for url in (EXPORT, EXPORT_PAGE):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("role", ["editor", "economic"])
def test_staff_without_review_rights_get_404(client, applications, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(EXPORT).status_code == 404
    assert client.get(EXPORT_PAGE).status_code == 404


def test_the_city_exports_every_unit_with_a_unit_column_or_chooses_one(client, service_center, applications):
    client.force_login(service_center)
    sheet = workbook_sheet(client.get(EXPORT))
    assert sheet["A2"].value == "填报单位：（盖章）全部审核单位"
    assert sheet["L3"].value == "所属区县市（产业）工会"
    rows = data_rows(sheet, width=12)
    # Annex 1 order: 拱墅区 comes before 西湖区.
    assert [(row[1], row[11]) for row in rows] == [
        ("拱墅甲", "拱墅区总工会"),
        ("西湖甲", "西湖区总工会"),
        ("=1+1", "西湖区总工会"),
        ("西湖丙", "西湖区总工会"),
    ]
    one = workbook_sheet(client.get(EXPORT, {"unit": unit("拱墅区总工会").pk}))
    assert one["A2"].value == "填报单位：（盖章）拱墅区总工会" and one["L3"].value is None
    assert [row[1] for row in data_rows(one)] == ["拱墅甲"]


def cells(sheet):
    """Every cell as Excel shows it: value, type, number format, quote prefix, bold, border, alignment."""
    return [
        (c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b, c.border.left.style, c.alignment.horizontal)
        for row in sheet.iter_rows()
        for c in row
    ]


@pytest.mark.parametrize("unit_name", [None, "西湖区总工会"])
def test_the_export_holds_the_cells_the_annex_4_writer_makes_of_the_applications(
    client, service_center, applications, campaign_2022, unit_name
):
    ApplicationFactory(campaign=campaign_2022, name="西湖丁", gender="female", certificate_number="-2")
    client.force_login(service_center)
    params = {"state": "all", **({"unit": unit(unit_name).pk} if unit_name else {})}
    exported = workbook_sheet(client.get(EXPORT, params))
    chosen = Application.objects.filter(**({"unit__name": unit_name} if unit_name else {}))
    out = io.BytesIO()
    annex_tables.write_summary_table(
        out,
        campaign_2022,
        chosen.order_by("unit__sort_order", "submitted_at", "pk"),
        unit_name=unit_name or "全部审核单位",
        with_unit_column=unit_name is None,
    )
    written = load_workbook(out).active
    assert cells(exported) == cells(written)
    assert ("女", "s") in [(value, kind) for value, kind, *_rest in cells(exported)]
    assert not [cell for cell in cells(exported) if cell[1] == "f"]


def test_the_export_page_offers_the_form_and_a_menu_item_to_reviewers(client, reviewer, editor, applications):
    client.force_login(reviewer)
    html = client.get(EXPORT_PAGE).content.decode()
    assert "当前有效申报 3 份" in html and 'action="/admin/exports/summary-table.xlsx"' in html
    assert "拱墅区总工会" not in html
    assert EXPORT_PAGE in client.get("/admin/").content.decode()
    client.force_login(editor)
    assert EXPORT_PAGE not in client.get("/admin/").content.decode()
