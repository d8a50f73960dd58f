"""import_certificates: the register from an .xlsx or .csv, row errors as the member import reports them."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from applications.certificates.imports import import_certificates
from applications.core.crypto import keyed_hash
from applications.models import Certificate, CertificateCheck
from tests.certificates.helpers import HR
from tests.factories import ApplicationFactory, make_id_number

pytestmark = pytest.mark.django_db

HEADER = ["证书编号", "姓名", "身份证号码", "职业(工种)", "等级", "发证日期", "发证机构"]


def row(n, **changes):
    values = {
        "证书编号": f"C2022{n:06d}",
        "姓名": f"持证人{n}",
        "身份证号码": make_id_number(datetime.date(1984, 2, 3), seq=n),
        "职业(工种)": "电工",
        "等级": "技师",
        "发证日期": datetime.datetime(2022, 3, n),
        "发证机构": HR,
    }
    return values | changes


def xlsx(rows, header=HEADER, title=True):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append(["证书库（人社部门提供）"])
    sheet.append(header)
    for values in rows:
        sheet.append([values.get(title) for title in header])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "certificates.xlsx"
    return out


def test_a_clean_file_fills_the_register_with_the_id_number_encrypted_and_hashed():
    report = import_certificates(xlsx([row(1), row(2, 发证日期="2022-04-05")]))
    assert (report.created, report.updated, report.stopped, report.errors) == (2, 0, False, [])
    stored = Certificate.objects.get(number="C2022000002")
    assert stored.issued_on == datetime.date(2022, 4, 5) and stored.level == "技师" and stored.issuer == HR
    assert stored.id_hash == keyed_hash(row(2)["身份证号码"])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM applications_certificate WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert row(2)["身份证号码"] not in raw  # encrypted at rest


def test_rows_with_errors_are_reported_by_row_and_column_and_nothing_is_written():
    rows = [
        row(1),
        row(2, 姓名=""),
        row(3, 身份证号码="330106198402030001"),
        row(4, 发证日期="2022年13月1日"),
        row(5, 证书编号="c2022 000001"),  # the same number as row 1 once spaces and case are ignored
        row(6, 发证机构=None, 等级=None),
    ]
    report = import_certificates(xlsx(rows))
    found = {(error.row, error.column): error.message for error in report.errors}
    assert report.stopped and not Certificate.objects.exists()
    assert found[(4, "姓名")] == "必须填写。"
    assert (5, "身份证号码") in found
    assert "不是存在的日期" in found[(6, "发证日期")]
    assert found[(3, "证书编号")] == "与第7行的证书编号重复。" and found[(7, "证书编号")] == "与第3行的证书编号重复。"
    assert found[(8, "等级")] == "必须填写。" and found[(8, "发证机构")] == "必须填写。"
    assert str(report.errors[0]).startswith("第3行 证书编号：")


def test_skip_invalid_imports_the_valid_rows():
    report = import_certificates(xlsx([row(1), row(2, 姓名="")]), skip_invalid=True)
    assert report.created == 1 and report.skipped == 1
    assert list(Certificate.objects.values_list("number", flat=True)) == ["C2022000001"]


def test_a_csv_in_gbk_is_read_too():
    text = ",".join(HEADER) + "\n" + ",".join(str(value) for value in row(1, 发证日期="2022-03-01").values()) + "\n"
    report = import_certificates(io.BytesIO(text.encode("gb18030")))
    assert report.created == 1 and Certificate.objects.get().name == "持证人1"


def test_a_file_without_a_column_is_refused_as_a_whole():
    from applications.certificates.imports import CertificateImportError

    with pytest.raises(CertificateImportError, match="缺少列：发证机构"):
        import_certificates(xlsx([row(1)], header=HEADER[:-1]))


def test_importing_again_updates_and_rechecks_the_applications_that_use_the_numbers(campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    campaign = ensure_demo_campaign(campaign_2022)
    values = row(1)
    application = ApplicationFactory(
        campaign=campaign,
        name=values["姓名"],
        id_number=values["身份证号码"],
        certificate_number="c2022 000001",
        occupation="电工",
        certificate_issued_on=datetime.date(2022, 3, 1),
        certificate_issuer_type="hr",
        certificate_issuer=HR,
        certificate_check=CertificateCheck.NOT_FOUND,
    )
    report = import_certificates(xlsx([values]))
    application.refresh_from_db()
    assert application.certificate_check == CertificateCheck.MATCH and report.checks["match"] == 1

    report = import_certificates(xlsx([row(1, 发证机构="西湖区人力资源和社会保障局", 等级="高级技师")]))
    application.refresh_from_db()
    assert report.updated == 1
    assert application.certificate_check == CertificateCheck.DIFFERS
    assert application.certificate_differences == "等级、发证机构"


def test_the_command_reports_row_errors_and_refuses(tmp_path, capsys):
    path = tmp_path / "certs.xlsx"
    path.write_bytes(xlsx([row(1, 身份证号码="123")]).getvalue())
    with pytest.raises(CommandError, match="1行有错误"):
        call_command("import_certificates", str(path))
    assert "第3行 身份证号码：" in capsys.readouterr().out


def test_the_command_imports_and_says_what_it_rechecked(tmp_path):
    path = tmp_path / "certs.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]).getvalue())
    out = io.StringIO()
    call_command("import_certificates", str(path), stdout=out)
    assert "新增 2" in out.getvalue() and "重新核验相关申报" in out.getvalue()
    assert Certificate.objects.count() == 2
