"""Status lookup: an applicant finds an application with the ID number and the query password.

The query password is 8 random characters (about 40 bits), generated at submission, shown once
and stored as a keyed hash (HMAC under the hash key, bound to the ID number): a lookup computes
exactly one, whatever the number of applications, so it costs no more than rendering a page.
Wrong input gets one message whatever the cause, so the lookup never tells whether an ID number
has applied. Failures slow further guesses without locking anyone out (`applications.core.throttle`):
counted per ID number *and* client, and per client, each failure past the free ones doubling the
wait. A stranger's failures from elsewhere never delay the person who comes with the right
password, and guessing stays hopeless (README, security). Applications submitted before the keyed
hash keep Django's slow password hash until their owner's first lookup replaces it.
"""

import datetime
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from applications.core import throttle
from applications.core.client_address import client_key
from applications.core.constants import ApplicationState
from applications.core.crypto import keyed_hash
from applications.models import Application
from applications.programme.eligibility import format_date

QUERY_PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
QUERY_PASSWORD_LENGTH = 8
HASH_PREFIX = "hmac$"

UNIT_STAGE = gettext_noop("区县市(产业)工会预审")
CITY_STAGE = gettext_noop("市总工会审核")


# Query passwords.


def normalise_query_password(password: str) -> str:
    """The password as stored: surrounding spaces removed, upper-case."""
    return (password or "").strip().upper()


def new_query_password() -> str:
    """A random query password: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L)."""
    return "".join(secrets.choice(QUERY_PASSWORD_ALPHABET) for _i in range(QUERY_PASSWORD_LENGTH))


def hash_query_password(password: str, id_hash: str) -> str:
    """What `Application.query_password_hash` stores: an HMAC of the password bound to the ID number."""
    return HASH_PREFIX + keyed_hash(f"query-password:{id_hash}:{normalise_query_password(password)}")


def _matches(stored: str, computed: str, password: str) -> bool:
    if stored.startswith(HASH_PREFIX):
        return hmac.compare_digest(stored, computed)
    # Applications submitted before the keyed hash: Django's password hash, until `_upgrade_legacy_hash`.
    return bool(stored) and check_password(normalise_query_password(password), stored)


def check_query_password(application: Application, password: str) -> bool:
    """True if `password` (any case, surrounding spaces allowed) is the application's query password.

    An application without a query password (the unit channel) never matches.
    """
    if not normalise_query_password(password):
        return False
    computed = hash_query_password(password, application.id_hash)
    return _matches(application.query_password_hash, computed, password)


# Throttling.


def backoffs() -> tuple[throttle.Backoff, throttle.Backoff]:
    """The growing delays of failed lookups: per ID number and client, and per client (settings `STATUS_LOOKUP_*`)."""
    return throttle.paired_backoffs("lookup", "id+client", "STATUS_LOOKUP")


def throttle_keys(id_hash: str, client: str) -> tuple[str, str]:
    """The keys a lookup of `id_hash` from the client address `client` is counted under, in `backoffs()` order."""
    client = client_key(client)
    return f"{id_hash}|{client}", client


# Describing an application in plain words.


@dataclass(frozen=True)
class HistoryStep:
    """One step of the history as the applicant sees it (no staff names)."""

    at: datetime.datetime
    step: str
    opinion: str


@dataclass(frozen=True)
class StatusDescription:
    """An application's state and details in plain words, for the applicant."""

    state: str
    state_label: str
    details: str
    reference: str
    campaign_name: str
    masked_id: str
    level: str
    amount: int
    submitted_on: datetime.date
    unit: str
    paid_on: datetime.date | None = None
    rejected_stage: str = ""
    can_apply_again: bool = False
    history: tuple[HistoryStep, ...] = ()


def _stage_of(from_state: str) -> str:
    return {
        ApplicationState.SUBMITTED: UNIT_STAGE,
        ApplicationState.UNIT_APPROVED: CITY_STAGE,
        ApplicationState.APPROVED: CITY_STAGE,
    }.get(from_state, "")


def _step_words(event) -> str:
    to_state = event.to_state
    if to_state == ApplicationState.SUBMITTED and event.from_state == ApplicationState.RETURNED:
        return _("基层工会更正后重新提交")
    if to_state == ApplicationState.SUBMITTED:
        return _("提交申请")
    if to_state == ApplicationState.RETURNED:
        return _("退回基层工会修改")
    if to_state == ApplicationState.UNIT_APPROVED:
        return _("区县市(产业)工会预审通过")
    if to_state == ApplicationState.APPROVED and event.from_state == ApplicationState.PAYMENT_FAILED:
        return _("银行卡信息已更正，待重新发放")
    if to_state == ApplicationState.APPROVED:
        return _("市总工会审核通过")
    if to_state == ApplicationState.PAID:
        return _("奖励已发放")
    if to_state == event.from_state == ApplicationState.PAYMENT_FAILED:
        # A bank card correction entered, or sent back by the second person (applications.payments.corrections).
        if event.opinion.startswith("银行卡更正未通过复核"):
            return _("银行卡信息更正未通过复核")
        return _("银行卡信息更正待复核")
    if to_state == ApplicationState.PAYMENT_FAILED:
        return _("奖励发放失败")
    if to_state == ApplicationState.REJECTED:
        stage = _stage_of(event.from_state)
        return _("%(stage)s未通过") % {"stage": _(stage)} if stage else _("审核未通过")
    if to_state == ApplicationState.WITHDRAWN:
        return _("撤回申请")
    return to_state


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def describe(application: Application) -> StatusDescription:
    """The application's state in plain words, with its key facts and its history."""
    events = list(application.events.all())
    state = application.state
    unit = application.unit.name
    amount = application.amount
    paid_on = None
    stage = ""
    if state == ApplicationState.SUBMITTED:
        details = _("已提交，待%(unit)s预审") % {"unit": unit}
    elif state == ApplicationState.RETURNED:
        details = _("%(unit)s已退回基层工会修改，待基层工会更正后重新提交") % {"unit": unit}
    elif state == ApplicationState.UNIT_APPROVED:
        details = _("%(unit)s已审核通过，待市总工会审核") % {"unit": unit}
    elif state == ApplicationState.APPROVED:
        details = _("市总工会已审核通过，待发放奖励%(amount)s元") % {"amount": amount}
    elif state == ApplicationState.PAID:
        paid = [event for event in events if event.to_state == ApplicationState.PAID]
        paid_on = _local_date(paid[-1].created_at) if paid else None
        if paid_on:
            details = _("奖励%(amount)s元已于%(date)s发放到您的银行卡") % {
                "amount": amount,
                "date": format_date(paid_on),
            }
        else:
            details = _("奖励%(amount)s元已发放到您的银行卡") % {"amount": amount}
    elif state == ApplicationState.PAYMENT_FAILED:
        failures = [event for event in events if event.to_state == ApplicationState.PAYMENT_FAILED]
        reason = application.state_reason.strip() or (failures[-1].opinion.strip() if failures else "")
        details = _("发放失败") + (f"：{reason.rstrip('。.')}" if reason else "") + "。"
        details += _(
            "请尽快联系%(unit)s，提供本人正确的银行卡号和开户行（写至支行）；更正后将重新发放奖励%(amount)s元。"
        ) % {
            "unit": unit,
            "amount": amount,
        }
    elif state == ApplicationState.REJECTED:
        rejections = [event for event in events if event.to_state == ApplicationState.REJECTED]
        rejection = rejections[-1] if rejections else None
        stage = _stage_of(rejection.from_state) if rejection else ""
        reason = application.state_reason.strip() or (rejection.opinion.strip() if rejection else "")
        details = _("未通过（%(stage)s）") % {"stage": _(stage)} if stage else _("未通过")
        if reason:
            details = f"{details}：{reason}"
    elif state == ApplicationState.WITHDRAWN:
        reason = application.state_reason.strip()
        details = _("已撤回：%(reason)s") % {"reason": reason} if reason else _("已撤回")
    else:
        details = application.get_state_display()
    return StatusDescription(
        state=state,
        state_label=str(application.get_state_display()),
        details=details,
        reference=application.reference,
        campaign_name=str(application.campaign.display_name),
        masked_id=application.masked_id,
        level=application.new_level.name,
        amount=amount,
        submitted_on=_local_date(application.submitted_at),
        unit=unit,
        paid_on=paid_on,
        rejected_stage=stage,
        can_apply_again=state == ApplicationState.REJECTED,
        history=tuple(
            HistoryStep(at=event.created_at, step=_step_words(event), opinion=event.opinion.strip()) for event in events
        ),
    )


# The lookup.


@dataclass(frozen=True)
class LookupResult:
    """What a lookup found: the application and its description, or a message for the person."""

    application: Application | None = None
    status: StatusDescription | None = None
    message: str = ""
    throttled: bool = False

    @property
    def found(self) -> bool:
        return self.application is not None


def generic_failure_message() -> str:
    """The one message for every wrong ID number or password."""
    return _("身份证号码或查询密码不正确。")


def throttled_message(seconds: int) -> str:
    """The message for an attempt refused while this client waits."""
    if seconds >= 60:
        return _("查询失败次数过多，请%(minutes)s分钟后再试。") % {"minutes": (seconds + 59) // 60}
    return _("查询失败次数过多，请%(seconds)s秒后再试。") % {"seconds": seconds}


def lookup(id_number: str, password: str, client: str, *, now: datetime.datetime | None = None) -> LookupResult:
    """Find the applicant's application by ID number and query password.

    `client` is the client's address (`applications.core.client_address`). An attempt while this ID
    number and client, or this client, must wait is refused before the password is looked at.
    The match is the newest application of that ID number, in any campaign, whose password checks.
    """
    now = now or timezone.now()
    id_hash = keyed_hash((id_number or "").strip().upper())
    pair, per_client = backoffs()
    pair_key, client_only_key = throttle_keys(id_hash, client)
    wait = throttle.attempt([(pair, pair_key), (per_client, client_only_key)], now=now)
    if wait:
        return LookupResult(message=throttled_message(wait), throttled=True)
    candidates = list(
        Application.objects.filter(id_hash=id_hash)
        .select_related("campaign", "unit", "new_level")
        .order_by("-submitted_at", "-pk")
    )
    computed = hash_query_password(password, id_hash)
    match = None
    if normalise_query_password(password):
        match = next((app for app in candidates if _matches(app.query_password_hash, computed, password)), None)
    if match is None:
        return LookupResult(message=generic_failure_message())
    throttle.succeeded(pair, pair_key)
    throttle.not_a_failure(per_client, client_only_key)
    if not match.query_password_hash.startswith(HASH_PREFIX):
        _upgrade_legacy_hash(match, computed)
    return LookupResult(application=match, status=describe(match))


def _upgrade_legacy_hash(application: Application, computed: str) -> None:
    """Replace a legacy hash by the keyed one, now that its owner typed the password: later lookups are cheap."""
    Application.objects.filter(pk=application.pk, query_password_hash=application.query_password_hash).update(
        query_password_hash=computed
    )
    application.query_password_hash = computed
