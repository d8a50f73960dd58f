"""The sign-in log and the lockout rule read from it.

`STAFF_LOCKOUT_FAILURES` wrong passwords or codes for one username within
`STAFF_LOCKOUT_MINUTES` lock that username for `STAFF_LOCKOUT_MINUTES` from the last of them.
A successful sign-in starts the count again; attempts refused because of the lock, or because
the account has no authenticator yet, do not count.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import COUNTED_FAILURES, SignInEvent, SignInReason


def record(username, reason, *, ip=None, user=None):
    """Log one attempt to sign in as `username`; the account is looked up when `user` is not given."""
    reason = SignInReason(reason)
    if user is None:
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    succeeded = reason in (SignInReason.SIGNED_IN, SignInReason.SIGNED_IN_PASSWORD_ONLY)
    return SignInEvent.objects.create(username=username, user=user, ip=ip, succeeded=succeeded, reason=reason)


def locked_until(username, *, now=None):
    """The time until which `username` may not sign in, or None when it may."""
    now = now or timezone.now()
    span = timedelta(minutes=settings.STAFF_LOCKOUT_MINUTES)
    needed = settings.STAFF_LOCKOUT_FAILURES
    events = SignInEvent.objects.filter(username=username, created_at__gt=now - 2 * span, created_at__lte=now)
    failures = []
    for created_at, succeeded, reason in events.order_by("created_at").values_list("created_at", "succeeded", "reason"):
        if succeeded:
            failures.clear()
        elif reason in COUNTED_FAILURES:
            failures.append(created_at)
    # The latest failure that completed `needed` failures within one span starts the lock.
    for last in range(len(failures) - 1, needed - 2, -1):
        if failures[last] - failures[last - needed + 1] < span:
            until = failures[last] + span
            return until if until > now else None
    return None
