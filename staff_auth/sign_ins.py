"""The sign-in log, and the growing delays that slow the guessing of passwords and codes.

Every attempt to sign in is logged with its real reason (`record`), whatever the person is told.
Nothing is ever locked: failures are counted per username *and* client, and per client
(`applications.core.throttle.Backoff`). The first `STAFF_SIGN_IN_FREE_FAILURES` failures of one
username from one client, and the first `STAFF_SIGN_IN_FREE_FAILURES_PER_CLIENT` of one client
for any usernames, cost nothing; each one after them doubles the wait before that client's next
attempt, from `STAFF_SIGN_IN_DELAY_SECONDS` up to `STAFF_SIGN_IN_MAX_DELAY_SECONDS`. So a stranger
failing on a username from elsewhere never delays its owner.

A wrong password, a wrong or missing code and an account without an authenticator all count as
failures, so neither the message nor the delays tell which it was.
"""

from django.contrib.auth import get_user_model

from applications.core import throttle
from applications.core.client_address import client_key
from staff_auth.models import SignInEvent, SignInReason

SUCCEEDED = (SignInReason.SIGNED_IN, SignInReason.SIGNED_IN_PASSWORD_ONLY)


def record(username, reason, *, ip=None, user=None):
    """Log one attempt to sign in as `username`; the account is looked up when `user` is not given."""
    reason = SignInReason(reason)
    if user is None:
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    return SignInEvent.objects.create(username=username, user=user, ip=ip, succeeded=reason in SUCCEEDED, reason=reason)


def backoffs():
    """The growing delays: per username and client, and per client (settings `STAFF_SIGN_IN_*`)."""
    return throttle.paired_backoffs("sign-in", "user+client", "STAFF_SIGN_IN")


def _checks(username, ip):
    per_user, per_client = backoffs()
    client = client_key(ip)
    # Usernames are matched as typed, but "Admin" and "admin" are counted as one, so case cannot dodge the count.
    return [(per_user, f"{username.casefold()}|{client}"), (per_client, client)]


def begin(username, ip, *, now=None):
    """Start an attempt to sign in as `username` from the address `ip`: the seconds to wait first, or 0.

    With a wait the attempt is refused before the password is looked at and logged as such; with 0
    it counts as a failure until `finish` logs it as a success.
    """
    wait = throttle.attempt(_checks(username, ip), now=now)
    if wait:
        record(username, SignInReason.LOCKED, ip=ip)
    return wait


def finish(username, reason, *, ip=None, user=None):
    """Log how an attempt `begin` let through ended; a success forgets this username's failures from this client."""
    event = record(username, reason, ip=ip, user=user)
    if event.succeeded:
        (per_user, user_key), (per_client, client) = _checks(username, ip)
        throttle.succeeded(per_user, user_key)
        throttle.not_a_failure(per_client, client)
    return event


def wait_seconds(username, ip, *, now=None):
    """Seconds before `username` may try again from `ip` (0: now)."""
    return max(throttle.wait_seconds(backoff, key, now=now) for backoff, key in _checks(username, ip))
