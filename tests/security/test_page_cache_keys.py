"""Filling the page cache with random query strings: only the parameters a page reads make an entry."""

import secrets

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.apply.forms import SelfCheckForm
from home import page_cache

pytestmark = pytest.mark.django_db

CHECK = "/apply/2022/check/"
ANSWER = {"level": "technician", "issued": "2022-11-30"}


def stored_pages():
    """The pages in the shared cache (test settings: local memory)."""
    return [key for key in caches[page_cache.CACHE_ALIAS]._cache if ":page:" in key]


def get(client, url, data=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data)
    assert response.status_code == 200
    return response, len(queries)


def test_a_hundred_random_query_strings_store_one_entry(client, notice_2022):
    for _i in range(100):
        get(client, notice_2022.url, {secrets.token_hex(4): secrets.token_hex(8)})
    get(client, notice_2022.url)
    assert len(stored_pages()) == 1
    assert len(page_cache._copy.entries) == 1


def test_random_query_strings_are_served_the_pages_entry(client, notice_2022):
    get(client, notice_2022.url)
    for _i in range(20):
        response, queries = get(client, f"{notice_2022.url}?from=singlemessage&{secrets.token_hex(6)}=1")
        assert queries == 0
        assert "杭总工办〔2022〕12号" in response.content.decode()
    assert len(stored_pages()) == 1


def test_a_strangers_query_string_is_never_stored_for_others_to_see(client, notice_2022):
    marker = "stranger" + secrets.token_hex(4)
    assert marker in get(client, notice_2022.url, {"utm_source": marker})[0].content.decode()  # the language links
    assert not stored_pages()
    assert marker not in get(client, notice_2022.url)[0].content.decode()


def test_a_parameter_the_page_reads_gets_its_own_entry(client, campaign_2022):
    form, _queries = get(client, CHECK)
    answer, _queries = get(client, CHECK, ANSWER)
    assert "符合奖励条件" in answer.content.decode() and "符合奖励条件" not in form.content.decode()
    assert len(stored_pages()) == 2
    # The same answer asked in another order, with a tracking tag: served from the answer's entry.
    again, queries = get(client, f"{CHECK}?issued=2022-11-30&utm_source=wechat&level=technician")
    assert queries == 0
    assert "符合奖励条件" in again.content.decode()
    assert len(stored_pages()) == 2


def test_the_parameters_a_page_reads_cannot_fill_the_cache_either(client, campaign_2022, monkeypatch):
    monkeypatch.setattr(page_cache, "MAX_VARIANTS", 5)
    for day in range(1, 21):
        get(client, CHECK, {"level": "technician", "issued": f"2022-06-{day:02d}"})
    assert len(stored_pages()) == 5
    get(client, CHECK)
    assert len(stored_pages()) == 6  # the page without parameters is always stored


def test_the_self_check_does_not_read_parameters_that_are_not_its_fields(client, campaign_2022):
    html = get(client, CHECK, {"utm_source": "wechat"})[0].content.decode()
    assert "invalid-feedback" not in html and "error_1_id_level" not in html


def test_the_page_cache_knows_every_parameter_the_self_check_reads():
    ((_pattern, names),) = page_cache.QUERY_PARAMETERS
    assert set(names) == set(SelfCheckForm.base_fields)
