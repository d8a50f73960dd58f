"""The counters behind every cap and growing delay: exact at their limits, and race-free on PostgreSQL."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from applications.core import throttle
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 10, 15))


def test_a_cap_counts_up_to_its_limit_and_refuses_the_next_use():
    cap = throttle.Cap("test", 3, HOUR)
    assert [throttle.take_all([(cap, "k")], now=NOW) for _ in range(4)] == [None, None, None, cap]
    assert throttle.used(cap, "k", now=NOW) == 3
    assert throttle.take_all([(cap, "other")], now=NOW) is None


def test_a_cap_starts_again_in_the_next_window():
    cap = throttle.Cap("test", 1, HOUR)
    assert throttle.take_all([(cap, "k")], now=NOW) is None
    assert throttle.take_all([(cap, "k")], now=NOW + datetime.timedelta(minutes=44)) == cap
    assert throttle.take_all([(cap, "k")], now=NOW + datetime.timedelta(minutes=45)) is None


def test_caps_count_all_or_none():
    roomy, full = throttle.Cap("roomy", 5, HOUR), throttle.Cap("full", 1, HOUR)
    throttle.take_all([(full, "k")], now=NOW)
    assert throttle.take_all([(roomy, "k"), (full, "k")], now=NOW) == full
    assert throttle.used(roomy, "k", now=NOW) == 0


def test_counter_keys_are_stored_hashed():
    from applications.models import RateCounter

    throttle.take_all([(throttle.Cap("mobile", 1, HOUR), "13900001111")], now=NOW)
    assert "13900001111" not in RateCounter.objects.get().key


BACKOFF = throttle.Backoff("test", free=2, base=datetime.timedelta(seconds=30), ceiling=datetime.timedelta(minutes=4))


def test_failures_past_the_free_ones_double_the_wait_up_to_the_ceiling():
    assert [BACKOFF.delay(n).total_seconds() for n in range(8)] == [0, 0, 30, 60, 120, 240, 240, 240]


def test_an_attempt_counts_in_advance_and_a_success_takes_it_back():
    key = "id|client"
    assert throttle.attempt([(BACKOFF, key)], now=NOW) == 0
    assert throttle.attempt([(BACKOFF, key)], now=NOW) == 0
    assert throttle.wait_seconds(BACKOFF, key, now=NOW) == 30
    assert throttle.attempt([(BACKOFF, key)], now=NOW + datetime.timedelta(seconds=29)) == 1  # refused, not counted
    assert throttle.failures(BACKOFF, key) == 2
    assert throttle.attempt([(BACKOFF, key)], now=NOW + datetime.timedelta(seconds=30)) == 0
    assert throttle.wait_seconds(BACKOFF, key, now=NOW + datetime.timedelta(seconds=30)) == 60
    throttle.not_a_failure(BACKOFF, key)
    assert throttle.failures(BACKOFF, key) == 2
    throttle.succeeded(BACKOFF, key)
    assert throttle.failures(BACKOFF, key) == 0


def test_failures_are_forgotten_after_a_quiet_day():
    for _ in range(3):
        throttle.attempt([(BACKOFF, "k")], now=NOW)
    later = NOW + BACKOFF.forget_after
    assert throttle.wait_seconds(BACKOFF, "k", now=later) == 0
    throttle.attempt([(BACKOFF, "k")], now=later)
    assert throttle.failures(BACKOFF, "k") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_simultaneous_uses_of_a_cap_of_one_count_once():
    cap = throttle.Cap("race", 1, HOUR)
    results = at_once(*[lambda: throttle.take_all([(cap, "k")])] * 10)
    assert results.count(None) == 1
    assert throttle.used(cap, "k") == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_simultaneous_attempts_get_no_more_than_the_free_tries():
    results = at_once(*[lambda: throttle.attempt([(BACKOFF, "k")])] * 10)
    assert results.count(0) == BACKOFF.free
    assert throttle.failures(BACKOFF, "k") == BACKOFF.free


def test_a_counter_another_request_has_just_made_is_kept_as_it_is():
    """A double-click: the other request made the row (and counted a failure) first. Making it again is
    neither an error nor a second row, and keeps what the other request counted."""
    from applications.models import FailureCounter

    assert throttle.attempt([(BACKOFF, "k")], now=NOW) == 0
    throttle._ensure(FailureCounter, scope=BACKOFF.scope, key=throttle._key("k"))
    assert FailureCounter.objects.count() == 1 and throttle.failures(BACKOFF, "k") == 1


def test_a_counter_deleted_between_its_creation_and_the_lock_is_made_again(monkeypatch):
    """Two lookups of one ID at once (a double-click; the load test saw a 500): the other one succeeds and
    deletes the row after this one found it and before it locked it. The attempt is counted, not a 500."""
    from applications.models import FailureCounter

    real = throttle._ensure
    raced = []

    def made_then_deleted(model, **fields):
        real(model, **fields)
        if not raced:
            raced.append(fields)
            model.objects.filter(**fields).delete()  # the other request's `succeeded`

    monkeypatch.setattr(throttle, "_ensure", made_then_deleted)
    assert throttle.attempt([(BACKOFF, "k")], now=NOW) == 0
    assert raced and throttle.failures(BACKOFF, "k") == 1
    assert FailureCounter.objects.count() == 1
