"""On a desktop, the city service center's trust screens as a person drives them in a real browser.

Maker-checker on money (a batch approved by a second account before its transfer file downloads; a
card correction confirmed by a second account), the member registry (masked ID numbers, one
recorded reveal, a changed mobile texted at both numbers), and paper entry with its file inputs
left empty: the replacement screen of the city service center and a unit reviewer's ordinary entry.
The live server runs in a thread of this process, so the `sms_file` fixture's settings reach it.
"""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from playwright.sync_api import expect
from stdnum import luhn

from applications.core.constants import ApplicationState as S
from applications.core.identity import gender_and_birth_date
from applications.members.directory import NOT_A_MEMBER
from applications.models import (
    Application,
    ApplicationEvent,
    Member,
    PaymentBatch,
    PersonalDataAccess,
    ReviewUnit,
    SkillLevel,
)
from applications.payments import service as payments
from applications.programme.demo import ensure_demo_campaign
from staff_auth.devices import issue_device
from tests.browser.conftest import browser_page
from tests.browser.test_review_flow import _sign_in
from tests.factories import ApplicationFactory, make_id_number, register_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_CARD = "621700123456789012" + luhn.calc_check_digit("621700123456789012")
PAPER_CARD = "6222021234567890128"


@pytest.fixture
def second_desktop(request, browser):
    """The second person's own browser."""
    with browser_page(request, browser, "desktop") as page:
        yield page


def _texts(sms_file):
    return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()] if sms_file.exists() else []


def _signed_in(page, live_server, user):
    _sign_in(page, live_server, user, issue_device(user))


def _menu(page, *names):
    """Open an item of Wagtail's sidebar (a group first, if given) as a person does."""
    for name in names:
        page.locator("#wagtail-sidebar").get_by_role("link", name=name, exact=True).or_(
            page.locator("#wagtail-sidebar").get_by_role("button", name=name, exact=True)
        ).click()


def _approved(campaign, amount, **fields):
    application = ApplicationFactory(
        campaign=campaign, state=S.APPROVED, unit=ReviewUnit.objects.get(name="西湖区总工会"), amount=amount, **fields
    )
    ApplicationEvent.objects.create(
        application=application, actor_label="市总工会", from_state=S.UNIT_APPROVED, to_state=S.APPROVED
    )
    return application


# Maker-checker on money.


def test_a_batch_needs_a_second_account_and_so_does_a_card_correction(
    desktop, second_desktop, live_server, campaign_2022, service_center, second_service_center, sms_file
):
    first = _approved(campaign_2022, 500, name="张三", mobile="13800007777")
    _approved(campaign_2022, 800, name="李四")
    maker, checker = desktop, second_desktop

    # A chooses all approved applications, checks the figures and creates the batch.
    _signed_in(maker, live_server, service_center)
    _menu(maker, "发放批次")
    maker.get_by_role("link", name="新建发放批次").click()
    maker.get_by_role("button", name="核对笔数和金额").click()
    expect(maker.get_by_role("heading", name="符合条件：2 份，合计 1300 元")).to_be_visible()
    maker.get_by_role("button", name="创建批次（2 份，1300 元）").click()
    batch = PaymentBatch.objects.get()
    expect(maker.get_by_text(f"已创建发放批次{batch.number}")).to_be_visible()

    # A cannot approve it, and there is nothing to export yet.
    approval = maker.locator(".payment-approval")
    expect(approval).to_contain_text("本批次由您创建，您不能复核")
    expect(approval.get_by_role("link", name="复核本批次")).to_have_count(0)
    expect(maker.get_by_role("button", name="导出转账文件")).to_have_count(0)

    # B, in a browser of their own, checks the count and total and approves.
    _signed_in(checker, live_server, second_service_center)
    _menu(checker, "发放批次")
    checker.get_by_role("link", name=batch.number).click()
    checker.get_by_role("link", name="复核本批次").click()
    expect(checker.get_by_role("heading", name=f"复核批次 {batch.number}：2 笔，合计 1300 元")).to_be_visible()
    expect(checker.locator(".payment-items tbody tr")).to_have_count(2)
    checker.get_by_role("button", name="复核通过（2 笔，1300 元）").click()
    expect(checker.get_by_text(f"批次{batch.number}已复核通过，可以导出转账文件。")).to_be_visible()

    # Now A's batch page offers the transfer file, and it downloads.
    maker.reload()
    with maker.expect_download() as download_info:
        maker.get_by_role("button", name="导出转账文件").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"transfer-{batch.number}-")
    with open(download.path(), "rb") as content:
        rows = list(load_workbook(content, read_only=True).active.iter_rows(values_only=True))
    assert sum(first.reference in row for row in rows) == 1
    assert any("李四" in row for row in rows)

    # The bank returns 张三's payment; A enters the corrected card from the review page, no note.
    result = f"申报编号,状态,原因\n{first.reference},失败,户名与卡号不符\n".encode()
    assert payments.import_bank_result(batch, SimpleUploadedFile("r.csv", result), service_center).ok
    maker.goto(live_server.url + f"/admin/applications/review/{first.pk}/")
    correct = maker.locator(".payment-correct-form")
    correct.get_by_label("新银行卡号").fill(NEW_CARD)
    correct.get_by_label("我已核对，卡号无误").check()
    expect(correct.get_by_label("说明（可不填，申请人可以看到）")).to_have_value("")
    correct.get_by_role("button", name="提交复核").click()
    expect(maker.get_by_text(f"{first.reference}：银行卡更正已提交")).to_be_visible()
    expect(maker.get_by_role("link", name="去复核")).to_have_count(0)
    first.refresh_from_db()
    assert first.state == S.PAYMENT_FAILED and first.bank_card != NEW_CARD

    # B confirms it from 银行卡更正复核.
    checker.goto(live_server.url + "/admin/")
    _menu(checker, "银行卡更正复核")
    checker.get_by_role("row").filter(has_text=first.reference).get_by_role("link", name="复核").click()
    expect(checker.locator(".payment-facts")).to_contain_text(NEW_CARD[-4:])
    expect(checker.locator(".payment-facts")).not_to_contain_text(NEW_CARD)
    checker.get_by_role("button", name="核对无误，确认生效").click()
    expect(checker.get_by_text(f"{first.reference}：银行卡更正已确认生效")).to_be_visible()

    first.refresh_from_db()
    assert (first.state, first.bank_card) == (S.APPROVED, NEW_CARD)
    told = [text["text"] for text in _texts(sms_file) if text["to"] == "13800007777"]
    assert "发放失败" in told[0] and f"尾号{NEW_CARD[-4:]}" in told[-1] and NEW_CARD not in told[-1]


# The member registry.


def test_the_service_center_adds_a_member_sees_the_id_masked_and_a_new_mobile_texts_both(
    desktop, live_server, service_center, sms_file
):
    page = desktop
    id_number = make_id_number(datetime.date(1988, 3, 4), seq=52)
    masked = id_number[:3] + "*" * 11 + id_number[-4:]
    _signed_in(page, live_server, service_center)
    _menu(page, "会员与短信", "工会会员")
    page.get_by_role("link", name=re.compile("添加")).first.click()

    # The optional fields (基层工会) stay empty.
    page.get_by_label(re.compile(r"^\s*姓名")).fill("周九")
    page.get_by_label(re.compile(r"^\s*身份证号码")).fill(id_number)
    page.get_by_label(re.compile(r"^\s*手机号码")).fill("13900001234")
    page.get_by_label(re.compile(r"^\s*所属工会")).select_option(label="西湖区总工会")
    page.get_by_label(re.compile(r"^\s*工作单位")).fill("杭州示例电梯有限公司")
    page.get_by_role("button", name="保存").click()

    row = page.get_by_role("row").filter(has_text="周九")
    expect(row).to_contain_text(masked)
    expect(page.locator("main")).not_to_contain_text(id_number)
    member = Member.objects.get(name="周九")
    assert (member.id_number, member.grassroots_union) == (id_number, "")

    # The edit screen shows it masked; 显示完整号码 shows it in that response only.
    row.get_by_role("link", name="周九").first.click()
    id_section = page.locator(".member-id-number")
    expect(id_section).to_contain_text(masked)
    expect(page.locator("body")).not_to_contain_text(id_number)
    id_section.get_by_role("button", name="显示完整号码").click()
    expect(id_section.locator(".revealed")).to_have_text(id_number)
    page.goto(page.url)
    expect(page.locator(".member-id-number")).to_contain_text(masked)
    expect(page.locator("body")).not_to_contain_text(id_number)
    assert PersonalDataAccess.objects.filter(member=member, what=PersonalDataAccess.What.ID_NUMBER).count() == 1

    # A new mobile saves, and both numbers are told.
    page.get_by_label(re.compile(r"^\s*手机号码")).fill("13900005678")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("row").filter(has_text="周九")).to_contain_text("139****5678")
    member.refresh_from_db()
    assert member.mobile == "13900005678"
    assert sorted(text["to"] for text in _texts(sms_file)) == ["13900001234", "13900005678"]


# Paper entry with the file inputs left empty.


def _fill_paper(page, campaign, *, unit, name, id_number, level):
    """The Annex 3 fields and the grassroots opinion; every scan's file input left empty."""
    form = page.locator("main form")
    unit_select = form.get_by_label(re.compile(r"^\s*所属区县市\(产业\)工会"))
    if unit:
        unit_select.select_option(label=unit)
    form.get_by_label(re.compile(r"^\s*姓名")).fill(name)
    form.get_by_label(re.compile(r"^\s*身份证号码")).fill(id_number)
    form.get_by_label(re.compile(r"^\s*学历")).select_option(label="高中、中专、技校")
    form.get_by_label(re.compile(r"^\s*申报奖励工种")).fill("焊工")
    form.get_by_label(re.compile(r"^\s*现晋升的技能等级")).select_option(label=level)
    form.get_by_label(re.compile(r"^\s*等级证书编号")).fill("P0007")
    form.get_by_label(re.compile(r"^\s*发证时间")).fill(campaign.window_start.isoformat())
    form.get_by_role("radio", name="人社部门", exact=True).check()
    form.get_by_label(re.compile(r"^\s*发证机构\s*\*?\s*$")).fill("西湖区人力资源和社会保障局")
    form.get_by_label(re.compile(r"^\s*手机号码")).fill("13900005555")
    form.get_by_label(re.compile(r"^\s*银行卡号")).fill(PAPER_CARD)
    form.get_by_label(re.compile(r"^\s*银行卡开户行")).fill("杭州银行西湖支行")
    form.get_by_label(re.compile(r"^\s*工作单位")).fill("杭州示例焊接有限公司")
    form.get_by_label(re.compile(r"^\s*基层工会\s*\*?\s*$")).fill("杭州示例焊接有限公司工会")
    form.get_by_role("radio", name="否").check()
    form.get_by_label(re.compile(r"^\s*基层工会意见")).fill("经核对，情况属实。")
    form.get_by_label(re.compile(r"已核对：申请人已在纸质申请表上签字同意")).check()
    # Each scan's label leads to its own file input (the card number's field has a name of its own),
    # and every file input is left empty: the browser still sends each as an empty part.
    for label in ("身份证正面", "身份证反面", "等级证书", "银行卡"):
        copy = form.get_by_label(re.compile(rf"^\s*{label}\s*$"))
        expect(copy).to_have_attribute("type", "file")
        expect(copy).to_have_value("")


@pytest.fixture
def demo(site_2022):
    return ensure_demo_campaign(site_2022[0])


def test_the_service_center_replaces_a_live_application_without_scans(desktop, live_server, demo, service_center):
    page = desktop
    live = ApplicationFactory(
        campaign=demo,
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
        new_level=SkillLevel.objects.get(code="senior_worker"),
        state=S.SUBMITTED,
    )
    register_member(live.name, live.id_number)
    _signed_in(page, live_server, service_center)
    _menu(page, "以更高等级取代申报")
    _fill_paper(page, demo, unit="拱墅区总工会", name=live.name, id_number=live.id_number, level="高级技师")
    page.get_by_role("button", name="查找原申报").click()

    # The live application is shown; nothing is replaced until it is confirmed with a reason.
    existing = page.locator("section[aria-labelledby=existing-heading]")
    expect(existing).to_contain_text(live.reference)
    expect(existing).to_contain_text("西湖区总工会")
    assert Application.objects.filter(campaign=demo).count() == 1
    page.get_by_role("checkbox", name="以更高等级取代原申报").check()
    page.get_by_label(re.compile(r"^\s*取代理由")).fill("申请人持高级技师证书来中心办理。")
    page.get_by_role("button", name="以更高等级取代原申报").click()

    expect(page.get_by_text(f"取代原申报 {live.reference}")).to_be_visible()
    new = Application.objects.exclude(pk=live.pk).get(campaign=demo)
    assert (new.unit.name, new.new_level.code, new.state, new.bank_card) == (
        "拱墅区总工会",
        "senior_technician",
        S.SUBMITTED,
        PAPER_CARD,
    )
    assert not new.attachments.exists()
    live.refresh_from_db()
    assert live.state == S.WITHDRAWN


def test_a_unit_reviewer_enters_a_paper_application_without_copies(desktop, live_server, demo, reviewer):
    page = desktop
    id_number = make_id_number(datetime.date(1979, 9, 9), seq=71)
    register_member("陈七", id_number)
    _signed_in(page, live_server, reviewer)
    _menu(page, "录入纸质申请表")
    _fill_paper(page, demo, unit=None, name="陈七", id_number=id_number, level="高级技师")
    page.get_by_role("button", name="录入并提交市总工会").click()

    application = Application.objects.get(campaign=demo, name="陈七")
    expect(page.get_by_text(f"已录入 {application.reference}（陈七）")).to_be_visible()
    assert (application.state, application.bank_card, application.gender) == (
        S.UNIT_APPROVED,
        PAPER_CARD,
        gender_and_birth_date(id_number)[0],
    )
    assert not application.attachments.exists()


def test_a_unit_reviewer_cannot_enter_a_person_the_member_registry_does_not_hold(desktop, live_server, demo, reviewer):
    page = desktop
    id_number = make_id_number(datetime.date(1979, 9, 9), seq=72)
    _signed_in(page, live_server, reviewer)
    _menu(page, "录入纸质申请表")
    _fill_paper(page, demo, unit=None, name="陈八", id_number=id_number, level="高级技师")
    page.get_by_role("button", name="录入并提交市总工会").click()

    expect(page.get_by_text(NOT_A_MEMBER)).to_be_visible()
    assert not Application.objects.filter(campaign=demo).exists()
