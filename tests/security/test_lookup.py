"""Attacks on the status lookup: locking a person out, hiding behind a proxy, guessing, burning CPU.

A stranger's wrong lookups slow only the stranger; behind a proxy the client is the address the
proxy saw, whatever the client wrote into X-Forwarded-For; a client that keeps guessing waits
twice as long each time; and a lookup costs one keyed hash, never a slow password hash.
"""

import datetime
import re

import pytest
from django.contrib.auth import hashers
from django.db import connection
from django.test import Client

from applications.apply import status as status_lookup
from applications.apply.status import hash_query_password, lookup
from applications.core import throttle
from applications.models import Application
from tests.concurrency import at_once
from tests.factories import ApplicationFactory, make_id_number

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
PASSWORD = "K7MP3WQX"
WRONG = "ABCDEFGH"
OWNER = "203.0.113.5"
ATTACKER = "198.51.100.66"
PROXY = "10.0.0.1"
DAY = datetime.timedelta(days=1)


@pytest.fixture
def application(campaign_2022):
    return ApplicationFactory(campaign=campaign_2022)


def _post(client, id_number, password, **meta):
    return client.post("/status/", {"id_number": id_number, "password": password}, **meta)


def _message(response):
    html = response.content.decode()
    found = re.search(r'<div class="alert[^"]*status-message" role="alert">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def _found(response):
    return 'status-result" role="status"' in response.content.decode()


# Locking the owner out.


def test_a_strangers_wrong_lookups_from_another_address_never_stop_the_owner(client, application):
    for _i in range(30):
        _post(client, application.id_number, WRONG, REMOTE_ADDR=ATTACKER)
    assert "查询失败次数过多" in _message(_post(client, application.id_number, WRONG, REMOTE_ADDR=ATTACKER))
    response = _post(client, application.id_number, PASSWORD, REMOTE_ADDR=OWNER)
    assert _found(response)
    assert application.reference in response.content.decode()


def test_the_owners_own_typos_cost_half_a_minute_then_the_right_password_works(application):
    for _i in range(5):
        assert not lookup(application.id_number, WRONG, OWNER, now=NOW).found
    waiting = lookup(application.id_number, PASSWORD, OWNER, now=NOW)
    assert waiting.throttled and waiting.message == "查询失败次数过多，请30秒后再试。"
    assert lookup(application.id_number, PASSWORD, OWNER, now=NOW + datetime.timedelta(seconds=30)).found


# Guessing.


def _wait(id_number, client_address, now):
    pair, per_client = status_lookup.backoffs()
    pair_key, client_key = status_lookup.throttle_keys(status_lookup.keyed_hash(id_number), client_address)
    return max(throttle.wait_seconds(pair, pair_key, now=now), throttle.wait_seconds(per_client, client_key, now=now))


def test_a_client_that_keeps_failing_waits_twice_as_long_each_time_up_to_fifteen_minutes(application):
    now = NOW
    for _i in range(5):
        assert not lookup(application.id_number, WRONG, ATTACKER, now=now).throttled
    waits = []
    for _i in range(7):
        wait = _wait(application.id_number, ATTACKER, now)
        waits.append(wait)
        early = lookup(application.id_number, WRONG, ATTACKER, now=now + datetime.timedelta(seconds=wait - 1))
        assert early.throttled  # a try before the wait is over is refused, unchecked
        now += datetime.timedelta(seconds=wait)
        assert not lookup(application.id_number, WRONG, ATTACKER, now=now).throttled
    assert waits == [30, 60, 120, 240, 480, 900, 900]


def test_one_client_gets_about_a_hundred_guesses_a_day_so_guessing_a_password_is_hopeless(application):
    now, guesses = NOW, 0
    while now < NOW + DAY:
        assert not lookup(application.id_number, WRONG, ATTACKER, now=now).found
        guesses += 1
        now += datetime.timedelta(seconds=_wait(application.id_number, ATTACKER, now))
    assert guesses == 104  # README, security: 5 free, then 30 s doubling to 15 minutes
    passwords = len(status_lookup.QUERY_PASSWORD_ALPHABET) ** status_lookup.QUERY_PASSWORD_LENGTH
    assert passwords == 31**8
    assert guesses * 365 / passwords < 1e-7  # a year of guessing from one address


def test_spreading_guesses_over_many_ids_from_one_client_is_slowed_too(application):
    for n in range(20):
        lookup(make_id_number(datetime.date(1975, 1, 1), seq=n, area="330105"), WRONG, ATTACKER, now=NOW)
    assert lookup(application.id_number, PASSWORD, ATTACKER, now=NOW).throttled
    assert lookup(application.id_number, PASSWORD, OWNER, now=NOW).found


# Hiding behind the proxy.


def test_behind_one_proxy_a_client_failing_twenty_times_does_not_affect_another(client, settings, application):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(25):
        # The left-most entry is whatever the client wrote: a new one each time must not make a new client.
        forwarded = f"192.0.2.{n}, {ATTACKER}"
        other_id = make_id_number(datetime.date(1975, 1, 1), seq=n, area="330105")
        _post(client, other_id, WRONG, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    refused = _post(
        client, application.id_number, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.1.1.1, {ATTACKER}"
    )
    assert "查询失败次数过多" in _message(refused) and not _found(refused)
    response = _post(client, application.id_number, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)
    assert _found(response)


def test_behind_one_proxy_a_stranger_failing_on_the_owners_id_does_not_stop_the_owner(client, settings, application):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        _post(client, application.id_number, WRONG, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")
    assert _found(_post(client, application.id_number, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER))


# Burning CPU.


@pytest.fixture
def hash_calls(monkeypatch):
    """Counts keyed hashes in the lookup and any use of Django's password hashers."""
    calls = {"keyed": 0, "query_password": 0, "password_hasher": 0}
    real_keyed, real_query = status_lookup.keyed_hash, status_lookup.hash_query_password

    def keyed(value):
        calls["keyed"] += 1
        return real_keyed(value)

    def query(*args):
        calls["query_password"] += 1
        return real_query(*args)

    def hasher(*args, **kwargs):
        calls["password_hasher"] += 1
        raise AssertionError("a password hasher was used")

    monkeypatch.setattr(status_lookup, "keyed_hash", keyed)
    monkeypatch.setattr(status_lookup, "hash_query_password", query)
    monkeypatch.setattr(hashers, "get_hasher", hasher)
    monkeypatch.setattr(hashers, "identify_hasher", hasher)
    return calls


@pytest.mark.parametrize("applications", [0, 1, 6])
@pytest.mark.parametrize("password", [PASSWORD, WRONG])
def test_one_lookup_computes_one_keyed_hash_of_the_password_and_no_password_hash(hash_calls, applications, password):
    id_number = make_id_number(datetime.date(1980, 2, 2), seq=9, area="330102")
    for n in range(applications):
        ApplicationFactory(id_number=id_number, query_password=PASSWORD if n == 0 else f"PW{n}ABCDE")
    hash_calls.update(keyed=0, query_password=0)
    result = lookup(id_number, password, OWNER, now=NOW)
    assert result.found is (applications > 0 and password == PASSWORD)
    assert hash_calls == {"keyed": 2, "query_password": 1, "password_hasher": 0}  # the ID number's and the password's


def test_storing_a_query_password_at_submission_uses_no_password_hasher(hash_calls):
    stored = hash_query_password(PASSWORD, "an-id-hash")
    assert stored.startswith(status_lookup.HASH_PREFIX) and PASSWORD not in stored
    assert hash_calls["password_hasher"] == 0


def test_a_legacy_password_hash_still_finds_the_application_and_is_replaced_by_the_keyed_one(settings, application):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    legacy = hashers.make_password(PASSWORD)
    assert legacy.startswith("pbkdf2_sha256$")
    Application.objects.filter(pk=application.pk).update(query_password_hash=legacy)

    assert not lookup(application.id_number, WRONG, OWNER, now=NOW).found
    assert lookup(application.id_number, PASSWORD.lower(), OWNER, now=NOW).found
    application.refresh_from_db()
    assert application.query_password_hash == hash_query_password(PASSWORD, application.id_hash)
    assert lookup(application.id_number, PASSWORD, OWNER, now=NOW).found


def test_the_wait_is_shown_on_the_status_page(application):
    browser = Client()
    for _i in range(5):
        _post(browser, application.id_number, WRONG, REMOTE_ADDR=ATTACKER)
    message = _message(_post(browser, application.id_number, PASSWORD, REMOTE_ADDR=ATTACKER))
    assert re.fullmatch(r"查询失败次数过多，请(29|30)秒后再试。", message)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twelve_simultaneous_guesses_from_one_client_get_no_more_than_the_five_free_ones():
    id_number = make_id_number(datetime.date(1975, 1, 1), seq=1, area="330105")
    results = at_once(*[lambda: lookup(id_number, WRONG, ATTACKER)] * 12)
    assert sorted(result.throttled for result in results) == [False] * 5 + [True] * 7
