"""Counters behind the caps and the growing delays (applications.core.throttle), kept in the database so
every process sees the same counts, with or without Redis."""

from django.db import models
from django.utils import timezone


class RateCounter(models.Model):
    """How many times `key` used `scope` in the fixed window starting at `window_start`."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"], name="one_rate_counter")]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self):
        return f"{self.scope}:{self.key} {self.count}"


class FailureCounter(models.Model):
    """Failures of `key` in `scope` since the count last started; each one past the free ones doubles the wait."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=128)
    failures = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="one_failure_counter")]
        indexes = [models.Index(fields=["last_failed_at"], name="failure_counter_last")]

    def __str__(self):
        return f"{self.scope}:{self.key} {self.failures}"
