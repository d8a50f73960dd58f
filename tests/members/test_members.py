"""The member registry: import from .xlsx/.csv, lookup of verified members, the admin list."""

import csv
import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from applications.core.crypto import keyed_hash
from applications.core.identity import validate_id_number
from applications.members.directory import LocalMemberDirectory, VerifiedMember, get_member_directory
from applications.members.imports import MemberImportError, import_members
from applications.models import Member
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "手机号码", "所属工会", "工作单位", "基层工会"]
ID_A = make_id_number(datetime.date(1990, 1, 1), 123)  # ends in X
ID_B = make_id_number(datetime.date(1985, 6, 30), 456)
ID_C = make_id_number(datetime.date(1978, 11, 2), 789)
GOOD_ROWS = [
    ["张三", ID_A, "13900000001", "西湖区总工会", "杭州西湖机械有限公司", "杭州西湖机械有限公司工会"],
    ["李四", ID_B, "13900000002", "工业工会", "杭州钢铁集团", ""],
    [" 王五 ", ID_C.lower(), "139 0000 0003", "萧山区总工会", "萧山纺织厂", "萧山纺织厂工会"],
]


def write_xlsx(path, rows, header=HEADER):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_ids_used_here_are_valid_and_one_ends_in_x():
    assert ID_A.endswith("X")
    for number in (ID_A, ID_B, ID_C):
        assert validate_id_number(number) == number


def test_good_xlsx_creates_verified_members(tmp_path):
    report = import_members(write_xlsx(tmp_path / "members.xlsx", GOOD_ROWS))

    assert (report.created, report.updated, report.skipped, report.errors) == (3, 0, 0, [])
    zhang = Member.objects.get(id_hash=keyed_hash(ID_A))
    assert zhang.id_number == ID_A
    assert (zhang.name, zhang.mobile, zhang.unit.name) == ("张三", "13900000001", "西湖区总工会")
    assert zhang.grassroots_union == "杭州西湖机械有限公司工会"
    wang = Member.objects.get(id_hash=keyed_hash(ID_C))
    assert (wang.name, wang.mobile, wang.id_number) == ("王五", "13900000003", ID_C)
    assert Member.objects.filter(is_verified=True).count() == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_good_csv_creates_members_whatever_the_encoding(tmp_path, encoding):
    report = import_members(write_csv(tmp_path / "members.csv", GOOD_ROWS, encoding=encoding))

    assert (report.created, report.errors) == (3, [])
    assert Member.objects.get(id_hash=keyed_hash(ID_B)).employer == "杭州钢铁集团"


def test_columns_may_come_in_any_order_and_a_file_object_works(tmp_path):
    order = [5, 4, 3, 2, 1, 0]
    path = write_csv(
        tmp_path / "m.csv", [[row[i] for i in order] for row in GOOD_ROWS], header=[HEADER[i] for i in order]
    )
    with open(path, "rb") as handle:
        report = import_members(handle)
    assert report.created == 3
    assert Member.objects.get(id_hash=keyed_hash(ID_A)).unit.name == "西湖区总工会"


def test_missing_columns_are_named(tmp_path):
    path = write_csv(tmp_path / "m.csv", [row[:3] for row in GOOD_ROWS], header=HEADER[:3])
    with pytest.raises(MemberImportError, match="缺少列：所属工会、工作单位、基层工会"):
        import_members(path)


def test_old_xls_files_are_refused_with_advice(tmp_path):
    path = tmp_path / "m.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(MemberImportError, match=r"另存为 \.xlsx 或 \.csv"):
        import_members(path)


def test_reimport_updates_members_without_duplicating_them(tmp_path):
    import_members(write_xlsx(tmp_path / "a.xlsx", GOOD_ROWS))
    again = import_members(write_xlsx(tmp_path / "b.xlsx", GOOD_ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    Member.objects.filter(id_hash=keyed_hash(ID_B)).update(is_verified=False)
    changed = [list(row) for row in GOOD_ROWS]
    changed[0][2] = "13700000009"
    report = import_members(write_xlsx(tmp_path / "c.xlsx", changed))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Member.objects.count() == 3
    assert Member.objects.get(id_hash=keyed_hash(ID_A)).mobile == "13700000009"
    assert Member.objects.get(id_hash=keyed_hash(ID_B)).is_verified


LOST_X = ID_A[:17]
BAD_CHECKSUM = ID_B[:17] + ("1" if ID_B[17] == "0" else "0")
# (row as written, expected (row number, column, part of the message))
BAD_ROWS = [
    (["赵六", make_id_number(datetime.date(1992, 3, 4), 11), "13900000010", "西湖区总工会", "甲公司", ""], None),
    (["钱七", BAD_CHECKSUM, "13900000011", "西湖区总工会", "甲公司", ""], (3, "身份证号码", "校验位不正确")),
    (["孙八", 1.10105194912310e17, "13900000012", "西湖区总工会", "甲公司", ""], (4, "身份证号码", "存成了数字")),
    (["周九", LOST_X, "13900000013", "西湖区总工会", "甲公司", ""], (5, "身份证号码", "末位 X")),
    (["吴十", ID_C, "1234567", "西湖区总工会", "甲公司", ""], (6, "手机号码", "不是有效的11位手机号码")),
    (["郑一", make_id_number(seq=21), "13900000015", "火星区总工会", "甲公司", ""], (7, "所属工会", "火星区总工会")),
    (["王二", make_id_number(seq=22), "13900000016", "西湖区总工会", "", ""], (8, "工作单位", "必须填写")),
    (["冯三", make_id_number(seq=23), "13900000017", "西湖区总工会", "乙公司", ""], (9, "身份证号码", "与第10行")),
    (["陈四", make_id_number(seq=23), "13900000018", "西湖区总工会", "乙公司", ""], (10, "身份证号码", "与第9行")),
    (["", make_id_number(seq=24), "13900000019", "西湖区总工会", "乙公司", ""], (11, "姓名", "必须填写")),
    (["褚五", "1.10105E+17", "13900000020", "西湖区总工会", "乙公司", ""], (12, "身份证号码", "科学计数法")),
]


def test_a_file_with_errors_imports_nothing_and_names_each_row(tmp_path):
    report = import_members(write_xlsx(tmp_path / "bad.xlsx", [row for row, _ in BAD_ROWS]))

    assert report.stopped
    assert Member.objects.count() == 0
    assert (report.created, report.updated, report.skipped) == (0, 0, 10)
    found = [(error.row, error.column, error.message) for error in report.errors]
    assert [f[:2] for f in found] == [expected[:2] for _, expected in BAD_ROWS if expected]
    for (row, column, message), (_, expected) in zip(found, [b for b in BAD_ROWS if b[1]], strict=True):
        assert expected[2] in message, (row, column, message)
    assert str(report.errors[0]).startswith("第3行 身份证号码：")


def test_skip_invalid_imports_only_the_valid_rows(tmp_path):
    report = import_members(write_xlsx(tmp_path / "bad.xlsx", [row for row, _ in BAD_ROWS]), skip_invalid=True)

    assert not report.stopped
    assert (report.created, report.skipped) == (1, 10)
    assert list(Member.objects.values_list("name", flat=True)) == ["赵六"]


def test_blank_rows_and_a_title_row_above_the_header_are_ignored(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2022年度实名认证会员名单"])
    sheet.append(HEADER)
    sheet.append(GOOD_ROWS[0])
    sheet.append([None] * 6)
    sheet.append(GOOD_ROWS[1])
    workbook.save(tmp_path / "t.xlsx")

    report = import_members(tmp_path / "t.xlsx")
    assert (report.created, report.errors) == (2, [])


def test_command_prints_a_summary(tmp_path):
    out = StringIO()
    call_command("import_members", str(write_xlsx(tmp_path / "m.xlsx", GOOD_ROWS)), stdout=out)
    assert "新增 3，更新 0，未变 0，跳过 0" in out.getvalue()


def test_command_fails_and_lists_errors_when_rows_are_bad(tmp_path):
    path = str(write_xlsx(tmp_path / "bad.xlsx", [row for row, _ in BAD_ROWS]))
    out = StringIO()
    with pytest.raises(CommandError, match=r"10行有错误.*未导入任何数据"):
        call_command("import_members", path, stdout=out)
    assert "第7行 所属工会：“火星区总工会”不是附件1中的工会名称" in out.getvalue()
    assert Member.objects.count() == 0

    out = StringIO()
    call_command("import_members", path, "--skip-invalid", stdout=out)
    assert "新增 1" in out.getvalue() and "跳过 10" in out.getvalue()
    assert "第3行 身份证号码" in out.getvalue()


def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_members", str(tmp_path / "none.csv"), stdout=StringIO())


@pytest.mark.parametrize(
    "value, message",
    [
        (make_id_number(datetime.date(1990, 2, 28), 5), None),
        ("", "必须填写"),
        (make_id_number(datetime.date(1990, 1, 1), 5)[:-1], "只有17位"),
        ("3301061990010100AB", "18位"),
        (330106199001011230.0, "存成了数字"),
        ("330106199001011000", "截断"),
    ],
)
def test_validate_id_number(value, message):
    if message is None:
        assert validate_id_number(value) == value
    else:
        with pytest.raises(ValidationError, match=message):
            validate_id_number(value)


def test_an_impossible_birth_date_is_refused():
    body = "33010619900230005"
    from stdnum.cn import ric

    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number(body + ric.calc_check_digit(body + "0"))


# Directory.


@pytest.mark.parametrize(
    "name, id_number, found",
    [
        ("张三", ID_A, True),
        ("  张三 ", ID_A.lower(), True),
        ("张三丰", ID_A, False),
        ("张", ID_A, False),
        ("张三", make_id_number(seq=999), False),
        ("李四", ID_B, False),  # not verified
        ("", ID_A, False),
        ("张三", "", False),
    ],
)
def test_local_directory_finds_only_verified_members_by_exact_name(name, id_number, found):
    MemberFactory(name="张三", id_number=ID_A, mobile="13900000001")
    MemberFactory(name="李四", id_number=ID_B, is_verified=False)

    member = LocalMemberDirectory().find_verified(name, id_number)

    if not found:
        assert member is None
    else:
        assert isinstance(member, VerifiedMember)
        assert (member.name, member.mobile, member.unit.name) == ("张三", "13900000001", "西湖区总工会")
        assert member.id_hash == keyed_hash(ID_A)
        assert not hasattr(member, "id_number")


class FakeDirectory(LocalMemberDirectory):
    pass


def test_directory_comes_from_settings(settings):
    assert type(get_member_directory()) is LocalMemberDirectory
    settings.MEMBER_DIRECTORY = "tests.members.test_members.FakeDirectory"
    assert type(get_member_directory()) is FakeDirectory


# Admin.


def test_member_list_masks_id_numbers_and_searches_by_exact_id(client, service_center):
    MemberFactory(name="张三", id_number=ID_A, mobile="13912345678")
    MemberFactory(name="李四", id_number=ID_B)
    client.force_login(service_center)

    html = client.get("/admin/applications/member/").content.decode()
    assert "张三" in html and "李四" in html
    assert ID_A not in html and "13912345678" not in html
    assert f"330***********{ID_A[-4:]}" in html and "139****5678" in html

    html = client.get("/admin/applications/member/", {"q": ID_A.lower()}).content.decode()
    assert "张三" in html and "李四" not in html
    html = client.get("/admin/applications/member/", {"q": "李"}).content.decode()
    assert "李四" in html and "张三" not in html


def test_member_create_form_checks_the_id_number(client, service_center):
    MemberFactory(name="张三", id_number=ID_A)
    client.force_login(service_center)
    from applications.models import ReviewUnit

    data = {
        "name": "李四",
        "id_number": BAD_CHECKSUM,
        "mobile": "13900000002",
        "unit": ReviewUnit.objects.get(name="工业工会").pk,
        "employer": "杭州钢铁集团",
        "grassroots_union": "",
        "is_verified": "on",
    }
    response = client.post("/admin/applications/member/create/", data)
    assert response.status_code == 200 and "校验位不正确" in response.content.decode()
    response = client.post("/admin/applications/member/create/", {**data, "id_number": ID_A})
    assert "该身份证号码已登记" in response.content.decode()
    response = client.post("/admin/applications/member/create/", {**data, "id_number": ID_B})
    assert response.status_code == 302
    assert Member.objects.get(id_hash=keyed_hash(ID_B)).name == "李四"
