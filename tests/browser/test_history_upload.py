"""On a desktop, the city service center uploads last year's applicants: a file with a bad row lists it and
imports nothing; the corrected file is imported and the list shows the people with masked ID numbers."""

import datetime

import pytest
from playwright.sync_api import expect

from applications.models import PreviousApplicant
from tests.browser.test_review_flow import _sign_in, _staff
from tests.browser.test_trust_screens import _menu
from tests.factories import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ID_NUMBER = make_id_number(datetime.date(1982, 4, 5), 61)


def _csv(tmp_path, level):
    path = tmp_path / "history-2021.csv"
    rows = ["姓名,身份证号码,技能等级,结果,所属工会", f"冯八,{ID_NUMBER},{level},已奖励,西湖区总工会"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_the_city_service_center_uploads_last_years_applicants(desktop, live_server, site_2022, tmp_path):
    page = desktop
    city, device = _staff("t-service", "city_service_center")
    _sign_in(page, live_server, city, device)
    _menu(page, "上年度记录", "导入名单")
    expect(page.get_by_role("heading", name="导入上年度记录")).to_be_visible()

    # Nothing chosen: told beside the fields.
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("请填写名单所属的年度。")).to_be_visible()
    expect(page.get_by_text("请选择要上传的名单文件。")).to_be_visible()

    # A bad row: listed by row and column, nothing imported, the year kept.
    page.get_by_role("spinbutton", name="年度").fill("2021")
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(_csv(tmp_path, "大师"))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_role("alert").first).to_contain_text("未导入任何数据")
    expect(page.get_by_role("row").filter(has_text="第2行")).to_contain_text("“大师”不是技能等级名称")
    expect(page.get_by_role("spinbutton", name="年度")).to_have_value("2021")
    assert not PreviousApplicant.objects.exists()

    # Corrected: imported, listed with its source, the person shown masked.
    page.get_by_label("名单文件（.xlsx 或 .csv）").set_input_files(_csv(tmp_path, "技师"))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.get_by_text("已导入 2021年度 history-2021.csv：1 条")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="history-2021.csv")).to_contain_text("t-service")
    _menu(page, "上年度记录", "上年度申报记录")
    row = page.get_by_role("row").filter(has_text="冯八")
    expect(row).to_contain_text(f"330***********{ID_NUMBER[-4:]}")
    expect(page.locator("main")).not_to_contain_text(ID_NUMBER)
