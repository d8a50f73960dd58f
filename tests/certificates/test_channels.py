"""The issuer in the unit channel (paper entry, Annex 4 import) and the demo's three results."""

import io
from io import StringIO

import pytest
from django.core.management import call_command

from applications.models import Application, Campaign, Certificate, CertificateCheck, RecognisedIssuer
from applications.unit_channel.annex4 import parse_summary_table, validate_rows
from tests.unit_channel.test_annex4_import import HEADER, person, run, workbook_bytes
from tests.unit_channel.test_paper_entry import _paper, _reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(campaign_2022):
    from applications.models import ReviewUnit
    from applications.programme.demo import ensure_demo_campaign
    from applications.programme.staff import create_staff

    unit = ReviewUnit.objects.get(name="西湖区总工会")
    user = create_staff("t-xihu-certs", "unit_reviewer", password="pw-for-tests", unit_name=unit.name)[0]
    return ensure_demo_campaign(campaign_2022), unit, user


def errors_of(results):
    return {(error.row, error.column): error.message for result in results for error in result.errors}


def test_annex4_rows_give_the_issuer_and_it_is_checked_per_row(setup):
    campaign, unit, _user = setup
    RecognisedIssuer.objects.create(campaign=campaign, issuer_type="enterprise", name="杭州示例机械有限公司")
    rows = [
        person(1, campaign, 发证机构类型="企业", 发证机构="杭州示例机械有限公司"),
        person(2, campaign, 发证机构类型="第三方", 发证机构="不在名单的评价机构"),
        person(3, campaign, 发证机构类型="学校", 发证机构="杭州某学校"),
        person(4, campaign, 发证机构类型=None, 发证机构=None),
        person(5, campaign, 发证机构类型="人社部门", 发证机构=None),
        person(6, campaign, 发证机构类型="人社部门", 发证机构="苏州市人力资源和社会保障局"),
    ]
    results = validate_rows(parse_summary_table(io.BytesIO(workbook_bytes(rows))), campaign, unit)
    found = errors_of(results)
    assert results[0].ok and results[0].values["certificate_issuer_type"] == "enterprise"
    assert "名单" in found[(5, "发证机构")]
    assert "不是发证机构类型" in found[(6, "发证机构类型")]
    assert "必须填写" in found[(7, "发证机构类型")]
    assert "必须填写" in found[(8, "发证机构")]
    assert "人社部门的名称" in found[(9, "发证机构")]


def test_an_annex4_file_without_the_issuer_columns_says_to_add_them(setup):
    campaign, unit, _user = setup
    header = [title for title in HEADER if title not in ("发证机构类型", "发证机构")]
    results = validate_rows(
        parse_summary_table(io.BytesIO(workbook_bytes([person(1, campaign)], header=header))), campaign, unit
    )
    assert "系统导入版" in errors_of(results)[(4, "发证机构类型")]


def test_an_imported_row_keeps_its_issuer_and_is_checked_against_the_register(setup):
    campaign, unit, user = setup
    values = person(1, campaign)
    Certificate.objects.create(
        number=values["证书编号"],
        name=values["姓名"],
        id_number=values["身份证号"],
        occupation="铣工",
        level=values["技术等级"],
        issued_on=values["发证时间"].date(),
        issuer=values["发证机构"],
    )
    _results, outcome = run(workbook_bytes([values]), campaign, unit, user)
    application = outcome.imported[0].application
    application.refresh_from_db()
    assert application.certificate_issuer == "杭州市人力资源和社会保障局"
    assert (application.certificate_check, application.certificate_differences) == ("differs", "职业")


def test_paper_entry_refuses_an_unlisted_enterprise_beside_the_field_keeping_what_was_typed(client, campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    campaign = ensure_demo_campaign(campaign_2022)
    _reviewer(client)
    data = _paper(campaign, certificate_issuer_type="enterprise", certificate_issuer="杭州无名有限公司")
    response = client.post("/admin/applications/enter/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "不在本年度企业名单中" in html
    assert 'value="杭州无名有限公司"' in html and not Application.objects.exists()


def test_load_demo_shows_each_of_the_three_results_and_runs_twice():
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", "--with-accounts", stdout=out)
    demo = Campaign.objects.get(is_demo=True)
    results = dict(
        Application.objects.filter(
            campaign=demo, unit__name="西湖区总工会", name__in=["陈静", "刘洋", "赵敏"]
        ).values_list("name", "certificate_check")
    )
    assert results == {
        "陈静": CertificateCheck.MATCH,
        "刘洋": CertificateCheck.DIFFERS,
        "赵敏": CertificateCheck.NOT_FOUND,
    }
    assert Application.objects.get(campaign=demo, name="刘洋").certificate_differences == "发证日期"
    assert Certificate.objects.count() == 4 and demo.recognised_issuers.count() == 2
    assert "证书核验" in out.getvalue()
