"""Online, a certificate of the carry-over window: the declaration left unticked is refused beside the box
with everything typed kept; ticked, the application goes through and the summary shows the declaration."""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from applications.programme.demo import ensure_demo_campaign
from tests.browser.test_apply_and_status import _pngs, fill_annex3, to_details
from tests.factories import MemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_carry_over_applicant_must_tick_the_declaration(page, live_server, site_2022, sms_file, tmp_path):
    demo = ensure_demo_campaign(site_2022[0])
    member = MemberFactory()
    previous = demo.year - 1
    to_details(page, live_server, demo, member, sms_file)

    # A certificate of the carry-over window, the declaration not ticked: refused beside the box.
    page.get_by_label("发证时间").fill(demo.carry_over_end.isoformat())
    declaration = page.get_by_label(f"本人符合{previous}年度奖励条件，且未申请过{previous}年度奖励")
    expect(declaration).not_to_be_checked()
    fill_annex3(page, demo, member)  # fills the rest (and the window's first day: put the carry-over date back)
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    page.goto(f"{live_server.url}/apply/{demo.year}/?step=details")
    expect(page.get_by_role("radio", name="否", exact=True)).to_be_checked()  # what was typed is still there
    page.get_by_label("发证时间").fill(demo.carry_over_end.isoformat())
    page.get_by_role("button", name="下一步：上传材料").click()
    box = page.locator("#div_id_carry_over_declared")
    expect(box).to_contain_text("请核实后勾选此项声明")
    expect(page.get_by_label("申报奖励工种")).to_have_value("数控车工")
    expect(page.get_by_label("发证时间")).to_have_value(demo.carry_over_end.isoformat())
    expect(page.get_by_label("银行卡开户行")).to_have_value("中国工商银行杭州西湖支行")

    # Ticked: on to the copies, the summary shows the declaration, and it is recorded.
    page.get_by_label(f"本人符合{previous}年度奖励条件，且未申请过{previous}年度奖励").check()
    page.get_by_role("button", name="下一步：上传材料").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("第三步：上传材料")
    for label, path in _pngs(tmp_path).items():
        page.get_by_label(label).set_input_files(path)
    page.get_by_role("button", name="下一步：确认").click()
    expect(page.locator("dl.summary")).to_contain_text(f"未申请过{previous}年度奖励")
    page.get_by_role("button", name="确认提交").click()
    expect(page).to_have_url(re.compile(rf"/apply/{demo.year}/done/$"))
    application = Application.objects.get(id_hash=member.id_hash)
    assert (application.window, application.carry_over_declared) == ("carry_over", True)
