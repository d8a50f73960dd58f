"""On a desktop, staff sign in with a password and an authenticator code and review an application.

A 西湖区总工会 reviewer pre-approves it after looking at a copy in the lightbox, the city service
centre approves it, and the worker's status lookup says so; a reviewer of another unit cannot open it.
"""

import datetime
import io
import re

import pytest
from django_otp.oath import totp
from PIL import Image
from playwright.sync_api import expect

from applications.apply.copies import CleanUpload
from applications.apply.submission import Applicant, submit
from applications.models import ReviewUnit, SkillLevel
from applications.programme.demo import ensure_demo_campaign
from applications.programme.staff import create_staff
from staff_auth.devices import issue_device
from tests.browser.conftest import browser_page
from tests.factories import ApplicationFactory, make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pw-for-tests"
BIRTH_DATE = datetime.date(1987, 6, 9)
ID_NUMBER = make_id_number(BIRTH_DATE, seq=31)
UNIT_OPINION = "材料齐全，证书真实有效，同意推荐。"


def _png():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, format="PNG")
    return CleanUpload(out.getvalue(), "image/png", "png")


@pytest.fixture
def submitted(site_2022):
    """A technician's application to 西湖区总工会 in the open demo campaign, with a copy of the certificate."""
    campaign = ensure_demo_campaign(site_2022[0])
    applicant = Applicant(
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
        name="钱七",
        gender="male",
        birth_date=BIRTH_DATE,
        education="senior",
        occupation="数控车工",
        previous_level=None,
        previous_level_obtained_on=None,
        new_level=SkillLevel.objects.get(code="technician"),
        certificate_number="S000033010600456",
        certificate_issued_on=campaign.window_start,
        id_number=ID_NUMBER,
        mobile="13900004444",
        bank_card="6222021234567890128",
        bank_branch="中国工商银行杭州西湖支行",
        employer="杭州测试机床有限公司",
        grassroots_union="杭州测试机床有限公司工会",
    )
    return submit(campaign, applicant, {"certificate": _png()})


def _staff(username, role, unit=None):
    """A staff account with a confirmed authenticator; returns (user, device)."""
    user = create_staff(username, role, password=PASSWORD, unit_name=unit)[0]
    return user, issue_device(user)


def _sign_in(page, live_server, user, device):
    page.goto(live_server.url + "/admin/login/")
    # Wagtail's labels end in a required mark (用户名 *, 密码 *).
    page.get_by_label(re.compile(r"^\s*用户名")).fill(user.get_username())
    page.get_by_label(re.compile(r"^\s*密码")).fill(PASSWORD)
    page.get_by_label("动态验证码").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def _open_list(page):
    page.get_by_role("link", name="申报审核").first.click()
    expect(page).to_have_url(re.compile(r"/admin/applications/application/"))


def test_unit_and_city_approve_and_the_worker_sees_it(desktop, browser, request, live_server, submitted):
    page = desktop
    application = submitted.application
    reference = application.reference
    reviewer, reviewer_device = _staff("t-xihu", "unit_reviewer", "西湖区总工会")
    city, city_device = _staff("t-service", "city_service_center")

    # The 西湖区 reviewer finds the application in the list and opens it.
    _sign_in(page, live_server, reviewer, reviewer_device)
    _open_list(page)
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="审阅").click()
    expect(page).to_have_url(re.compile(rf"/admin/applications/review/{application.pk}/$"))
    expect(page.locator(".review-title")).to_contain_text(reference)
    expect(page.locator(".review-title .status-tag")).to_have_text("已提交，待审核单位预审")

    # The certificate copy opens in place and loads.
    lightbox = page.locator("#lightbox")
    expect(lightbox).to_be_hidden()
    page.get_by_role("button", name="等级证书").click()
    expect(lightbox).to_be_visible()
    expect(page.locator("#lightbox-title")).to_have_text("等级证书")
    page.wait_for_function("() => document.getElementById('lightbox-image').complete")
    assert page.locator("#lightbox-image").evaluate("img => img.naturalWidth") > 0
    lightbox.get_by_role("button", name="关闭").click()
    expect(lightbox).to_be_hidden()

    # Pre-approve with an opinion; a city-only action is not offered.
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    page.get_by_label("意见").fill(UNIT_OPINION)
    page.get_by_role("button", name="预审通过").click()
    expect(page.get_by_text(f"{reference}：已预审通过。")).to_be_visible()
    expect(page.locator(".review-title .status-tag")).to_have_text("审核单位已通过，待市总工会审核")
    expect(page.locator(".review-history")).to_contain_text(UNIT_OPINION)
    expect(page.get_by_role("button", name="预审通过")).to_have_count(0)

    # The city service centre, in a browser of its own, approves it.
    with browser_page(request, browser, "desktop") as city_page:
        _sign_in(city_page, live_server, city, city_device)
        _open_list(city_page)
        city_page.get_by_role("row").filter(has_text=reference).get_by_role("link", name="审阅").click()
        expect(city_page).to_have_url(re.compile(rf"/admin/applications/review/{application.pk}/$"))
        expect(city_page.locator(".review-history")).to_contain_text(UNIT_OPINION)
        city_page.get_by_role("button", name="审核通过").click()
        expect(city_page.get_by_text(f"{reference}：已审核通过。")).to_be_visible()
        expect(city_page.locator(".review-title .status-tag")).to_have_text("市总工会已审核通过，待发放")

    # The worker, signed in nowhere, looks it up.
    with browser_page(request, browser, "desktop") as worker:
        worker.goto(live_server.url + "/status/")
        worker.get_by_label("身份证号码").fill(ID_NUMBER)
        worker.get_by_label("查询密码").fill(submitted.query_password)
        worker.get_by_role("button", name="查询", exact=True).click()
        result = worker.get_by_role("status")
        expect(result).to_be_visible()
        expect(result).to_contain_text(reference)
        expect(result.locator(".status-state")).to_have_text("市总工会已审核通过，待发放")
        expect(result.locator(".status-details")).to_have_text("市总工会已审核通过，待发放奖励600元")
        history = result.locator(".status-history")
        expect(history).to_contain_text("区县市(产业)工会预审通过")
        expect(history).to_contain_text(UNIT_OPINION)
        expect(history).to_contain_text("市总工会审核通过")
        expect(result).not_to_contain_text("t-xihu")
        expect(result).not_to_contain_text("t-service")


def test_a_reviewer_of_another_unit_cannot_open_it(desktop, live_server, submitted):
    page = desktop
    application = submitted.application
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    own = ApplicationFactory(campaign=application.campaign, unit=gongshu, name="孙八")
    other, device = _staff("t-gongshu", "unit_reviewer", "拱墅区总工会")

    # Their list holds their own unit's application and not 西湖区's.
    _sign_in(page, live_server, other, device)
    _open_list(page)
    main = page.locator("main")
    expect(main.get_by_role("row").filter(has_text=own.reference)).to_have_count(1)
    expect(main).not_to_contain_text(application.reference)
    expect(main).not_to_contain_text(application.name)

    response = page.goto(live_server.url + f"/admin/applications/review/{application.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(application.reference)
    expect(page.locator("body")).not_to_contain_text(application.name)

    attachment = application.attachments.get()
    assert page.goto(live_server.url + f"/attachments/{attachment.pk}/").status == 404


def test_the_review_list_filters_stand_clear_of_the_table_at_1280_px(desktop, live_server, submitted):
    """The filters used to run over the table's last columns (状态, 证书核验, 提交时间) at 1280 px."""
    page = desktop
    staff, device = _staff("t-city-list", "city_service_center")
    _sign_in(page, live_server, staff, device)
    _open_list(page)
    table = page.locator(".result-list table").bounding_box()
    filters = page.locator(".changelist-filter").bounding_box()
    overlap_x = min(table["x"] + table["width"], filters["x"] + filters["width"]) - max(table["x"], filters["x"])
    overlap_y = min(table["y"] + table["height"], filters["y"] + filters["height"]) - max(table["y"], filters["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (table, filters)
    for column in ("状态", "证书核验", "提交时间"):
        header = page.locator(".result-list thead th").filter(has_text=column).bounding_box()
        assert header["x"] + header["width"] <= 1280, (column, header)
    expect(page.locator(".changelist-filter")).to_contain_text("按状态")
    expect(page.locator(".changelist-filter")).not_to_contain_text("By ")
