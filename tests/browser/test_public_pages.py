"""A reader on a phone or a desktop goes from the home page to the notice and every annex."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reader_follows_the_notice_to_each_annex(page, live_server, site_2022):
    _campaign, notice = site_2022
    annexes = list(notice.annexes())
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("杭州市职工高技能人才奖励")

    page.get_by_role("link", name="阅读通知").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(notice.title)
    expect(page.locator(".doc-number")).to_have_text("杭总工办〔2022〕12号")

    for annex in annexes:
        page.locator(".doc-annexes").get_by_role("link", name=annex.title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(annex.title)
        expect(page.locator(".annex-number")).to_have_text(f"附件{annex.number}")
        if annex.kind == "quota_table":
            expect(page.locator(".quota-table tbody tr")).to_have_count(23)
            expect(page.locator(".quota-total")).to_have_text("8000")
        page.get_by_role("link", name=f"返回通知 {notice.document_number}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(notice.title)


def test_skip_link_is_the_first_stop_for_keyboard_users(page, live_server, site_2022):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_pages_fit_the_viewport_without_sideways_scrolling(page, live_server, site_2022):
    _campaign, notice = site_2022
    for url in ["/", notice.url, *[annex.url for annex in notice.annexes()]]:
        page.goto(live_server.url + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, url
