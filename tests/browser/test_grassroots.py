"""A grassroots union online, in a real browser: its paper entry goes to its review unit, comes back with a
reason, is corrected and resubmitted, passes the unit and then the city; and a unit reviewer opens a
grassroots union's account, whose password and authenticator key work at once."""

import base64
import datetime
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from applications.core.constants import ApplicationState as S
from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from staff_auth.devices import issue_device
from tests.browser.conftest import browser_page
from tests.browser.test_review_flow import PASSWORD, _sign_in
from tests.factories import make_id_number, register_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GRASSROOTS = "杭州示例焊接有限公司工会"
CARD = "6222021234567890128"


@pytest.fixture
def demo(site_2022):
    return ensure_demo_campaign(site_2022[0])


def _account(username, role, unit=None, grassroots=None):
    user = create_staff(username, role, password=PASSWORD, unit_name=unit, grassroots_name=grassroots)[0]
    return user, issue_device(user)


def _menu(page, name):
    page.locator("#wagtail-sidebar").get_by_role("link", name=name, exact=True).click()


def _fill_paper(page, campaign, *, name, id_number):
    """The Annex 3 fields of a grassroots union's entry; its own name is fixed, the file inputs left empty."""
    form = page.locator("main form")
    form.get_by_label(re.compile(r"^\s*姓名")).fill(name)
    form.get_by_label(re.compile(r"^\s*身份证号码")).fill(id_number)
    form.get_by_label(re.compile(r"^\s*学历")).select_option(label="高中、中专、技校")
    form.get_by_label(re.compile(r"^\s*申报奖励工种")).fill("焊工")
    form.get_by_label(re.compile(r"^\s*现晋升的技能等级")).select_option(label="技师")
    form.get_by_label(re.compile(r"^\s*等级证书编号")).fill("P0007")
    form.get_by_label(re.compile(r"^\s*发证时间")).fill(campaign.window_start.isoformat())
    form.get_by_role("radio", name="人社部门", exact=True).check()
    form.get_by_label(re.compile(r"^\s*发证机构\s*\*?\s*$")).fill("杭州市人力资源和社会保障局")
    form.get_by_label(re.compile(r"^\s*手机号码")).fill("13900005555")
    form.get_by_label(re.compile(r"^\s*银行卡号")).fill(CARD)
    form.get_by_label(re.compile(r"^\s*银行卡开户行")).fill("杭州银行西湖支行")
    form.get_by_label(re.compile(r"^\s*工作单位")).fill("杭州示例焊接有限公司")
    expect(form.get_by_label(re.compile(r"^\s*基层工会\s*\*?\s*$"))).to_have_value(GRASSROOTS)
    expect(form.get_by_label(re.compile(r"^\s*基层工会\s*\*?\s*$"))).to_be_disabled()
    form.get_by_role("radio", name="否").check()
    form.get_by_label(re.compile(r"^\s*基层工会初审意见")).fill("经核对，情况属实，同意上报。")
    form.get_by_label(re.compile(r"已核对：申请人已在纸质申请表上签字同意")).check()


def _todo(page, label):
    page.goto(page.url.split("/admin/")[0] + "/admin/")
    page.locator(".todo-panel").get_by_role("link", name=re.compile(label)).click()


def _open(page, reference):
    page.get_by_role("row").filter(has_text=reference).get_by_role("link", name="审阅").click()
    expect(page.locator(".review-title")).to_contain_text(reference)


def test_a_grassroots_entry_is_sent_back_corrected_and_approved_by_the_unit_and_the_city(
    desktop, request, browser, live_server, demo
):
    page = desktop
    grassroots, grassroots_device = _account("t-jc", "grassroots_union", "西湖区总工会", GRASSROOTS)
    reviewer, reviewer_device = _account("t-xihu", "unit_reviewer", "西湖区总工会")
    city, city_device = _account("t-service", "city_service_center")
    id_number = make_id_number(datetime.date(1979, 9, 9), seq=71)
    register_member("陈七", id_number)

    # The grassroots union enters the paper form with its 初审 opinion, no copies.
    _sign_in(page, live_server, grassroots, grassroots_device)
    _menu(page, "录入纸质申请表")
    expect(page.get_by_role("heading", name=re.compile(GRASSROOTS))).to_be_visible()
    _fill_paper(page, demo, name="陈七", id_number=id_number)
    page.get_by_role("button", name="录入并提交西湖区总工会预审").click()
    application = Application.objects.get(campaign=demo, name="陈七")
    reference = application.reference
    expect(page.get_by_text(f"已录入 {reference}（陈七），已提交西湖区总工会预审。")).to_be_visible()
    expect(page.locator(".review-title .status-tag")).to_have_text("已提交，待审核单位预审")
    expect(page.get_by_role("button", name="预审通过")).to_have_count(0)

    # The unit's reviewer finds it on the home page's to-do panel and sends it back with a reason.
    with browser_page(request, browser, "desktop") as unit_page:
        _sign_in(unit_page, live_server, reviewer, reviewer_device)
        _todo(unit_page, "待预审 1 件")
        _open(unit_page, reference)
        expect(unit_page.locator(".review-history")).to_contain_text("经核对，情况属实，同意上报。")
        unit_page.get_by_role("button", name="退回基层工会").click()
        expect(unit_page.get_by_text("须填写原因")).to_be_visible()
        unit_page.get_by_label(re.compile("意见")).fill("证书编号与证书复印件不符，请核对。")
        unit_page.get_by_role("button", name="退回基层工会").click()
        expect(unit_page.locator(".review-title .status-tag")).to_have_text("退回基层工会修改")

        # The grassroots union corrects the number and resubmits it.
        _todo(page, "退回修改待重新提交 1 件")
        _open(page, reference)
        page.get_by_role("link", name="更正并重新提交").click()
        expect(page.get_by_text("证书编号与证书复印件不符，请核对。")).to_be_visible()
        form = page.locator("main form")
        expect(form.get_by_label(re.compile(r"^\s*姓名"))).to_have_value("陈七")
        form.get_by_label(re.compile(r"^\s*等级证书编号")).fill("P0008")
        page.get_by_role("button", name="更正并重新提交西湖区总工会预审").click()
        expect(page.get_by_text("请填写基层工会意见。")).to_be_visible()  # a new 初审 opinion is required
        expect(form.get_by_label(re.compile(r"^\s*等级证书编号"))).to_have_value("P0008")
        form.get_by_label(re.compile(r"^\s*基层工会初审意见")).fill("已核对更正，同意上报。")
        page.get_by_role("button", name="更正并重新提交西湖区总工会预审").click()
        expect(page.get_by_text(f"{reference}：已更正并重新提交西湖区总工会预审。")).to_be_visible()
        expect(page.locator(".review-title .status-tag")).to_have_text("已提交，待审核单位预审")

        # The unit approves it to the city.
        unit_page.reload()
        expect(unit_page.locator(".review-history")).to_contain_text("已核对更正，同意上报。")
        unit_page.get_by_label(re.compile("意见")).fill("同意推荐。")
        unit_page.get_by_role("button", name="预审通过").click()
        expect(unit_page.locator(".review-title .status-tag")).to_have_text("审核单位已通过，待市总工会审核")

    # The city service center approves it.
    with browser_page(request, browser, "desktop") as city_page:
        _sign_in(city_page, live_server, city, city_device)
        _todo(city_page, "待终审 1 件")
        _open(city_page, reference)
        city_page.get_by_role("button", name="审核通过").click()
        expect(city_page.locator(".review-title .status-tag")).to_have_text("市总工会已审核通过，待发放")

    application.refresh_from_db()
    assert (application.state, application.certificate_number, application.grassroots_union) == (
        S.APPROVED,
        "P0008",
        GRASSROOTS,
    )


def test_a_unit_reviewer_opens_a_grassroots_account_that_signs_in_at_once(desktop, request, browser, live_server, demo):
    page = desktop
    reviewer, device = _account("t-xihu", "unit_reviewer", "西湖区总工会")
    _sign_in(page, live_server, reviewer, device)
    _menu(page, "基层工会账号")
    page.get_by_role("button", name="开设账号").click()  # empty: told what is missing
    expect(page.get_by_text("请填写基层工会名称。")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*基层工会名称")).fill(GRASSROOTS)
    page.get_by_label(re.compile(r"^\s*用户名")).fill("jc-new")
    page.get_by_role("button", name="开设账号").click()  # the contact's name left empty
    expect(page.get_by_role("heading", name="已开设账号 jc-new")).to_be_visible()
    password = page.locator("#new-password").inner_text()
    key = page.locator("#new-otp-key").inner_text()
    expect(page.locator("main table").last).to_contain_text(GRASSROOTS)

    with browser_page(request, browser, "desktop") as new_page:
        new_page.goto(live_server.url + "/admin/login/")
        new_page.get_by_label(re.compile(r"^\s*用户名")).fill("jc-new")
        new_page.get_by_label(re.compile(r"^\s*密码")).fill(password)
        new_page.get_by_label("动态验证码").fill(f"{totp(base64.b32decode(key)):06d}")
        new_page.get_by_role("button", name="登录").click()
        expect(new_page).to_have_url(re.compile(r"/admin/$"))
        expect(new_page.locator(".todo-panel")).to_contain_text("退回修改待重新提交 0 件")


def test_a_grassroots_union_uploads_annex_4_for_its_units_pre_review(desktop, live_server, demo, tmp_path):
    from tests.unit_channel.test_annex4_import import HEADER, person, workbook_bytes

    page = desktop
    user, device = _account("t-jc", "grassroots_union", "西湖区总工会", GRASSROOTS)
    rows = [person(1, demo), person(2, demo, 基层工会="杭州别家公司工会")]
    table = tmp_path / "汇总表.xlsx"
    table.write_bytes(workbook_bytes(rows, [*HEADER, "基层工会"]))

    _sign_in(page, live_server, user, device)
    _menu(page, "导入汇总表(附件4)")
    field = page.get_by_label(re.compile(r"^\s*基层工会\s*\*?\s*$"))
    expect(field).to_have_value(GRASSROOTS)
    expect(field).to_be_disabled()
    page.get_by_label(re.compile(r"^\s*附件4汇总表")).set_input_files(str(table))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("请填写基层工会意见。")).to_be_visible()  # the opinion is required
    page.get_by_label(re.compile(r"^\s*附件4汇总表")).set_input_files(str(table))
    page.get_by_label(re.compile(r"^\s*基层工会初审意见")).fill("经核对，情况属实。")
    page.get_by_label(re.compile(r"已核对：表中每位申请人都已在纸质申请表上签字同意")).check()
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_text("“杭州别家公司工会”不是本基层工会")).to_be_visible()
    page.get_by_role("button", name="仅导入无误的 1 行").click()
    expect(page.get_by_text("已导入 1 份申报，已提交西湖区总工会预审。")).to_be_visible()
    imported = Application.objects.get(campaign=demo)
    assert (imported.name, imported.state, imported.grassroots_entry.name) == ("职工1", S.SUBMITTED, GRASSROOTS)
