"""Caps and growing delays, counted in the database so every process sees the same numbers.

- `take_all` counts one use against several caps (`Cap`: at most `limit` uses of a key per fixed
  window of `period`) in one transaction: either every cap counts the use, or none does and the
  first cap that is full is returned. The count is a conditional UPDATE, so on PostgreSQL
  concurrent requests queue on the counter's row and never exceed the limit.
- `Backoff` slows guessing without locking anyone out: the first `free` failures of a key cost
  nothing; each one after them doubles the wait before the next attempt from that key (from
  `base` up to `ceiling`). Keys are an identifier *and* a client, so a stranger's failures never
  delay the person who comes with the right secret from their own device. `attempt` counts the
  attempt as a failure before it is checked (so parallel requests cannot slip past the count) and
  `succeeded` clears it.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from applications.models import FailureCounter, RateCounter


def _key(value: str) -> str:
    """Counter keys are hashed: they may hold a mobile number or an address."""
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Cap:
    """At most `limit` uses of one key in `scope` per window of `period`."""

    scope: str
    limit: int
    period: datetime.timedelta

    def window_start(self, now: datetime.datetime) -> datetime.datetime:
        seconds = int(self.period.total_seconds())
        epoch = int(now.timestamp())
        return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def _ensure(model, **fields):
    """Make the counter row unless it exists, in one statement (INSERT … ON CONFLICT DO NOTHING): another
    request making it at the same moment is not an error and needs no savepoint."""
    model.objects.bulk_create([model(**fields)], ignore_conflicts=True)


def _take(cap: Cap, key: str, now) -> bool:
    lookup = {"scope": cap.scope, "key": _key(key), "window_start": cap.window_start(now)}
    _ensure(RateCounter, **lookup)
    return bool(RateCounter.objects.filter(**lookup, count__lt=cap.limit).update(count=F("count") + 1))


class CapReached(Exception):
    def __init__(self, cap: Cap):
        super().__init__(cap.scope)
        self.cap = cap


def take_all(uses, *, now=None) -> Cap | None:
    """Count one use for each (cap, key) in `uses`, all or none; the first full cap, or None when all counted."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            for cap, key in uses:
                if not _take(cap, key, now):
                    raise CapReached(cap)
    except CapReached as full:
        return full.cap
    return None


def used(cap: Cap, key: str, *, now=None) -> int:
    """How many uses `key` has counted in the cap's current window."""
    now = now or timezone.now()
    counter = RateCounter.objects.filter(scope=cap.scope, key=_key(key), window_start=cap.window_start(now)).first()
    return counter.count if counter else 0


LOCK_WINDOW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def hold(scope: str, key: str) -> None:
    """Wait for, then hold until the caller's transaction ends, the one lock row of `key` in `scope`.

    For a check-then-act on one key (is there a recent code? if not, make one): callers take turns
    on a row that always exists, even before anything else about the key does. The row is written
    (an UPDATE), which locks it on PostgreSQL and takes the write lock on SQLite. Call it inside
    `transaction.atomic()`.
    """
    lookup = {"scope": scope, "key": _key(key), "window_start": LOCK_WINDOW}
    for _attempt in range(3):  # `purge` may delete the row between making and locking it
        _ensure(RateCounter, **lookup)
        if RateCounter.objects.filter(**lookup).update(count=F("count") + 1):
            return
    raise RuntimeError(f"could not lock {scope}")


@dataclass(frozen=True)
class Backoff:
    """Growing delays for failures of one key in `scope`."""

    scope: str
    free: int
    base: datetime.timedelta
    ceiling: datetime.timedelta
    forget_after: datetime.timedelta = datetime.timedelta(hours=24)

    def delay(self, failures: int) -> datetime.timedelta:
        """The wait after `failures` failures in a row."""
        if failures < self.free:
            return datetime.timedelta(0)
        doublings = min(failures - self.free, 30)
        return min(self.ceiling, self.base * (2**doublings))


def paired_backoffs(scope: str, first: str, settings_prefix: str) -> tuple[Backoff, Backoff]:
    """The two growing delays of one kind of attempt: per `first` (an identifier and the client) and per client.

    From the settings `<settings_prefix>_FREE_FAILURES`, `…_FREE_FAILURES_PER_CLIENT`, `…_DELAY_SECONDS`
    and `…_MAX_DELAY_SECONDS`; the scopes are `<scope>:<first>` and `<scope>:client`.
    """

    def setting(name):
        return getattr(settings, f"{settings_prefix}_{name}")

    base = datetime.timedelta(seconds=setting("DELAY_SECONDS"))
    ceiling = datetime.timedelta(seconds=setting("MAX_DELAY_SECONDS"))
    return (
        Backoff(f"{scope}:{first}", setting("FREE_FAILURES"), base, ceiling),
        Backoff(f"{scope}:client", setting("FREE_FAILURES_PER_CLIENT"), base, ceiling),
    )


def _wait(backoff: Backoff, counter, now) -> int:
    if counter is None or now - counter.last_failed_at >= backoff.forget_after:
        return 0
    delay = backoff.delay(counter.failures)
    if not delay:
        return 0
    remaining = counter.last_failed_at + delay - now
    return max(0, int(remaining.total_seconds() + 0.999))


def wait_seconds(backoff: Backoff, key: str, *, now=None) -> int:
    """Seconds before `key` may try again (0: now)."""
    now = now or timezone.now()
    return _wait(backoff, FailureCounter.objects.filter(scope=backoff.scope, key=_key(key)).first(), now)


def _locked_failures(scope, key):
    """The failure counter row, created if missing, locked until the transaction ends. A success for the
    same key (a double-click) may delete the row between finding it and locking it: then make it again."""
    for _attempt in range(5):
        _ensure(FailureCounter, scope=scope, key=key)
        locked = FailureCounter.objects.select_for_update().filter(scope=scope, key=key).first()
        if locked is not None:
            return locked
    raise RuntimeError(f"failure counter {scope} kept being deleted under concurrent requests")


def attempt(checks, *, now=None) -> int:
    """Start an attempt under each (backoff, key) in `checks`: the longest wait in seconds, or 0.

    With 0, the attempt has been counted as a failure under every key until `succeeded` clears
    it; with a wait, nothing was counted and the caller refuses the attempt without checking it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        counters = []
        for backoff, key in checks:
            counters.append((backoff, _locked_failures(backoff.scope, _key(key))))
        wait = max((_wait(backoff, counter, now) for backoff, counter in counters), default=0)
        if wait:
            return wait
        for backoff, counter in counters:
            stale = now - counter.last_failed_at >= backoff.forget_after
            FailureCounter.objects.filter(pk=counter.pk).update(
                failures=1 if stale else F("failures") + 1, last_failed_at=now
            )
    return 0


def succeeded(backoff: Backoff, key: str) -> None:
    """Forget the failures of `key` (the right secret came for this identifier from this client)."""
    FailureCounter.objects.filter(scope=backoff.scope, key=_key(key)).delete()


def not_a_failure(backoff: Backoff, key: str) -> None:
    """Take back the failure `attempt` counted for `key` in advance (the attempt succeeded), keeping the others."""
    FailureCounter.objects.filter(scope=backoff.scope, key=_key(key), failures__gt=0).update(failures=F("failures") - 1)


def failures(backoff: Backoff, key: str) -> int:
    counter = FailureCounter.objects.filter(scope=backoff.scope, key=_key(key)).first()
    return counter.failures if counter else 0


def purge(*, now=None, keep=datetime.timedelta(days=2)) -> int:
    """Delete counters nobody has touched for `keep`; returns how many."""
    now = now or timezone.now()
    removed = RateCounter.objects.filter(window_start__lt=now - keep).delete()[0]
    return removed + FailureCounter.objects.filter(last_failed_at__lt=now - keep).delete()[0]
