"""Each process remembers which public page a path routes to, and forgets it whenever content changes."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from applications.models import ApplyPage, StatusPage
from home import page_cache, routes

pytestmark = pytest.mark.django_db

APPLY = "/apply/2022/"


@pytest.fixture(autouse=True)
def _pages_served_fresh(settings, site_2022):
    """The page cache would answer repeated GETs before routing: switched off, each request is routed."""
    settings.PAGE_CACHE_ENABLED = False


def _wagtail_queries(client, url):
    """The response and how many of its queries read Wagtail's sites, pages and view restrictions."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tables = ("wagtailcore_site", "wagtailcore_page", "wagtailcore_pageviewrestriction")
    return response, sum(any(f'"{table}"' in query["sql"] for table in tables) for query in queries)


def test_the_second_request_for_a_path_is_routed_without_queries(client):
    first, routed = _wagtail_queries(client, APPLY)
    second, remembered = _wagtail_queries(client, APPLY)
    assert first.status_code == second.status_code == 200
    assert routed >= 5 and remembered == 0
    assert second.content.decode().count("身份证号码") == first.content.decode().count("身份证号码")


def test_an_unpublished_page_is_not_served_from_memory(client):
    client.get("/status/")
    StatusPage.objects.get().unpublish()
    assert client.get("/status/").status_code == 404


def test_a_renamed_page_answers_at_its_new_path_only(client):
    client.get(APPLY)
    page = ApplyPage.objects.get()
    page.slug = "shenbao"
    page.save_revision().publish()
    assert client.get(APPLY).status_code == 404
    assert client.get("/shenbao/2022/").status_code == 200


def test_a_page_made_private_asks_for_a_sign_in_at_once(client):
    client.get("/status/")
    PageViewRestriction.objects.create(page=StatusPage.objects.get(), restriction_type="login")
    assert client.get("/status/").status_code == 302


def test_a_private_page_is_checked_on_every_request(client):
    PageViewRestriction.objects.create(page=StatusPage.objects.get(), restriction_type="login")
    for _request in range(2):
        response, queries = _wagtail_queries(client, "/status/")
        assert response.status_code == 302 and queries >= 5


def test_a_purge_in_another_process_is_seen_within_the_check_interval(client, settings):
    settings.PAGE_CACHE_CHECK_SECONDS = 0
    client.get(APPLY)
    shared = caches[page_cache.CACHE_ALIAS]
    shared.set(page_cache.GENERATION_KEY, (shared.get(page_cache.GENERATION_KEY) or 0) + 1, None)  # its purge
    _response, queries = _wagtail_queries(client, APPLY)
    assert queries >= 5


def test_nothing_is_remembered_while_the_shared_cache_is_down(client, monkeypatch):
    def down():
        raise page_cache.SharedCacheDown

    monkeypatch.setattr(page_cache, "_shared", down)
    for _request in range(2):
        response, queries = _wagtail_queries(client, APPLY)
        assert response.status_code == 200 and queries >= 5


def test_the_memory_keeps_a_bounded_number_of_paths(client, monkeypatch):
    monkeypatch.setattr(routes._memo.entries, "max_entries", 2)  # MAX_ENTRIES, as the memo holds it
    for year in (2020, 2021, 2022):  # a routable page answers any year
        client.get(f"/apply/{year}/")
    assert len(routes._memo.entries) == 2


def test_what_a_view_does_to_its_page_stays_in_that_request(client, monkeypatch):
    from applications.apply import views

    client.get(APPLY)
    ((_site, remembered, _below),) = routes._memo.entries.values()
    served, real_apply = [], views.apply

    def apply_and_scribble(page, request, year):
        page.title = "changed by a request"
        served.append(page)
        return real_apply(page, request, year)

    monkeypatch.setattr(views, "apply", apply_and_scribble)
    assert client.get(APPLY).status_code == 200
    assert served and served[0] is not remembered and remembered.title != "changed by a request"
