"""Annex 3 as PDF: the blank form for everyone, the filled form only for the application's reviewers."""

import re
import subprocess

import pytest
from django.test import override_settings
from django.utils import timezone

from applications import checks
from applications.documents import pdf
from applications.models import PersonalDataAccess, ReviewUnit, SkillLevel
from applications.programme.staff import create_staff
from applications.review.workflow import take
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

ANNEX3_LABELS = [
    "附件3",
    "所属区县市(产业)工会",
    "填报日期",
    "姓名",
    "性别",
    "学历",
    "申报奖励工种",
    "原有最高技能等级",
    "原有技能等级取得时间",
    "现晋升的技能等级",
    "等级证书编号",
    "发证时间",
    "身份证号码",
    "手机号码",
    "银行卡号",
    "银行卡开户行",
    "工作单位",
    "是否外来务工人员",
    "户籍地",
    "来杭年限",
    "基层工会意见",
    "区县市产业工会意见",
    "市总工会意见",
    "备注：银行卡开户行请写至支行，例：××银行××支行。",
]


def _run(command, content, tmp_path, *after):
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return subprocess.run([*command, str(path), *after], capture_output=True, text=True, check=True).stdout


def pdf_text(content, tmp_path):
    """The PDF's text without any whitespace (pdftotext breaks lines inside narrow cells)."""
    return re.sub(r"\s+", "", _run(["pdftotext", "-enc", "UTF-8"], content, tmp_path, "-"))


def pdf_pages(content, tmp_path):
    return int(re.search(r"^Pages:\s+(\d+)", _run(["pdfinfo"], content, tmp_path), re.M).group(1))


def staff(username, role, unit=None):
    return create_staff(username, role, password="pw-for-tests", unit_name=unit)[0]


@pytest.fixture
def other_reviewer(site_2022):
    return staff("t-shangcheng", "unit_reviewer", "上城区总工会")


@pytest.fixture
def reviewed(campaign_2022, reviewer, service_center):
    """A 西湖区 application approved by its unit and by the city, with opinions on every level."""
    application = ApplicationFactory(
        campaign=campaign_2022,
        name="王建国",
        previous_level=SkillLevel.objects.get(code="senior_worker"),
        previous_level_obtained_on=campaign_2022.window_start.replace(year=campaign_2022.year - 4),
        bank_branch="中国工商银行杭州西湖支行",
        grassroots_union="杭州精工机械有限公司工会",
        grassroots_opinion="情况属实，同意推荐",
        is_migrant=True,
        hukou_place="安徽省阜阳市",
        years_in_hangzhou=6,
    )
    take("unit_approve", application, reviewer, "经审核符合条件，同意上报")
    return take("city_approve", application, service_center, "审核通过，准予发放")


def test_the_blank_form_has_every_annex3_label_in_the_annex_order(client, campaign_2022, tmp_path):
    response = client.get("/downloads/2022/application-form.pdf")

    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "2022年杭州市职工高技能人才奖励申请表" in text
    positions = [text.find(label) for label in ANNEX3_LABELS]
    assert -1 not in positions, [label for label in ANNEX3_LABELS if label not in text]
    assert positions == sorted(positions)
    assert text.count("盖章") == 3
    assert text.count("年月日") == 3


def test_the_blank_form_is_one_a4_page_with_the_cjk_font_embedded(client, campaign_2022, tmp_path):
    content = client.get("/downloads/2022/application-form.pdf").content

    info = _run(["pdfinfo"], content, tmp_path)
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.M)
    fonts = [line.split() for line in _run(["pdffonts"], content, tmp_path).splitlines()[2:]]
    assert fonts and all("CJK" in font[0] for font in fonts)
    assert all(font[-5] == "yes" for font in fonts)  # the "emb" column: every font is embedded


def test_the_blank_form_download_headers(client, campaign_2022):
    response = client.get("/downloads/2022/application-form.pdf")

    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="application-form-2022.pdf"; ')
    assert "filename*=UTF-8''2022%E5%B9%B4" in disposition  # 2022年…申请表.pdf, percent-encoded
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert client.get("/downloads/2022/application-form.pdf", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_an_unknown_year_is_404(client, campaign_2022):
    assert client.get("/downloads/1999/application-form.pdf").status_code == 404


def test_the_blank_form_is_rendered_once_then_served_from_the_cache(client, campaign_2022, monkeypatch):
    calls = []
    render = pdf.render_document
    monkeypatch.setattr(pdf, "render_document", lambda *args, **kwargs: calls.append(1) or render(*args, **kwargs))

    first = client.get("/downloads/2022/application-form.pdf").content
    second = client.get("/downloads/2022/application-form.pdf").content

    assert len(calls) == 1 and first == second


def test_the_filled_form_prints_every_value_with_full_numbers_and_the_opinions(client, reviewer, reviewed, tmp_path):
    client.force_login(reviewer)
    response = client.get(f"/admin/applications/review/{reviewed.pk}/form.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(f'inline; filename="application-form-{reviewed.reference}.pdf"')
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert pdf_pages(response.content, tmp_path) == 1
    text = pdf_text(response.content, tmp_path)
    today = timezone.localdate()
    for value in [
        "2022年杭州市职工高技能人才奖励申请表",
        "西湖区总工会",
        "王建国",
        reviewed.id_number,
        reviewed.bank_card,
        reviewed.mobile,
        reviewed.certificate_number,
        "中国工商银行杭州西湖支行",
        reviewed.employer,
        "技师",
        "高级工",
        "安徽省阜阳市",
        "情况属实，同意推荐",
        "经审核符合条件，同意上报",
        "审核通过，准予发放",
        f"{today.year}年{today.month}月{today.day}日",
        reviewed.reference,
    ]:
        assert value in text, value
    assert text.count(f"盖章：{today.year}年{today.month}月{today.day}日") == 2  # the unit's and the city's boxes


def test_a_filled_form_download_is_recorded(client, reviewer, reviewed):
    client.force_login(reviewer)
    client.get(f"/admin/applications/review/{reviewed.pk}/form.pdf")

    record = PersonalDataAccess.objects.get()
    assert (record.user, record.application, record.what) == (reviewer, reviewed, PersonalDataAccess.What.FORM_PDF)


def test_the_city_service_center_prints_any_units_form(client, service_center, reviewed):
    client.force_login(service_center)
    assert client.get(f"/admin/applications/review/{reviewed.pk}/form.pdf").status_code == 200


@pytest.mark.parametrize("who", ["other_reviewer", "editor", "economic"])
def test_anyone_else_gets_404_for_the_filled_form(client, reviewed, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(f"/admin/applications/review/{reviewed.pk}/form.pdf").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_and_never_get_the_form(client, reviewed):
    response = client.get(f"/admin/applications/review/{reviewed.pk}/form.pdf")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not PersonalDataAccess.objects.exists()


def test_the_review_page_links_to_the_filled_form(client, reviewer, reviewed):
    client.force_login(reviewer)
    page = client.get(f"/admin/applications/review/{reviewed.pk}/").content.decode()

    assert "打印材料" in page
    assert f'href="/admin/applications/review/{reviewed.pk}/form.pdf"' in page


def test_a_paper_application_shows_the_grassroots_opinion_once(campaign_2022, reviewer):
    application = ApplicationFactory(
        campaign=campaign_2022,
        channel="unit",
        state="unit_approved",
        grassroots_opinion="同意推荐",
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
    )
    application.events.create(actor=reviewer, actor_label="t-xihu", to_state="unit_approved", opinion="同意推荐")

    grassroots, unit, city = pdf.opinions_for(application, list(application.events.all()))

    assert (grassroots.text, unit.text, city.text) == ("同意推荐", "", "")
    assert unit.date == timezone.localdate() and city.date is None


def test_a_rejection_goes_in_the_box_of_the_level_that_rejected(campaign_2022, reviewer):
    application = ApplicationFactory(campaign=campaign_2022)
    take("unit_reject", application, reviewer, "证书发证时间不在范围内")

    _, unit, city = pdf.opinions_for(application, list(application.events.all()))

    assert unit.text == "未通过：证书发证时间不在范围内" and city.text == ""


def test_a_corrected_bank_card_leaves_the_citys_review_in_the_citys_box(campaign_2022, reviewer, service_center):
    application = ApplicationFactory(campaign=campaign_2022, state="payment_failed")
    application.events.create(actor=reviewer, actor_label="t-xihu", from_state="submitted", to_state="unit_approved")
    application.events.create(
        actor=service_center, actor_label="t-service", from_state="unit_approved", to_state="approved", opinion="同意"
    )
    application.events.create(actor_label="银行", from_state="approved", to_state="payment_failed", opinion="户名不符")
    application.events.create(
        actor=service_center,
        actor_label="t-service",
        from_state="payment_failed",
        to_state="approved",
        opinion="银行卡信息已更正",
    )

    _, _, city = pdf.opinions_for(application, list(application.events.all()))

    assert city.text == "同意"


def test_a_missing_font_fails_the_system_check_naming_the_debian_package():
    with override_settings(PDF_FONT_FAMILY="No Such CJK Font"):
        errors = checks.pdf_font_check()

    assert [error.id for error in errors] == ["applications.E001"]
    assert "No Such CJK Font" in errors[0].msg and "fonts-noto-cjk" in errors[0].msg


def test_the_installed_font_passes_the_system_check():
    assert checks.pdf_font_check() == []


def test_rendering_with_a_missing_font_raises_a_clear_error_instead_of_drawing_boxes(campaign_2022):
    with (
        override_settings(PDF_FONT_FAMILY="No Such CJK Font"),
        pytest.raises(pdf.FontMissingError, match="fonts-noto-cjk"),
    ):
        pdf.blank_form_pdf(campaign_2022)


def test_the_renderer_fetches_nothing_from_the_network():
    fetcher = pdf._assets(pdf.require_font()).fetcher

    for url in ["http://example.com/logo.png", "https://example.com/font.woff2", "file:///etc/passwd"]:
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
