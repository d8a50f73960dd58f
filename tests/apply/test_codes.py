"""One-time codes: sent to the registered mobile, ten minutes, five tries, once, a resend cooldown,
bound to the session that asked for it."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from applications.apply import codes as one_time_codes
from applications.apply.codes import Outcome, ResendTooSoon, SmsNotSent
from applications.members.directory import LocalMemberDirectory
from applications.models import OneTimeCode, SmsMessage
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PURPOSE = "apply_2022"
MINUTE = datetime.timedelta(minutes=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def member(sms_file):
    record = MemberFactory(name="张三", mobile="13912345678")
    return LocalMemberDirectory().find_verified("张三", record.id_number)


@pytest.fixture
def t0():
    return timezone.now()


BINDING = "session-token-a"


def issue_code(member, purpose, *, now=None, binding=BINDING):
    return one_time_codes.issue_code(purpose, id_hash=member.id_hash, member=member, binding=binding, now=now)


def verify_code(id_hash, purpose, code, *, now=None, binding=BINDING):
    return one_time_codes.verify_code(id_hash, purpose, code, binding=binding, now=now)


def last_code(sms_file):
    line = json.loads(sms_file.read_text(encoding="utf-8").splitlines()[-1])
    return re.search(r"验证码为(\d{6})", line["text"]).group(1)


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_code_text_arrives_at_the_registered_mobile_and_only_its_hash_is_kept(member, sms_file, t0):
    issued = issue_code(member, PURPOSE, now=t0)

    line = json.loads(sms_file.read_text(encoding="utf-8"))
    code = last_code(sms_file)
    assert line["to"] == "13912345678"
    assert line["text"] == f"【杭州市总工会】您的验证码为{code}，10分钟内有效。如非本人操作，请忽略。"
    assert code not in issued.code_hash
    assert issued.expires_at == t0 + 10 * MINUTE
    recorded = SmsMessage.objects.get()
    assert code not in recorded.text and "******" in recorded.text
    assert recorded.purpose == f"one_time_code:{PURPOSE}"


def test_right_code_works_once(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)
    code = last_code(sms_file)

    result = verify_code(member.id_hash, PURPOSE, code, now=t0 + MINUTE)
    assert result.ok and result.outcome is Outcome.OK and result.message == "验证成功。"

    again = verify_code(member.id_hash, PURPOSE, code, now=t0 + MINUTE)
    assert not again.ok and again.outcome is Outcome.USED and "已使用" in again.message


def test_each_wrong_code_uses_up_a_try_and_the_sixth_is_refused_even_if_right(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)
    code = last_code(sms_file)

    results = [verify_code(member.id_hash, PURPOSE, wrong(code), now=t0 + MINUTE) for _ in range(5)]
    assert [r.outcome for r in results] == [Outcome.WRONG] * 5
    assert [r.tries_left for r in results] == [4, 3, 2, 1, 0]
    assert results[0].message == "验证码不正确，还可以再试4次。"
    assert "已无剩余次数" in results[-1].message

    sixth = verify_code(member.id_hash, PURPOSE, code, now=t0 + MINUTE)
    assert sixth.outcome is Outcome.TOO_MANY_TRIES and "错误次数过多" in sixth.message
    assert OneTimeCode.objects.get().attempts == 5


def test_right_code_on_the_fifth_try_still_works(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)
    code = last_code(sms_file)
    for _ in range(4):
        verify_code(member.id_hash, PURPOSE, wrong(code), now=t0)
    assert verify_code(member.id_hash, PURPOSE, code, now=t0).ok


@pytest.mark.parametrize(
    "after, outcome",
    [(10 * MINUTE - SECOND, Outcome.OK), (10 * MINUTE, Outcome.EXPIRED), (60 * MINUTE, Outcome.EXPIRED)],
)
def test_code_expires_after_ten_minutes(member, sms_file, t0, after, outcome):
    issue_code(member, PURPOSE, now=t0)
    result = verify_code(member.id_hash, PURPOSE, last_code(sms_file), now=t0 + after)
    assert result.outcome is outcome
    if outcome is Outcome.EXPIRED:
        assert result.message == "验证码已过期，请重新获取。"


def test_expiry_follows_the_setting(member, sms_file, t0, settings):
    settings.ONE_TIME_CODE_MINUTES = 5
    issue_code(member, PURPOSE, now=t0)
    assert "5分钟内有效" in json.loads(sms_file.read_text(encoding="utf-8"))["text"]
    assert verify_code(member.id_hash, PURPOSE, last_code(sms_file), now=t0 + 5 * MINUTE).outcome is Outcome.EXPIRED


def test_a_new_code_within_a_minute_is_refused(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)

    with pytest.raises(ResendTooSoon, match="请30秒后再重新获取") as refused:
        issue_code(member, PURPOSE, now=t0 + 30 * SECOND)
    assert refused.value.seconds_left == 30
    assert OneTimeCode.objects.count() == 1 and SmsMessage.objects.count() == 1


def test_a_new_code_replaces_the_earlier_one(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)
    first = last_code(sms_file)
    issue_code(member, PURPOSE, now=t0 + 61 * SECOND)
    second = last_code(sms_file)

    if first != second:
        assert verify_code(member.id_hash, PURPOSE, first, now=t0 + 2 * MINUTE).outcome is Outcome.WRONG
    assert verify_code(member.id_hash, PURPOSE, second, now=t0 + 2 * MINUTE).ok
    earlier = OneTimeCode.objects.order_by("created_at").first()
    assert earlier.expires_at == t0 + 61 * SECOND


def test_codes_are_kept_apart_by_purpose_and_person(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0)
    code = last_code(sms_file)
    assert verify_code(member.id_hash, "status_lookup", code, now=t0).outcome is Outcome.NO_CODE
    assert verify_code("0" * 64, PURPOSE, code, now=t0).outcome is Outcome.NO_CODE
    assert verify_code(member.id_hash, PURPOSE, code, now=t0).ok


def test_without_a_code_verification_says_so(member):
    result = verify_code(member.id_hash, PURPOSE, "123456")
    assert result.outcome is Outcome.NO_CODE and result.message == "请先获取短信验证码。"


def test_a_failed_message_discards_the_code_so_the_person_may_ask_again(member, settings, t0):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    settings.SMS_HTTP_BACKOFF = 0
    with pytest.raises(SmsNotSent, match="发送失败"):
        issue_code(member, PURPOSE, now=t0)
    assert not OneTimeCode.objects.exists()
    assert SmsMessage.objects.get().status == SmsMessage.Status.FAILED


def test_a_new_code_asked_for_in_another_session_leaves_the_first_sessions_code_working(member, sms_file, t0):
    issue_code(member, PURPOSE, now=t0, binding="phone")
    first = last_code(sms_file)
    issue_code(member, PURPOSE, now=t0 + 61 * SECOND, binding="laptop")
    second = last_code(sms_file)

    assert verify_code(member.id_hash, PURPOSE, first, now=t0 + 2 * MINUTE, binding="phone").ok
    assert verify_code(member.id_hash, PURPOSE, second, now=t0 + 2 * MINUTE, binding="laptop").ok


def test_a_stand_in_code_for_a_non_member_is_kept_and_counted_but_nothing_matches_it(sms_file, t0):
    id_hash = "f" * 64
    issued = one_time_codes.issue_code(PURPOSE, id_hash=id_hash, member=None, binding=BINDING, now=t0)
    assert not sms_file.exists() and not SmsMessage.objects.exists()
    assert issued.binding and issued.binding != BINDING

    results = [verify_code(id_hash, PURPOSE, f"{n:06d}", now=t0) for n in range(5)]
    assert [r.tries_left for r in results] == [4, 3, 2, 1, 0]
    with pytest.raises(ResendTooSoon):
        one_time_codes.issue_code(PURPOSE, id_hash=id_hash, member=None, binding=BINDING, now=t0 + 59 * SECOND)


def test_a_code_cannot_be_issued_without_a_session_to_bind_it_to(member):
    with pytest.raises(ValueError):
        issue_code(member, PURPOSE, binding="")
