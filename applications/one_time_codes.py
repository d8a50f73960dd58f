"""Six-digit codes sent by text message to a member's registered mobile, to prove who is applying.

Only a keyed hash of each code is stored. A code lives `ONE_TIME_CODE_MINUTES` (10), allows
`ONE_TIME_CODE_MAX_TRIES` (5) guesses, counted with an atomic update so concurrent guesses
cannot exceed them, and works once. A new code may be asked for after
`ONE_TIME_CODE_RESEND_SECONDS` (60); it replaces the earlier ones.
"""

import datetime
import enum
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .crypto import keyed_hash
from .members import VerifiedMember
from .models import OneTimeCode, SmsMessage
from .sms import send_sms

SMS_PURPOSE = "one_time_code"
TEXT = "【杭州市总工会】您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略。"


def _minutes():
    return getattr(settings, "ONE_TIME_CODE_MINUTES", 10)


def _resend_seconds():
    return getattr(settings, "ONE_TIME_CODE_RESEND_SECONDS", 60)


def _max_tries():
    return getattr(settings, "ONE_TIME_CODE_MAX_TRIES", 5)


class CodeError(Exception):
    """A code could not be issued; the message (Chinese) can be shown to the person."""


class ResendTooSoon(CodeError):
    def __init__(self, seconds_left):
        self.seconds_left = seconds_left
        super().__init__(f"验证码已发送，请{seconds_left}秒后再重新获取。")


class SmsNotSent(CodeError):
    def __init__(self):
        super().__init__("验证码短信发送失败，请稍后再试。")


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


def issue_code(member: VerifiedMember, purpose: str, *, now=None) -> OneTimeCode:
    """Make a new code for `member` and `purpose`, text it to their registered mobile.

    Raises ResendTooSoon within the resend cooldown and SmsNotSent when the message failed
    (the code is then discarded, so the person may ask again at once).
    """
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = _minutes()
    with transaction.atomic():
        earlier = OneTimeCode.objects.filter(id_hash=member.id_hash, purpose=purpose)
        latest = earlier.select_for_update().order_by("-created_at", "-pk").first()
        if latest is not None:
            wait = _resend_seconds() - (now - latest.created_at).total_seconds()
            if wait > 0:
                raise ResendTooSoon(math.ceil(wait))
        earlier.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        issued = OneTimeCode.objects.create(
            id_hash=member.id_hash,
            purpose=purpose,
            code_hash=_hash(member.id_hash, purpose, code),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=minutes),
        )
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


def verify_code(id_hash: str, purpose: str, code: str, *, now=None) -> VerifyResult:
    """Check `code` against the newest code for `id_hash` and `purpose`; each call is one try."""
    now = now or timezone.now()
    max_tries = _max_tries()
    latest = OneTimeCode.objects.filter(id_hash=id_hash, purpose=purpose).order_by("-created_at", "-pk").first()
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
