"""Public pages are cached for anonymous readers and purged when an editor publishes."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from applications.models import Quota
from home import page_cache

pytestmark = pytest.mark.django_db


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response, len(queries)


def test_second_anonymous_request_is_served_from_the_cache(client, notice_2022):
    _response, first = _queries(client, notice_2022.url)
    response, second = _queries(client, notice_2022.url)
    assert first > 0
    assert second == 0
    assert "杭总工办〔2022〕12号" in response.content.decode()


def test_publishing_purges_the_cache(client, notice_2022):
    client.get(notice_2022.url)
    notice_2022.addressees = "各区、县（市）总工会，各产业工会，市级机关工会："
    notice_2022.save_revision().publish()
    response, queries = _queries(client, notice_2022.url)
    assert queries > 0
    assert "市级机关工会：" in response.content.decode()


def test_unpublishing_purges_the_cache(client, notice_2022):
    annex = notice_2022.annexes().first()
    client.get(annex.url)
    annex.unpublish()
    assert client.get(annex.url).status_code == 404


def test_changing_a_quota_purges_the_cache(client, notice_2022, campaign_2022):
    annex = notice_2022.annexes().get(kind="quota_table")
    client.get(annex.url)
    quota = Quota.objects.get(campaign=campaign_2022, unit__name="金融工会")
    quota.guidance_number = 30
    quota.save()
    assert "8020" in client.get(annex.url).content.decode()


@pytest.mark.parametrize("restriction", ["login", "password"])
def test_making_a_page_private_purges_the_cache(client, notice_2022, restriction):
    """Privacy is set in the admin without publishing: the cached public copy must go at once."""
    from wagtail.models import PageViewRestriction

    client.get(notice_2022.url)
    PageViewRestriction.objects.create(page=notice_2022, restriction_type=restriction, password="secret")
    response = client.get(notice_2022.url)
    assert "杭总工办〔2022〕12号" not in response.content.decode()
    asked_to_sign_in = response.status_code == 302
    assert asked_to_sign_in or (response.status_code == 200 and "password" in response.content.decode())


def test_signed_in_users_are_never_served_cached_pages(client, notice_2022, editor):
    client.get(notice_2022.url)
    client.force_login(editor)
    _response, queries = _queries(client, notice_2022.url)
    assert queries > 0


def test_english_and_chinese_are_cached_apart(client, notice_2022):
    client.get("/")
    client.cookies["django_language"] = "en"
    assert "Apply online" in client.get("/").content.decode()
    del client.cookies["django_language"]
    assert "网上申报" in client.get("/").content.decode()


def test_error_pages_are_not_cached(client, notice_2022):
    client.get("/no-such-page/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/no-such-page/").status_code == 404
    assert len(queries) > 0


def _other_process_holding_a_page():
    other_process = page_cache._ProcessCopy()
    other_process.sync(caches["pages"])
    other_process.put("page:x", HttpResponse("old"))
    return other_process


def test_other_processes_drop_their_copy_after_a_purge(settings):
    settings.PAGE_CACHE_CHECK_SECONDS = 0
    other_process = _other_process_holding_a_page()
    other_process.sync(caches["pages"])
    assert other_process.get("page:x").content == b"old"
    page_cache.purge()
    other_process.sync(caches["pages"])
    assert other_process.get("page:x") is None


def test_a_process_checks_for_purges_at_most_once_per_interval(settings):
    settings.PAGE_CACHE_CHECK_SECONDS = 3600
    other_process = _other_process_holding_a_page()
    page_cache.purge()
    other_process.sync(caches["pages"])
    assert other_process.get("page:x").content == b"old"


def test_the_page_cache_can_be_switched_off(client, notice_2022, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get(notice_2022.url)
    _response, queries = _queries(client, notice_2022.url)
    assert queries > 0
