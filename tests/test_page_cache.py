"""Public pages are cached for anonymous readers and purged when an editor publishes."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Quota

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
    assert not caches["pages"]._cache  # locmem's store stays empty
