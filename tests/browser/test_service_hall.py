"""在线咨询 and 查看评价 in Chromium: a question asked with a code, answered by staff, read by the asker and
published; a rejected case rated 不满意, rectified and answered by its unit, the reply on /evaluations/."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_review_flow import _sign_in, _staff
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _texts(sms_file):
    return [json.loads(line)["text"] for line in sms_file.read_text(encoding="utf-8").splitlines()]


def test_ask_answer_read_and_publish(phone, desktop, live_server, site_2022, sms_file):
    # A worker asks on a phone, leaving the optional name and reference empty; an ID number is refused first.
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name=re.compile("在线咨询")).first.click()
    phone.get_by_label("咨询类别").select_option(label="政策")
    phone.get_by_label("咨询内容").fill("我的身份证号330102198001010011，去年的证书能申报吗？")
    phone.get_by_label("手机号码").fill("13812345678")
    phone.get_by_role("button", name="获取验证码并提交").click()
    expect(phone.get_by_text("请不要在咨询内容中填写身份证号码或银行卡号").first).to_be_visible()
    phone.get_by_label("咨询内容").fill("去年取得的高级工证书今年还能申报吗？")
    phone.get_by_role("button", name="获取验证码并提交").click()
    expect(phone.get_by_text("验证码已发送至尾号5678的手机")).to_be_visible()
    code = re.search(r"验证码为(\d{6})", _texts(sms_file)[-1]).group(1)
    phone.get_by_label("短信验证码").fill(code)
    phone.get_by_role("button", name="提交咨询").click()
    reference = phone.locator(".consultation-reference").inner_text()
    access_code = phone.locator(".consultation-access-code").inner_text()
    phone.get_by_role("link", name="查看我的咨询").click()
    phone.get_by_label("查询码").fill(access_code)
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator(".consultation-state")).to_have_text("待答复")

    # The economic work department answers policy questions and publishes an edited version.
    user, device = _staff("t-economic", "economic_dept")
    _sign_in(desktop, live_server, user, device)
    desktop.get_by_role("link", name=re.compile("待答复咨询 1 件")).click()  # the admin home panel
    expect(desktop).to_have_url(re.compile(r"/admin/consultations/$"))
    desktop.get_by_role("link", name=reference).click()
    desktop.get_by_label("答复内容").fill("符合上一年度条件而上一年度未申报的，可以结转申报。")
    desktop.get_by_role("button", name="提交答复").click()
    expect(desktop.get_by_text("已答复，并短信通知提问人")).to_be_visible()
    assert "您的咨询已答复，请凭编号查看" in _texts(sms_file)[-1]
    desktop.get_by_label("公开的问题").fill("去年的证书今年还能申报吗？")
    desktop.get_by_role("button", name="公开", exact=True).click()
    expect(desktop.get_by_text("已公开到在线咨询页面")).to_be_visible()

    # The asker reads the answer; everyone sees the edited question under the form.
    phone.goto(live_server.url + f"/consultations/{reference}/")
    phone.get_by_label("查询码").fill(access_code)
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator(".consultation-answer")).to_contain_text("可以结转申报")
    phone.goto(live_server.url + "/consultations/")
    expect(phone.locator(".published-question").first).to_contain_text("去年的证书今年还能申报吗？")
    expect(phone.get_by_text("13812345678")).to_have_count(0)


def test_rejected_case_rated_dissatisfied_is_rectified_and_answered(phone, desktop, live_server, site_2022, sms_file):
    application = ApplicationFactory(campaign=site_2022[0], state="rejected", name="郑强")
    phone.goto(live_server.url + "/status/")
    phone.get_by_label("身份证号码").fill(application.id_number)
    phone.get_by_label("查询密码").fill("K7MP3WQX")
    phone.get_by_role("button", name="查询").click()
    phone.get_by_role("link", name="评价本次服务").click()
    phone.get_by_label("不满意", exact=True).check()
    phone.get_by_label("办事效率").select_option(label="不满意")
    phone.get_by_label("评价内容（选填）").fill("驳回原因看不懂。")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator(".rating-thanks")).to_be_visible()

    user, device = _staff("t-xihu", "unit_reviewer", "西湖区总工会")
    _sign_in(desktop, live_server, user, device)
    desktop.get_by_role("link", name=re.compile("待整改差评 1 件")).click()
    desktop.get_by_role("link", name=application.reference).click()
    desktop.get_by_label("核实情况").fill("驳回意见过简。")
    desktop.get_by_label("整改措施").fill("驳回时写明须更正的项目。")
    desktop.get_by_label("答复评价人").fill("已补充驳回原因，欢迎更正后重新申报。")
    desktop.get_by_role("button", name="提交整改并答复").click()
    expect(desktop.get_by_text("已答复评价人，并短信通知")).to_be_visible()
    assert application.reference in _texts(sms_file)[-1]

    phone.goto(live_server.url + "/evaluations/")
    expect(phone.locator(".rating-comment").first).to_contain_text("郑*")
    expect(phone.locator(".rating-reply").first).to_contain_text("已补充驳回原因")
    expect(phone.get_by_text("郑强")).to_have_count(0)


def test_city_service_center_excludes_a_malicious_rating(desktop, live_server, site_2022):
    from service_hall import evaluations

    application = ApplicationFactory(campaign=site_2022[0], state="paid")
    evaluations.rate(application, grade=1, comment="乱评")
    user, device = _staff("t-service", "city_service_center")
    _sign_in(desktop, live_server, user, device)
    desktop.goto(live_server.url + "/admin/evaluations/?state=all")
    desktop.get_by_role("link", name="剔除").click()
    desktop.get_by_label("剔除原因").fill("经核实为误操作，本人来电要求撤销。")
    desktop.get_by_role("button", name="剔除").click()
    expect(desktop.get_by_text("已剔除该评价")).to_be_visible()
    desktop.goto(live_server.url + f"/evaluations/?campaign={site_2022[0].year}")
    row = desktop.locator(".rating-table tbody tr").first
    expect(row.locator("td").last).to_have_text("1")
    expect(desktop.get_by_text("乱评")).to_have_count(0)
