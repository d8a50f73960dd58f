"""上年度记录: import_history (.xlsx/.csv), its row errors, re-imports, the admin upload and who may see it."""

import csv
import datetime
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from applications.core.crypto import keyed_hash
from applications.models import HistoryImport, PreviousApplicant
from applications.programme.history_import import HistoryImportError, import_history
from tests.factories import make_id_number
from tests.members.test_members import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "技能等级", "结果", "所属工会"]
ID_A = make_id_number(datetime.date(1980, 3, 3), 31)
ID_B = make_id_number(datetime.date(1986, 7, 8), 42)
ID_C = make_id_number(datetime.date(1991, 12, 1), 53)
ROWS = [
    ["赵一", ID_A, "技师", "已奖励", "西湖区总工会"],
    ["钱二", ID_B, "高级工", "未通过", "工业工会"],
    [" 孙三 ", ID_C.lower(), "高级技师", "已发放", "萧山区总工会"],
]
UPLOAD = "/admin/applications/history/upload/"


def _import(tmp_path, rows, name="history-2021.csv", year=2021, **kwargs):
    writer = write_xlsx if name.endswith(".xlsx") else write_csv
    return import_history(writer(tmp_path / name, rows, header=HEADER), year=year, **kwargs)


@pytest.mark.parametrize("name", ["history-2021.csv", "history-2021.xlsx"])
def test_a_good_file_is_stored_with_its_year_and_source(tmp_path, name):
    report = _import(tmp_path, ROWS, name=name)
    assert (report.created, report.replaced, report.skipped, report.errors) == (3, 0, 0, [])
    batch = HistoryImport.objects.get()
    assert (batch.year, batch.source, batch.row_count) == (2021, name, 3)
    sun = PreviousApplicant.objects.get(id_hash=keyed_hash(ID_C))
    assert (sun.name, sun.id_number, sun.level.code, sun.result, sun.union, sun.year) == (
        "孙三",
        ID_C,
        "senior_technician",
        "rewarded",
        "萧山区总工会",
        2021,
    )
    assert PreviousApplicant.objects.get(id_hash=keyed_hash(ID_B)).get_result_display() == "未获奖励"


def test_id_numbers_are_encrypted_at_rest(tmp_path):
    _import(tmp_path, ROWS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM applications_previousapplicant")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and not any(number in value for value in stored for number in (ID_A, ID_B, ID_C))


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (["赵一", "330106198003030319", "技师", "已奖励", "西湖区总工会"], "身份证号码", "校验位不正确"),
        (["赵一", 330106198003030310, "技师", "已奖励", "西湖区总工会"], "身份证号码", "存成了数字"),
        (["赵一", ID_A, "大师", "已奖励", "西湖区总工会"], "技能等级", "“大师”不是技能等级名称"),
        (["赵一", ID_A, "技师", "还行", "西湖区总工会"], "结果", "“还行”不是可识别的结果"),
        (["", ID_A, "技师", "已奖励", "西湖区总工会"], "姓名", "必须填写"),
        (["赵一", ID_A, "技师", "已奖励", ""], "所属工会", "必须填写"),
        (['=HYPERLINK("http://x")', ID_A, "技师", "已奖励", "西湖区总工会"], "姓名", "像是公式"),
        (["赵一", ID_A, "技师", "@SUM(1)", "西湖区总工会"], "结果", "像是公式"),
        (["赵一", ID_A, "技师", "已奖励", "+西湖区总工会"], "所属工会", "像是公式"),
    ],
    ids=["checksum", "number", "unknown-level", "unknown-result", "no-name", "no-union", "formula", "at", "plus"],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(tmp_path, row, column, message):
    report = _import(tmp_path, [ROWS[1], row], name="history.xlsx")
    assert report.stopped and report.created == 0
    assert [(error.row, error.column) for error in report.errors] == [(3, column)]
    assert message in report.errors[0].message
    assert str(report.errors[0]).startswith(f"第3行 {column}：")
    assert not PreviousApplicant.objects.exists() and not HistoryImport.objects.exists()


def test_a_formula_cell_in_an_xlsx_is_refused_not_evaluated(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["赵一", ID_A, "技师", '=IF(1,"已奖励","")', "西湖区总工会"])
    workbook.save(tmp_path / "f.xlsx")
    report = import_history(tmp_path / "f.xlsx", year=2021)
    assert report.stopped and "像是公式" in report.errors[0].message


def test_the_same_id_twice_in_a_file_flags_both_rows(tmp_path):
    report = _import(tmp_path, [ROWS[0], ROWS[1], ["赵一", ID_A, "技师", "已奖励", "西湖区总工会"]])
    assert report.stopped
    assert [(error.row, error.message) for error in report.errors] == [
        (2, "与第4行的身份证号码重复。"),
        (4, "与第2行的身份证号码重复。"),
    ]


def test_skip_invalid_imports_only_the_valid_rows(tmp_path):
    report = _import(tmp_path, [*ROWS, ["周四", "123", "技师", "已奖励", "西湖区总工会"]], skip_invalid=True)
    assert (report.stopped, report.created, report.skipped) == (False, 3, 1)
    assert PreviousApplicant.objects.count() == 3


def test_reimporting_the_same_file_for_the_same_year_replaces_its_rows(tmp_path):
    _import(tmp_path, ROWS)
    again = _import(tmp_path, ROWS[:2])
    assert (again.created, again.replaced) == (2, 3)
    assert PreviousApplicant.objects.filter(year=2021).count() == 2
    assert HistoryImport.objects.count() == 1
    other = _import(tmp_path, ROWS[2:], name="history-2021-xiaoshan.csv")
    assert (other.created, other.replaced) == (1, 0)
    assert PreviousApplicant.objects.filter(year=2021).count() == 3
    _import(tmp_path, ROWS, year=2020)  # the same file for another year is another list
    assert PreviousApplicant.objects.count() == 6


@pytest.mark.parametrize("year", ["1999", "abcd", str(datetime.date.today().year + 1)])
def test_a_year_out_of_range_is_refused(tmp_path, year):
    with pytest.raises(HistoryImportError, match="年度"):
        _import(tmp_path, ROWS, year=year)


def test_missing_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "h.csv", [row[:2] for row in ROWS], header=HEADER[:2])
    with pytest.raises(HistoryImportError, match="缺少列：技能等级、结果、所属工会"):
        import_history(path, year=2021)


def test_the_command_prints_a_summary_and_fails_listing_row_errors(tmp_path):
    out = StringIO()
    call_command(
        "import_history", str(write_csv(tmp_path / "h.csv", ROWS, header=HEADER)), "--year", "2021", stdout=out
    )
    assert "2021年度（来源 h.csv）新增 3" in out.getvalue()
    assert "命令行 import_history" in HistoryImport.objects.get().actor_label

    bad = write_csv(tmp_path / "bad.csv", [ROWS[0], ["钱二", "123", "技师", "已奖励", "工业工会"]], header=HEADER)
    out = StringIO()
    with pytest.raises(CommandError, match="1行有错误"):
        call_command("import_history", str(bad), "--year", "2021", stdout=out)
    assert "第3行 身份证号码" in out.getvalue()
    call_command("import_history", str(bad), "--year", "2021", "--skip-invalid", stdout=StringIO())
    assert HistoryImport.objects.get(source="bad.csv").row_count == 1


# The admin: the city service center's alone.


def _csv_bytes(rows):
    out = StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode()


def _upload(client, rows, name="上年度名单.csv", year="2021", **extra):
    data = {"year": year, "file": SimpleUploadedFile(name, _csv_bytes(rows)), **extra}
    return client.post(UPLOAD, data)


def test_the_city_service_center_uploads_a_list_and_sees_it_masked(client, service_center):
    client.force_login(service_center)
    assert client.get("/admin/").content.decode().count(UPLOAD) >= 1  # in the menu
    response = _upload(client, ROWS)
    assert response.status_code == 302
    batch = HistoryImport.objects.get()
    assert (batch.source, batch.imported_by, batch.row_count) == ("上年度名单.csv", service_center, 3)
    html = client.get(UPLOAD).content.decode()
    assert "上年度名单.csv" in html
    html = client.get("/admin/applications/previousapplicant/").content.decode()
    assert "赵一" in html and ID_A not in html and f"330***********{ID_A[-4:]}" in html
    html = client.get("/admin/applications/previousapplicant/", {"q": ID_B}).content.decode()
    assert "钱二" in html and "赵一" not in html


def test_an_upload_with_bad_rows_lists_them_and_imports_nothing(client, service_center):
    client.force_login(service_center)
    response = _upload(client, [ROWS[0], ["钱二", ID_B, "大师", "已奖励", "工业工会"]])
    html = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in html and "第3行" in html and "“大师”不是技能等级名称" in html
    assert 'value="2021"' in html  # the year typed is kept
    assert not PreviousApplicant.objects.exists()


def test_an_upload_without_a_year_says_so_beside_the_field(client, service_center):
    client.force_login(service_center)
    html = _upload(client, ROWS, year="").content.decode()
    assert "请填写名单所属的年度。" in html and not HistoryImport.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "editor", "economic"])
def test_nobody_else_may_upload_or_see_the_history(client, request, who, tmp_path):
    _import(tmp_path, ROWS)
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 403
    assert _upload(client, ROWS, name="other.csv").status_code == 403
    assert client.get("/admin/applications/previousapplicant/").status_code == 403
    assert client.get("/admin/applications/historyimport/").status_code == 403
    assert UPLOAD not in client.get("/admin/").content.decode()
    assert HistoryImport.objects.count() == 1


def test_the_permission_is_the_city_service_centers_alone(service_center, reviewer, editor, economic):
    assert service_center.has_perm("applications.import_history")
    assert not any(user.has_perm("applications.import_history") for user in (reviewer, editor, economic))
