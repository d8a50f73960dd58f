"""On a phone, a verified member applies online from the home page and then looks the application up.

The one-time code is read from the `file` SMS backend; the live server runs in a thread of this
process, so the `settings` fixture reaches it.
"""

import json
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from applications.programme.demo import ensure_demo_campaign
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BANK_CARD = "6222021234567890128"  # passes the Luhn check
ATTACHMENT_LABELS = ("身份证正面", "身份证反面", "等级证书", "银行卡")


def _last_code(sms_file):
    lines = sms_file.read_text(encoding="utf-8").splitlines()
    text = json.loads(lines[-1])["text"]
    return re.search(r"\d{6}", text).group()


def _pngs(tmp_path):
    files = {}
    for label, color in zip(ATTACHMENT_LABELS, ("red", "green", "blue", "gray"), strict=True):
        path = tmp_path / f"{color}.png"
        Image.new("RGB", (40, 30), color).save(path, format="PNG")
        files[label] = path
    return files


def to_details(page, live_server, demo, member, sms_file):
    """Step 1 as a person goes through it (name and ID number, then the texted code), to the Annex 3 form."""
    page.goto(f"{live_server.url}/apply/{demo.year}/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("短信验证码").fill(_last_code(sms_file))
    page.get_by_role("button", name="下一步", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第二步：填写申请表")


def fill_annex3(page, demo, member, consent=True):
    """Step 2 as a person fills it: a technician's certificate from the window's first day, the separate
    consent to the sensitive data ticked (unless `consent` is False), then on to the copies."""
    page.get_by_label("所属区县市(产业)工会").select_option(label="西湖区总工会")
    page.get_by_label("学历").select_option(label="高中、中专、技校")
    page.get_by_label("申报奖励工种").fill("数控车工")
    page.get_by_label("现晋升的技能等级").select_option(label="技师")
    page.get_by_label("等级证书编号").fill("S000033010600123")
    page.get_by_label("发证时间").fill(demo.window_start.isoformat())
    page.get_by_role("radio", name="人社部门", exact=True).check()
    page.get_by_label(re.compile(r"^\s*发证机构\s*\*?\s*$")).fill("杭州市人力资源和社会保障局")
    page.get_by_label("手机号码").fill(member.mobile)
    page.get_by_label("银行卡号").fill(BANK_CARD)
    page.get_by_label("银行卡开户行").fill("中国工商银行杭州西湖支行")
    page.get_by_label("工作单位").fill(member.employer)
    page.get_by_label("基层工会").fill(member.grassroots_union)
    page.get_by_role("radio", name="否", exact=True).check()
    if consent:
        page.get_by_label(re.compile("我已阅读上述告知，同意处理本人的敏感个人信息")).check()
    page.get_by_role("button", name="下一步：上传材料").click()


def test_a_member_applies_on_a_phone_and_looks_the_application_up(phone, live_server, site_2022, sms_file, tmp_path):
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    assert demo is not None and demo.is_open
    member = MemberFactory()
    main = page.locator("main")

    # The home page's big task link, not the collapsed menu.
    page.goto(live_server.url + "/")
    main.get_by_role("link", name=re.compile(r"^网上申报")).click()
    expect(page).to_have_url(re.compile(rf"/apply/{demo.year}/$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("第一步：身份验证")

    # Step 1: name and ID number, then the code texted to the registered mobile.
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text(f"验证码已发送至尾号{member.mobile[-4:]}的手机")).to_be_visible()
    expect(page.get_by_role("heading", name="没有收到短信？")).to_be_visible()
    assert sms_file.exists(), "no text message was written to the SMS file"
    page.get_by_label("短信验证码").fill(_last_code(sms_file))
    page.get_by_role("button", name="下一步", exact=True).click()

    # Step 2: the Annex 3 form.
    expect(page.get_by_role("heading", level=2)).to_have_text("第二步：填写申请表")
    fill_annex3(page, demo, member)

    # Step 3: the four copies.
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    for label, path in _pngs(tmp_path).items():
        page.get_by_label(label).set_input_files(path)
    page.get_by_role("button", name="下一步：确认").click()

    # Step 4: the summary masks the card number; submit.
    expect(page.get_by_role("heading", level=2)).to_have_text("第四步：确认提交")
    summary = page.locator("dl.summary")
    expect(summary).to_contain_text("622************0128")
    expect(summary).not_to_contain_text(BANK_CARD)
    expect(summary).to_contain_text("身份证正面、身份证反面、等级证书、银行卡")
    page.get_by_role("button", name="确认提交").click()

    # Done: the reference and the query password, shown once.
    expect(page).to_have_url(re.compile(rf"/apply/{demo.year}/done/$"))
    expect(page.get_by_role("status")).to_contain_text("申报已提交")
    reference = page.locator(".reference").inner_text().strip()
    password = page.locator(".query-password").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{8}", password), password
    assert reference

    # The status lookup, from the link on the done page.
    main.get_by_role("link", name="进度查询").click()
    expect(page).to_have_url(re.compile(r"/status/$"))
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("查询密码").fill(password)
    page.get_by_role("button", name="查询", exact=True).click()
    result = page.get_by_role("status")
    expect(result).to_be_visible()
    expect(result).to_contain_text(reference)
    expect(result.locator(".status-state")).to_have_text("已提交，待审核单位预审")
    expect(result.locator(".status-details")).to_have_text("已提交，待西湖区总工会预审")
    expect(result).to_contain_text("技师")
    expect(result).not_to_contain_text(member.id_number)

    # A wrong password gets the one generic message, and no result card.
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("查询密码").fill("AAAAAAAA")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("身份证号码或查询密码不正确。")
    expect(page.get_by_role("status")).to_have_count(0)


def test_the_code_and_copies_steps_sent_empty_say_what_is_missing_and_keep_what_was_given(
    phone, live_server, site_2022, sms_file, tmp_path
):
    """What a browser sends for empty inputs: an empty code field, and file inputs with no file chosen
    (empty parts of the multipart body). Each step stays, names what is missing, keeps what was given."""
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    page.goto(f"{live_server.url}/apply/{demo.year}/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="发送验证码").click()

    # The code step sent empty: it stays, with the error beside the field.
    page.get_by_role("button", name="下一步", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("短信验证码")
    expect(page.get_by_text(f"验证码已发送至尾号{member.mobile[-4:]}的手机")).to_be_visible()

    page.get_by_label("短信验证码").fill(_last_code(sms_file))
    page.get_by_role("button", name="下一步", exact=True).click()
    fill_annex3(page, demo, member)

    # The copies step sent with no file chosen: all four are named as missing.
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    summary = page.locator(".error-summary")
    for label in ATTACHMENT_LABELS:
        expect(summary).to_contain_text(label)

    # Two given, two left empty: only the empty ones are still missing, and the two given are kept.
    files = _pngs(tmp_path)
    for label in ATTACHMENT_LABELS[:2]:
        page.get_by_label(label).set_input_files(files[label])
    page.get_by_role("button", name="下一步：确认").click()
    summary = page.locator(".error-summary")
    for label in ATTACHMENT_LABELS[2:]:
        expect(summary).to_contain_text(label)
    for label in ATTACHMENT_LABELS[:2]:
        expect(summary).not_to_contain_text(label)
    for label in ATTACHMENT_LABELS[2:]:
        page.get_by_label(label).set_input_files(files[label])
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第四步：确认提交")
    expect(page.locator("dl.summary")).to_contain_text("身份证正面、身份证反面、等级证书、银行卡")


def test_a_mistyped_name_is_corrected_with_the_restart_button_after_the_resend_interval(
    phone, live_server, site_2022, sms_file, settings
):
    """A typo in the name: the same "code sent" answer as for everyone (no text arrives), 重新填写姓名和身份证号码,
    the corrected name is told to wait out the resend interval with what was typed kept, then the code comes."""
    settings.ONE_TIME_CODE_RESEND_SECONDS = 3
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    page.goto(f"{live_server.url}/apply/{demo.year}/")
    page.get_by_label("姓名").fill(member.name + "某")
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".code-sent")).to_contain_text("验证码已发送至尾号")
    assert not sms_file.exists() or not sms_file.read_text(encoding="utf-8").strip(), "a text went to a mistyped name"

    page.get_by_role("button", name="重新填写姓名和身份证号码").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第一步：身份验证")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.locator(".error-summary")).to_contain_text("秒后再重新获取")
    expect(page.get_by_label("姓名")).to_have_value(member.name)
    expect(page.get_by_label("身份证号码")).to_have_value(member.id_number)

    page.wait_for_timeout(3_100)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text(f"验证码已发送至尾号{member.mobile[-4:]}的手机")).to_be_visible()
    page.get_by_label("短信验证码").fill(_last_code(sms_file))
    page.get_by_role("button", name="下一步", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第二步：填写申请表")
