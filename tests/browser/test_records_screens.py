"""The city service center's records screens as a person uses them: a person's data exported and erased
(empty and wrong fields first), and a campaign's retention periods and consent text edited."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from applications.core.constants import ApplicationState as S
from applications.models import Application, ConsentText, PersonDataRequest
from tests.browser.test_trust_screens import _menu, _signed_in
from tests.factories import CampaignFactory, MemberFactory
from tests.records.cases import closed_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_service_center_exports_then_erases_a_persons_data(
    desktop, live_server, site_2022, service_center, tmp_path
):
    page = desktop
    member = MemberFactory()
    application = closed_case(CampaignFactory(), S.REJECTED, id_number=member.id_number, name=member.name)
    _signed_in(page, live_server, service_center)
    _menu(page, "个人信息查阅与删除")
    expect(page).to_have_url(re.compile(r"/admin/person-data/$"))

    # Nothing filled in: each field says so beside it.
    page.get_by_role("button", name="导出（ZIP）").click()
    expect(page.get_by_role("alert").first).to_contain_text("请修改下面标出的内容")
    page.get_by_label(re.compile(r"^\s*身份证号码")).fill(member.id_number)
    page.get_by_label(re.compile(r"^\s*依据和理由")).fill("本人书面申请查阅。")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出（ZIP）").click()
    path = tmp_path / "person.zip"
    download.value.save_as(path)
    assert application.reference in zipfile.ZipFile(path).read("applications.json").decode()

    page.get_by_label(re.compile(r"^\s*身份证号码")).fill(member.id_number)
    page.get_by_label(re.compile(r"^\s*依据和理由")).fill("本人书面申请删除。")
    page.get_by_role("button", name=re.compile("^删除")).click()
    expect(page.locator(".erase-preview")).to_contain_text("申报：1 份")
    page.get_by_role("button", name="确认删除").click()
    expect(page.get_by_text("请勾选确认删除。")).to_be_visible()
    page.get_by_label(re.compile(r"确认删除：材料复印件")).check()
    page.get_by_role("button", name="确认删除").click()
    expect(page).to_have_url(re.compile(r"/admin/person-data/$"))
    expect(page.locator(".person-data-requests")).to_contain_text("删除本人信息")
    assert Application.objects.get(pk=application.pk).name == "已匿名"
    assert PersonDataRequest.objects.filter(kind="erase", reason="本人书面申请删除。").exists()


def test_the_service_center_edits_the_periods_and_adds_a_consent_version(
    desktop, live_server, site_2022, service_center
):
    page = desktop
    campaign = site_2022[0]
    _signed_in(page, live_server, service_center)
    _menu(page, "保存期限与告知同意")
    page.locator(".retention-policies tr", has_text=campaign.display_name).get_by_role("link", name="修改").click()

    months = page.get_by_label(re.compile(r"^\s*材料保存期限"))
    months.fill("")
    page.get_by_role("button", name="保存保存期限").click()
    expect(page.get_by_role("alert").first).to_contain_text("请修改下面标出的内容")
    page.get_by_label(re.compile(r"^\s*材料保存期限")).fill("48")
    page.get_by_role("button", name="保存保存期限").click()
    expect(page.get_by_text("材料保存期限不能长于个人信息保存期限。")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*材料保存期限")).fill("12")
    page.get_by_role("button", name="保存保存期限").click()
    expect(page.locator(".help").first).to_contain_text("保存12个月后删除")

    text = page.get_by_label(re.compile(r"^\s*告知同意内容"))
    text.fill("太短")
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.get_by_text("告知同意内容过短")).to_be_visible()
    page.get_by_label(re.compile(r"^\s*告知同意内容")).fill(
        "第二版：为审核和发放奖励，处理身份证照片、银行卡号及照片，仅用于本次申报。"
    )
    page.get_by_role("button", name="保存为新版本").click()
    expect(page.locator(".consent-versions")).to_contain_text("第二版：为审核和发放奖励")
    assert list(ConsentText.objects.filter(campaign=campaign).values_list("version", flat=True)) == [2, 1]
