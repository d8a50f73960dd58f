"""On a desktop, the city service center opens 证书库 from the menu, finds a person's certificate by ID number
and sees the row with the number masked; a search that matches nothing says so."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_review_flow import _sign_in, _staff
from tests.browser.test_trust_screens import _menu
from tests.factories import CertificateFactory, make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ID_NUMBER = make_id_number(datetime.date(1986, 7, 14), 52)


def _search(page, term):
    box = page.get_by_placeholder("搜索证书库", exact=True)
    box.fill(term)
    box.press("Enter")


def test_the_city_service_center_finds_a_certificate_by_id_number(desktop, live_server, site_2022):
    page = desktop
    CertificateFactory(number="HZ2022000100", name="陈静", id_number=ID_NUMBER, level="技师")
    CertificateFactory(number="HZ2022000200", name="孙浩", level="高级工")
    city, device = _staff("t-service", "city_service_center")
    _sign_in(page, live_server, city, device)

    _menu(page, "证书库")
    expect(page.get_by_role("heading", name="证书库")).to_be_visible()
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("HZ2022000100")  # by number

    _search(page, ID_NUMBER)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("陈静")
    expect(rows.first).to_contain_text(f"330***********{ID_NUMBER[-4:]}")
    expect(rows.first).to_contain_text("杭州市人力资源和社会保障局")
    expect(page.locator("table.listing")).not_to_contain_text(ID_NUMBER)
    expect(page.get_by_role("link", name="添加")).to_have_count(0)
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)

    _search(page, "HZ2099")
    expect(page.get_by_text("对不起，没有找到与搜索条件匹配的证书库。")).to_be_visible()
    expect(page.locator("table.listing")).to_have_count(0)
