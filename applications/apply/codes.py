"""Six-digit codes sent by text message to a member's registered mobile, to prove who is applying.

Only a keyed hash of each code is stored. A code lives `ONE_TIME_CODE_MINUTES` (10), allows
`ONE_TIME_CODE_MAX_TRIES` (5) guesses, counted with an atomic update so concurrent guesses
cannot exceed them, and works once. It is bound to the session that asked for it: the session
keeps a random token, the code row a keyed hash of it, and a try from any other session is
refused without touching the code. A new code for an ID number may be asked for after
`ONE_TIME_CODE_RESEND_SECONDS` (60); it replaces the session's earlier ones.

Sending is capped (`ONE_TIME_CODE_MAX_PER_*`, `ONE_TIME_CODE_GLOBAL_PER_HOUR`) and race-free:
every request for one ID number first takes that number's lock row (`throttle.hold`), so the
cooldown check and the new code happen one request at a time, and the caps count all or none.

Someone who is not a verified member (or gives a name that does not match) goes through the same
steps: a code row is made that no code can match, nothing is sent, and they are shown four
stand-in digits, so nobody can learn from the answers whether an ID number belongs to a member.
"""

import datetime
import enum
import hmac
import logging
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from applications.core import throttle
from applications.core.client_address import client_key
from applications.core.crypto import keyed_hash
from applications.core.sms import send_sms
from applications.members.directory import VerifiedMember, get_member_directory
from applications.models import OneTimeCode, SmsMessage

SMS_PURPOSE = "one_time_code"
TEXT = "【杭州市总工会】您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
LOCK_SCOPE = "code-lock"
GLOBAL_KEY = "all"
WARN_AT = 0.8  # the share of the global budget at which the security log warns

security_log = logging.getLogger("portal.security")


def _setting(name, default):
    return getattr(settings, name, default)


def _minutes():
    return _setting("ONE_TIME_CODE_MINUTES", 10)


def _resend_seconds():
    return _setting("ONE_TIME_CODE_RESEND_SECONDS", 60)


def _max_tries():
    return _setting("ONE_TIME_CODE_MAX_TRIES", 5)


DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def caps() -> dict[str, throttle.Cap]:
    """The caps on sending codes, by what they count: "id", "mobile", "client" and "global"."""
    return {
        "id": throttle.Cap("code-id-day", _setting("ONE_TIME_CODE_MAX_PER_ID_PER_DAY", 5), DAY),
        "mobile": throttle.Cap("code-mobile-day", _setting("ONE_TIME_CODE_MAX_PER_MOBILE_PER_DAY", 8), DAY),
        "client": throttle.Cap("code-client-hour", _setting("ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR", 20), HOUR),
        "global": throttle.Cap("code-global-hour", _setting("ONE_TIME_CODE_GLOBAL_PER_HOUR", 3000), HOUR),
    }


class CodeError(Exception):
    """A code could not be issued; the message (Chinese) can be shown to the person."""


class ResendTooSoon(CodeError):
    def __init__(self, seconds_left):
        self.seconds_left = seconds_left
        super().__init__(f"验证码已发送，请{seconds_left}秒后再重新获取。")


class SmsNotSent(CodeError):
    def __init__(self):
        super().__init__("验证码短信发送失败，请稍后再试。")


def _when(moment, now) -> str:
    """The local time of `moment`, with "明天" before it when that is the next day."""
    local = timezone.localtime(moment)
    day = "" if local.date() == timezone.localtime(now).date() else "明天"
    return f"{day}{local:%H:%M}"


# One message per kind of cap; the ID and the mobile caps share theirs, so a refusal never tells
# whether an ID number has a registered mobile.
LIMIT_MESSAGES = {
    "id": "获取验证码的次数已达当日上限，请于{when}后再试。",
    "mobile": "获取验证码的次数已达当日上限，请于{when}后再试。",
    "client": "您所在网络获取验证码的次数过多，请于{when}后再试。",
    "global": "目前获取验证码的人数过多，请于{when}后再试。",
}


class TooManyCodes(CodeError):
    """A cap on sending codes is reached; `kind` is "id", "mobile", "client" or "global"."""

    def __init__(self, kind, again_at, now):
        self.kind = kind
        self.again_at = again_at
        super().__init__(LIMIT_MESSAGES[kind].format(when=_when(again_at, now)))


class Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_TRIES = "too_many_tries"
    USED = "used"
    NO_CODE = "no_code"


@dataclass(frozen=True)
class VerifyResult:
    outcome: Outcome
    message: str
    tries_left: int | None = None

    @property
    def ok(self):
        return self.outcome is Outcome.OK

    def __bool__(self):
        return self.ok


def _hash(id_hash, purpose, code):
    return keyed_hash(f"one-time-code:{id_hash}:{purpose}:{code}")


def _binding_hash(binding: str) -> str:
    return keyed_hash(f"one-time-code-binding:{binding}")


def new_binding() -> str:
    """A random token for the session to keep; codes it asks for can be tried only with it."""
    return secrets.token_hex(32)


def stand_in_tail(id_number: str, name: str) -> str:
    """Four digits shown to someone who is not a verified member, the same each time for the same input.

    Derived from the name too: were it from the ID number alone, trying a member's ID number with
    two names would show two different tails, one of them the member's, and tell membership apart.
    """
    digest = keyed_hash(f"one-time-code-tail:{(id_number or '').strip()}:{(name or '').strip()}")
    return f"{int(digest[:8], 16) % 10_000:04d}"


def _count(uses, now):
    """Count one code against every cap, all or none; raise TooManyCodes for the first full one."""
    full = throttle.take_all([(cap, key) for _kind, cap, key in uses], now=now)
    if full is not None:
        kind = next(kind for kind, cap, _key in uses if cap == full)
        raise TooManyCodes(kind, full.window_start(now) + full.period, now)
    budget = next(cap for kind, cap, _key in uses if kind == "global")
    spent = throttle.used(budget, GLOBAL_KEY, now=now)
    if spent == budget.limit:
        security_log.error(
            "One-time codes: the global budget of %s an hour is spent; further codes are refused until %s.",
            budget.limit,
            _when(budget.window_start(now) + budget.period, now),
        )
    elif spent == math.ceil(budget.limit * WARN_AT):
        security_log.warning("One-time codes: %s of the global budget of %s an hour used.", spent, budget.limit)


def issue_code(
    purpose: str,
    *,
    id_hash: str,
    member: VerifiedMember | None,
    binding: str,
    client: str | None = None,
    now=None,
) -> OneTimeCode:
    """Make a new code for the ID number `id_hash` and `purpose`, bound to `binding`, and text it to `member`.

    With `member` None (not a verified member), the same checks and counts happen and a code row
    is made, but it can never match and nothing is sent. Raises ResendTooSoon within the resend
    cooldown, TooManyCodes when a cap is reached, and SmsNotSent when the message failed (the
    code is then discarded, so the person may ask again at once).
    """
    if member is not None and member.id_hash != id_hash:
        raise ValueError("id_hash is not the member's")
    if not binding:
        raise ValueError("a code must be bound to a session")
    now = now or timezone.now()
    minutes = _minutes()
    code = f"{secrets.randbelow(10**6):06d}"
    limits = caps()
    uses = [
        ("id", limits["id"], id_hash),
        ("mobile", limits["mobile"], member.mobile if member else f"id:{id_hash}"),
        ("client", limits["client"], client_key(client)),
        ("global", limits["global"], GLOBAL_KEY),
    ]
    with transaction.atomic():
        throttle.hold(LOCK_SCOPE, id_hash)  # one request per ID number at a time, until this commits
        earlier = OneTimeCode.objects.filter(id_hash=id_hash, purpose=purpose)
        latest = earlier.order_by("-created_at", "-pk").first()
        if latest is not None:
            wait = _resend_seconds() - (now - latest.created_at).total_seconds()
            if wait > 0:
                raise ResendTooSoon(math.ceil(wait))
        _count(uses, now)
        bound = _binding_hash(binding)
        earlier.filter(binding=bound, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        issued = OneTimeCode.objects.create(
            id_hash=id_hash,
            purpose=purpose,
            # Not a keyed hash of any code ("!" is no hex digit): nobody's code matches a stand-in.
            code_hash=_hash(id_hash, purpose, code) if member else "!" + secrets.token_hex(32),
            binding=bound,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
    if member is None:
        return issued
    message = send_sms(
        member.mobile,
        TEXT.format(code=code, minutes=minutes),
        purpose=f"{SMS_PURPOSE}:{purpose}",
        logged_text=TEXT.format(code="******", minutes=minutes),
    )
    if message.status != SmsMessage.Status.SENT:
        issued.delete()
        raise SmsNotSent()
    return issued


@dataclass(frozen=True)
class CodeRequest:
    """What came of asking for a code with a name and an ID number: the same shape for everyone."""

    id_hash: str
    member: VerifiedMember | None
    mobile_tail: str  # the registered mobile's last four digits, or stand-in digits for a non-member


def request_code(
    name: str, id_number: str, purpose: str, *, binding: str, client: str | None = None, now=None
) -> CodeRequest:
    """Look the person up and issue a code (`issue_code`); a non-member gets a stand-in and stand-in digits.

    Raises CodeError as `issue_code` does, alike for members and non-members.
    """
    id_hash = keyed_hash(id_number)
    member = get_member_directory().find_verified(name, id_number)
    if member is not None and member.id_hash != id_hash:
        member = None  # a directory keying people differently cannot be told apart from a stranger
    issue_code(purpose, id_hash=id_hash, member=member, binding=binding, client=client, now=now)
    tail = member.mobile[-4:] if member else stand_in_tail(id_number, name)
    return CodeRequest(id_hash=id_hash, member=member, mobile_tail=tail)


def verify_code(id_hash: str, purpose: str, code: str, *, binding: str, now=None) -> VerifyResult:
    """Check `code` against the newest code for `id_hash` and `purpose` asked for with `binding`; each call is one try.

    A session without such a code (another browser, or nothing asked for yet) gets NO_CODE and
    no code's tries are used.
    """
    now = now or timezone.now()
    max_tries = _max_tries()
    latest = None
    if binding:
        codes = OneTimeCode.objects.filter(id_hash=id_hash, purpose=purpose, binding=_binding_hash(binding))
        latest = codes.order_by("-created_at", "-pk").first()
    if latest is None:
        return VerifyResult(Outcome.NO_CODE, "请先获取短信验证码。")
    if latest.used_at is not None:
        return VerifyResult(Outcome.USED, "该验证码已使用，请重新获取。")
    if now >= latest.expires_at:
        return VerifyResult(Outcome.EXPIRED, "验证码已过期，请重新获取。")

    counted = OneTimeCode.objects.filter(pk=latest.pk, used_at__isnull=True, attempts__lt=max_tries).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        if OneTimeCode.objects.filter(pk=latest.pk, used_at__isnull=False).exists():
            return VerifyResult(Outcome.USED, "该验证码已使用，请重新获取。")
        return VerifyResult(Outcome.TOO_MANY_TRIES, "验证码错误次数过多，已失效，请重新获取。", 0)

    if hmac.compare_digest(latest.code_hash, _hash(id_hash, purpose, str(code or "").strip())):
        if OneTimeCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now):
            return VerifyResult(Outcome.OK, "验证成功。")
        return VerifyResult(Outcome.USED, "该验证码已使用，请重新获取。")

    attempts = OneTimeCode.objects.values_list("attempts", flat=True).get(pk=latest.pk)
    tries_left = max(0, max_tries - attempts)
    if tries_left:
        return VerifyResult(Outcome.WRONG, f"验证码不正确，还可以再试{tries_left}次。", tries_left)
    return VerifyResult(Outcome.WRONG, "验证码不正确，已无剩余次数，请重新获取。", 0)
