"""The separate consent to the sensitive data in the apply flow, as a person meets it: the periods stated,
the box left empty (refused beside the box, nothing typed lost), then ticked (on to the copies, recorded)."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application, Consent
from applications.programme.demo import ensure_demo_campaign
from tests.browser.test_apply_and_status import BANK_CARD, _pngs, fill_annex3, to_details
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _to_details(page, live_server, demo, member, sms_file):
    """The retention periods are stated before anything is typed; then step 1 as everywhere."""
    page.goto(f"{live_server.url}/apply/{demo.year}/")
    expect(page.locator(".retention-notice")).to_contain_text("保存6个月后删除")
    to_details(page, live_server, demo, member, sms_file)


def test_without_the_box_ticked_the_person_is_told_beside_it_and_keeps_what_they_typed(
    phone, live_server, site_2022, sms_file
):
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    _to_details(page, live_server, demo, member, sms_file)
    consent = page.get_by_role("group", name="敏感个人信息处理告知与单独同意")
    expect(consent).to_contain_text("身份证正反面照片、银行卡号及银行卡照片")
    expect(consent).to_contain_text("告知同意书第1版")
    fill_annex3(page, demo, member, consent=False)

    expect(page.get_by_role("heading", level=2)).to_have_text("第二步：填写申请表")
    box = page.get_by_label(re.compile("我已阅读上述告知，同意处理本人的敏感个人信息"))
    expect(box).not_to_be_checked()
    error = page.locator(".consent").get_by_text(re.compile("请阅读上面的告知内容并勾选同意"))
    expect(error).to_be_visible()
    # Said at the top too, linked to the box, since it is the only thing to change.
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("请修改以下1处")
    summary.get_by_role("link").click()
    expect(box).to_be_focused()
    expect(page.get_by_label("银行卡号")).to_have_value(BANK_CARD)
    expect(page.get_by_label("申报奖励工种")).to_have_value("数控车工")

    box.check()
    page.get_by_role("button", name="下一步：上传材料").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")


def test_with_the_box_ticked_the_application_goes_through_and_records_the_consent(
    phone, live_server, site_2022, sms_file, tmp_path
):
    page = phone
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    _to_details(page, live_server, demo, member, sms_file)
    fill_annex3(page, demo, member)
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    for label, path in _pngs(tmp_path).items():
        page.get_by_label(label).set_input_files(path)
    page.get_by_role("button", name="下一步：确认").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page).to_have_url(re.compile(rf"/apply/{demo.year}/done/$"))
    given = Consent.objects.get(application=Application.objects.get(id_hash=member.id_hash))
    assert (given.method, given.version) == (Consent.Method.ONLINE, 1)
