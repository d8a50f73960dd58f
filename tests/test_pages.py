"""Public pages: page-type rules, what a reader sees, search, sitemap, errors, language."""

import re

import pytest
from django.test import override_settings
from wagtail.models import Page

from home.models import HomePage
from notices.models import AnnexPage, NoticeIndexPage, NoticePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (NoticeIndexPage, HomePage, True),
        (NoticePage, NoticeIndexPage, True),
        (AnnexPage, NoticePage, True),
        (NoticePage, HomePage, False),
        (AnnexPage, NoticeIndexPage, False),
        (AnnexPage, HomePage, False),
        (NoticeIndexPage, NoticePage, False),
        (HomePage, NoticePage, False),
    ],
)
def test_page_type_rules(child, parent, allowed):
    fits = child in parent.allowed_subpage_models() and parent in child.allowed_parent_page_models()
    assert fits is allowed


def test_only_one_notice_archive_per_site(notice_2022):
    home = HomePage.objects.get()
    assert not NoticeIndexPage.can_create_at(home)


def test_home_leads_with_the_open_campaign(client, notice_2022):
    from applications.programme.demo import ensure_demo_campaign

    demo = ensure_demo_campaign(notice_2022.campaign)
    html = client.get("/").content.decode()
    assert demo.name in html
    assert "演示" in html
    assert "500元" in html.replace(" ", "") and "800元" in html.replace(" ", "")
    assert "还剩" in html or "今天截止" in html
    for link in ("/apply/", "/status/", f"/apply/{demo.year}/check/", notice_2022.url):
        assert f'href="{link}' in html
    assert f"/downloads/{demo.year}/application-form.pdf" in html


def test_home_without_an_open_campaign_shows_the_latest_as_closed(client, campaign_2022):
    html = client.get("/").content.decode()
    assert campaign_2022.name in html
    assert "已截止" in html


def test_notice_is_laid_out_like_the_official_document(client, notice_2022):
    html = client.get(notice_2022.url).content.decode()
    for part in (
        "杭州市总工会办公室文件",
        "杭总工办〔2022〕12号",
        "各区、县（市）总工会，各产业工会：",
        "一、高技能人才培训",
        "（一）奖励对象和条件",
        "抄送：浙江省总工会办公室。",
        "2022年5月10日印发",
    ):
        assert part in html
    for annex in notice_2022.annexes():
        assert f'href="{annex.url}"' in html


def test_quota_table_is_computed_from_data(client, notice_2022, campaign_2022):
    annex = notice_2022.annexes().get(kind="quota_table")
    html = client.get(annex.url).content.decode()
    assert html.count('<th scope="row">') == 24  # 23 units and the total row
    assert '<td class="text-end quota-total">8000</td>' in html
    assert "上不封顶" in html
    quota = campaign_2022.quotas.get(unit__name="金融工会")
    quota.guidance_number = 15
    quota.save()
    html = client.get(annex.url).content.decode()
    assert '<td class="text-end quota-total">8005</td>' in html


def test_form_annexes_link_to_the_contract_downloads(client, notice_2022):
    form = notice_2022.annexes().get(kind="application_form")
    table = notice_2022.annexes().get(kind="summary_table")
    assert 'href="/downloads/2022/application-form.pdf"' in client.get(form.url).content.decode()
    assert 'href="/downloads/2022/summary-table.xlsx"' in client.get(table.url).content.decode()


def test_notice_page_makes_a_fixed_number_of_queries(client, notice_2022, django_assert_max_num_queries):
    client.get(notice_2022.url)  # warm Wagtail's site root cache
    with django_assert_max_num_queries(8):
        assert client.get(notice_2022.url).status_code == 200


def test_archive_lists_notices_by_year(client, notice_2022):
    html = client.get("/notices/").content.decode()
    assert "2022年度" in html
    assert notice_2022.title in html


@pytest.mark.parametrize("term", ["技师", "汇总表", "杭总工办", "实名认证"])
def test_search_finds_the_notice_and_annexes(client, notice_2022, term):
    response = client.get("/search/", {"q": term})
    html = response.content.decode()
    assert response.status_code == 200
    assert notice_2022.url in html or any(annex.url in html for annex in notice_2022.annexes())


def test_search_finds_the_quota_annex_by_its_title(client, notice_2022):
    html = client.get("/search/", {"q": "任务分解表"}).content.decode()
    assert notice_2022.annexes().get(kind="quota_table").url in html


def test_sitemap_lists_the_notice_and_annexes(client, notice_2022):
    response = client.get("/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200
    assert "/notices/2022/" in xml
    assert "/notices/2022/quota-table/" in xml


def test_404_is_in_chinese_and_styled(client, notice_2022):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "site.css" in html


@override_settings(DEBUG=False)
def test_500_is_in_chinese_and_styled(notice_2022):
    from django.test import Client

    from home.views import server_error

    response = server_error(Client().request().wsgi_request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统繁忙" in html
    assert "site.css" in html


def test_chinese_is_the_default_whatever_the_browser_asks(client, notice_2022):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "网上申报" in response.content.decode()


def test_english_can_be_chosen(client, notice_2022):
    response = client.get("/lang/en/", {"next": "/notices/"})
    assert response.status_code == 302
    assert response["Location"] == "/notices/"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert "Apply online" in response.content.decode()


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_every_public_page_has_a_skip_link_and_one_h1(client, notice_2022):
    for page in Page.objects.live().filter(depth__gt=1).specific():
        html = client.get(page.url).content.decode()
        assert 'href="#main"' in html, page.url
        assert html.count("<h1") == 1, page.url


def test_the_scrollable_tables_are_reachable_by_keyboard(client, notice_2022):
    """axe scrollable-region-focusable: every scroll container takes focus and has a name."""
    for kind in ("summary_table", "quota_table"):
        annex = notice_2022.annexes().filter(kind=kind).first()
        if annex is None:
            continue
        html = client.get(annex.url).content.decode()
        containers = re.findall(r'<div class="table-responsive"[^>]*>', html)
        assert containers, kind
        assert all('tabindex="0"' in tag and 'aria-label="' in tag for tag in containers), containers


def test_home_states_the_whole_carry_over_condition(client, notice_2022):
    """符合上年度奖励条件 and 未申请过上年度奖励, both, as the notice says."""
    from applications.programme.demo import ensure_demo_campaign

    demo = ensure_demo_campaign(notice_2022.campaign)
    assert demo.has_carry_over
    previous = demo.year - 1
    html = client.get("/").content.decode()
    assert f"符合{previous}年度奖励条件、但未申请过{previous}年度奖励的，可补报发证时间为" in html
