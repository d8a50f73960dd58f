"""Attacks on the one-time codes and the apply flow: floods, lockouts, membership probing, planted sessions.

Each test reproduces an attack that worked before issue 9 and asserts it no longer does.
"""

import datetime
import io
import json
import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.utils import timezone
from PIL import Image

from applications.apply import codes as one_time_codes
from applications.apply.codes import Outcome, TooManyCodes
from applications.core.crypto import keyed_hash
from applications.core.storage import private_storage
from applications.members.directory import LocalMemberDirectory
from applications.models import OneTimeCode, SmsMessage
from applications.programme.demo import ensure_demo_campaign
from tests.concurrency import at_once
from tests.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

PURPOSE = "apply"
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)
STRANGER_ID = make_id_number(datetime.date(1979, 3, 4), seq=321)  # valid, and nobody's in the registry
MOBILE = "13812345678"


@pytest.fixture
def demo(campaign_2022):
    return ensure_demo_campaign(campaign_2022)


@pytest.fixture
def t0():
    return timezone.now().replace(minute=0, second=0, microsecond=0)  # caps count per fixed window


@pytest.fixture
def security_log(caplog, monkeypatch):
    """Records of "portal.security" ("portal" does not propagate to the root logger caplog listens on)."""
    monkeypatch.setattr(logging.getLogger("portal"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="portal.security")
    return caplog


def _texts(sms_file):
    if not sms_file.exists():
        return []
    return [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]


def _last_code(sms_file):
    return re.search(r"验证码为(\d{6})", _texts(sms_file)[-1]["text"]).group(1)


def _wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def _ask(name, id_number, *, binding="session-a", client="198.51.100.7", now=None):
    return one_time_codes.request_code(name, id_number, PURPOSE, binding=binding, client=client, now=now)


def _refusal(name, id_number, **kwargs):
    with pytest.raises(TooManyCodes) as refused:
        _ask(name, id_number, **kwargs)
    return refused.value


def _normalised(html, tail):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return html.replace(f"尾号{tail}的手机", "尾号XXXX的手机")


def _tail(html):
    return re.search(r"验证码已发送至尾号(\d{4})的手机", html).group(1)


# Floods.


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("registered", [True, False], ids=["member", "stranger"])
def test_ten_simultaneous_requests_for_one_id_number_send_at_most_one_text(campaign_2022, sms_file, registered):

    url = f"/apply/{ensure_demo_campaign(campaign_2022).year}/"
    member = MemberFactory(mobile=MOBILE)
    name, id_number = (member.name, member.id_number) if registered else ("李四", STRANGER_ID)
    visitors = [Client(REMOTE_ADDR=f"198.51.100.{n}") for n in range(10)]
    responses = at_once(
        *(lambda v=visitor: v.post(url, {"name": name, "id_number": id_number}) for visitor in visitors)
    )
    outcomes = ["sent" if r.status_code == 302 else re.sub(r"\d+秒", "N秒", r.text) for r in responses]
    assert outcomes.count("sent") == 1
    assert all("验证码已发送，请N秒后再重新获取。" in outcome for outcome in outcomes if outcome != "sent")
    assert OneTimeCode.objects.filter(id_hash=keyed_hash(id_number)).count() == 1
    assert len(_texts(sms_file)) == SmsMessage.objects.count() == (1 if registered else 0)


def test_a_member_gets_at_most_five_codes_a_day_whatever_the_session_or_address(settings, demo, sms_file):
    settings.ONE_TIME_CODE_RESEND_SECONDS = 0
    member = MemberFactory(mobile=MOBILE)
    url = f"/apply/{demo.year}/"
    answers = []
    for n in range(6):
        visitor = Client(REMOTE_ADDR=f"198.51.100.{n}")
        answers.append(visitor.post(url, {"name": member.name, "id_number": member.id_number}))
    assert [answer.status_code for answer in answers] == [302] * 5 + [200]
    assert "获取验证码的次数已达当日上限，请于" in answers[-1].text
    assert len(_texts(sms_file)) == 5


def test_the_daily_cap_is_counted_per_id_number_in_the_service(sms_file, t0):
    member = MemberFactory(mobile=MOBILE)
    for n in range(5):
        _ask(member.name, member.id_number, binding=f"s{n}", client=f"198.51.100.{n}", now=t0 + n * 61 * SECOND)

    refused = _refusal(member.name, member.id_number, binding="s9", client="203.0.113.9", now=t0 + 6 * MINUTE)
    assert refused.kind == "id"
    assert str(refused).startswith("获取验证码的次数已达当日上限，请于")
    assert len(_texts(sms_file)) == 5


def test_a_stranger_reaches_the_daily_cap_with_the_same_words_as_a_member(sms_file, t0):
    member = MemberFactory(mobile=MOBILE)
    refusals = []
    for name, id_number in ((member.name, member.id_number), ("李四", STRANGER_ID)):
        for n in range(5):
            _ask(name, id_number, binding=f"s{n}", client=f"198.51.100.{n}", now=t0 + n * 61 * SECOND)
        refusals.append(str(_refusal(name, id_number, binding="s9", client="203.0.113.9", now=t0 + 6 * MINUTE)))
    assert refusals[0] == refusals[1]
    assert len(_texts(sms_file)) == 5  # the stranger's five were never sent


def test_one_mobile_shared_by_several_members_gets_at_most_eight_codes_a_day(sms_file, t0):
    first, second = MemberFactory(mobile=MOBILE), MemberFactory(mobile=MOBILE)
    for n in range(5):
        _ask(first.name, first.id_number, binding=f"a{n}", client=f"198.51.100.{n}", now=t0 + n * 61 * SECOND)
    for n in range(3):
        _ask(second.name, second.id_number, binding=f"b{n}", client=f"198.51.100.{n}", now=t0 + n * 61 * SECOND)

    refused = _refusal(second.name, second.id_number, binding="b9", client="203.0.113.9", now=t0 + 4 * MINUTE)
    assert refused.kind == "mobile"
    assert str(refused).startswith("获取验证码的次数已达当日上限")  # the words of the ID cap: nothing more told
    assert [text["to"] for text in _texts(sms_file)] == [MOBILE] * 8


def test_one_client_address_gets_at_most_its_hourly_share_of_codes(settings, sms_file, t0):
    settings.ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR = 3
    members = MemberFactory.create_batch(4)
    for member in members[:3]:
        _ask(member.name, member.id_number, client="203.0.113.5", now=t0)

    refused = _refusal(members[3].name, members[3].id_number, client="203.0.113.5", now=t0 + MINUTE)
    assert refused.kind == "client"
    assert str(refused).startswith("您所在网络获取验证码的次数过多，请于")
    assert str(refused).endswith(f"{timezone.localtime(t0 + 60 * MINUTE):%H:%M}后再试。")
    _ask(members[3].name, members[3].id_number, client="203.0.113.6", now=t0 + MINUTE)  # another address may
    _ask(members[3].name, members[3].id_number, client="203.0.113.5", now=t0 + 61 * MINUTE)  # the next hour may
    assert len(_texts(sms_file)) == 5


def test_the_client_cap_counts_the_address_the_request_came_from(settings, client, demo, sms_file):
    settings.ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR = 2
    settings.TRUSTED_PROXY_COUNT = 1
    url = f"/apply/{demo.year}/"
    for n, member in enumerate(MemberFactory.create_batch(3)):
        visitor = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5")
        response = visitor.post(url, {"name": member.name, "id_number": member.id_number})
    assert response.status_code == 200
    assert "您所在网络获取验证码的次数过多" in response.content.decode()
    assert len(_texts(sms_file)) == 2


def test_the_global_hourly_budget_warns_near_it_alerts_when_spent_and_then_refuses(
    settings, sms_file, t0, security_log
):
    settings.ONE_TIME_CODE_GLOBAL_PER_HOUR = 5
    members = MemberFactory.create_batch(6)
    for n, member in enumerate(members[:3]):
        _ask(member.name, member.id_number, client=f"198.51.100.{n}", now=t0)
    assert not security_log.records

    _ask(members[3].name, members[3].id_number, client="198.51.100.3", now=t0)
    assert [(r.name, r.levelname) for r in security_log.records] == [("portal.security", "WARNING")]
    _ask(members[4].name, members[4].id_number, client="198.51.100.4", now=t0)
    assert [r.levelname for r in security_log.records] == ["WARNING", "ERROR"]
    assert "global budget of 5 an hour is spent" in security_log.records[-1].getMessage()

    refused = _refusal(members[5].name, members[5].id_number, client="198.51.100.5", now=t0)
    assert refused.kind == "global" and str(refused).startswith("目前获取验证码的人数过多")
    assert len(_texts(sms_file)) == 5


def test_a_refused_request_counts_against_no_cap(settings, sms_file, t0):
    settings.ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR = 1
    first, second = MemberFactory.create_batch(2)
    _ask(first.name, first.id_number, client="203.0.113.5", now=t0)
    _refusal(second.name, second.id_number, client="203.0.113.5", now=t0)
    # The refusal at the client cap did not count against the second member's day.
    for n in range(5):
        _ask(second.name, second.id_number, client=f"198.51.100.{n}", now=t0 + n * 61 * SECOND)


# Codes bound to the session that asked.


def test_a_code_cannot_be_tried_or_burned_from_another_session(sms_file, t0):
    member = MemberFactory(mobile=MOBILE)
    _ask(member.name, member.id_number, binding="session-a", now=t0)
    code = _last_code(sms_file)

    for guess in (_wrong(code), _wrong(code), _wrong(code), _wrong(code), _wrong(code), code):
        result = one_time_codes.verify_code(member.id_hash, PURPOSE, guess, binding="session-b", now=t0)
        assert result.outcome is Outcome.NO_CODE
    assert OneTimeCode.objects.get().attempts == 0
    assert one_time_codes.verify_code(member.id_hash, PURPOSE, code, binding="session-a", now=t0).ok


def test_another_browser_cannot_use_up_the_members_tries(settings, demo, sms_file):
    settings.ONE_TIME_CODE_RESEND_SECONDS = 0
    member = MemberFactory(mobile=MOBILE)
    url = f"/apply/{demo.year}/"
    owner, attacker = Client(), Client()
    owner.post(url, {"name": member.name, "id_number": member.id_number})
    code = _last_code(sms_file)

    attacker.post(url, {"name": member.name, "id_number": member.id_number})  # its own code, to the member's phone
    for _ in range(6):
        attacker.post(url, {"code": _wrong(code) if _wrong(code) != _last_code(sms_file) else "999999"})
    assert "错误次数过多" in attacker.post(url, {"code": code}).content.decode()  # the owner's code is not its

    response = owner.post(url, {"code": code})
    assert response.status_code == 302
    assert "第二步：填写申请表" in owner.get(url).content.decode()


# The identity step tells nobody who is a member.


@pytest.mark.parametrize("stranger_name", ["李四", None], ids=["not-in-registry", "member-id-wrong-name"])
def test_the_identity_step_answers_members_and_strangers_alike(settings, demo, sms_file, stranger_name):
    settings.ONE_TIME_CODE_RESEND_SECONDS = 0  # the wrong-name stranger asks for the member's ID number too
    member = MemberFactory(mobile=MOBILE)
    stranger = (stranger_name, STRANGER_ID) if stranger_name else ("王二", member.id_number)
    url = f"/apply/{demo.year}/"
    pages = []
    for name, id_number in ((member.name, member.id_number), stranger):
        visitor = Client()
        posted = visitor.post(url, {"name": name, "id_number": id_number})
        assert (posted.status_code, posted["Location"]) == (302, url)
        pages.append(visitor.get(url).content.decode())

    member_page, stranger_page = pages
    assert _tail(member_page) == "5678"
    assert _normalised(member_page, "5678") == _normalised(stranger_page, _tail(stranger_page))
    assert [text["to"] for text in _texts(sms_file)] == [MOBILE]  # nothing sent for the stranger


def test_the_code_step_shows_no_more_than_four_digits_of_the_mobile(client, demo, sms_file):
    member = MemberFactory(mobile=MOBILE)
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": member.name, "id_number": member.id_number})
    html = client.get(url).content.decode()
    assert "验证码已发送至尾号5678的手机" in html
    assert not re.search(r"1[3-9]\d(\*{4}|\d{4})5678", html)
    assert MOBILE[:3] + "****" not in html
    assert not any(MOBILE[i : i + 5] in html for i in range(len(MOBILE) - 4))  # no 5 digits in a row


def test_the_code_step_says_what_to_do_when_no_text_arrives(client, demo, sms_file):
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": "李四", "id_number": STRANGER_ID})
    html = client.get(url).content.decode()
    assert "没有收到短信？" in html
    assert "姓名和身份证号码须与实名认证信息完全一致" in html
    assert "通过所在单位工会统一申报" in html


def test_a_strangers_stand_in_digits_stay_the_same_when_asked_again(settings, demo, sms_file):
    settings.ONE_TIME_CODE_RESEND_SECONDS = 0
    url = f"/apply/{demo.year}/"
    tails = []
    for _ in range(2):
        visitor = Client()
        visitor.post(url, {"name": "李四", "id_number": STRANGER_ID})
        tails.append(_tail(visitor.get(url).content.decode()))
    assert tails[0] == tails[1]


def test_a_stranger_is_held_to_the_same_cooldown_as_a_member(client, demo, sms_file):
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    answers = []
    for name, id_number in ((member.name, member.id_number), ("李四", STRANGER_ID)):
        visitor = Client()
        visitor.post(url, {"name": name, "id_number": id_number})
        visitor.post(url, {"restart": "1"})
        html = visitor.post(url, {"name": name, "id_number": id_number}).content.decode()
        answers.append(re.search(r"验证码已发送，请\d+秒后再重新获取。", html).group())
    assert answers[0] == answers[1]


def test_a_strangers_code_tries_are_counted_like_a_members(demo, sms_file):
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    answers = []
    for name, id_number in ((member.name, member.id_number), ("李四", STRANGER_ID)):
        visitor = Client()
        visitor.post(url, {"name": name, "id_number": id_number})
        guess = "000000" if _last_code(sms_file) != "000000" else "111111"  # never the member's code
        answers.append(
            [
                re.search(
                    r"验证码(不正确|错误次数过多)[^<]*", visitor.post(url, {"code": guess}).content.decode()
                ).group()
                for _ in range(6)
            ]
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == "验证码不正确，还可以再试4次。"
    assert answers[0][-1] == "验证码错误次数过多，已失效，请重新获取。"


# The session after the code.


def test_the_session_key_changes_when_the_code_is_verified(settings, client, demo, sms_file):
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": member.name, "id_number": member.id_number})
    planted = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert client.post(url, {"code": _last_code(sms_file)}).status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != planted
    assert not Session.objects.filter(session_key=planted).exists()

    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = (
        planted  # the session the attacker planted before the member signed in
    )
    html = attacker.get(url).content.decode()
    assert "第一步：身份验证" in html and member.employer not in html


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def _details(demo, member):
    return {
        "unit": str(demo.quotas.get(unit__name="西湖区总工会").unit_id),
        "education": "senior",
        "occupation": "数控车工",
        "new_level": str(demo.reward_levels.get(level__code="technician").level_id),
        "certificate_number": "S000033010600123",
        "certificate_issued_on": demo.window_start.isoformat(),
        "certificate_issuer_type": "hr",
        "certificate_issuer": "杭州市人力资源和社会保障局",
        "mobile": member.mobile,
        "bank_card": "6222021234567890128",
        "bank_branch": "中国工商银行杭州西湖支行",
        "employer": member.employer,
        "grassroots_union": member.grassroots_union,
        "is_migrant": "no",
        "sensitive_consent": "on",
    }


@pytest.fixture
def later(monkeypatch):
    """Move the clock forward by `minutes` for everything that asks django.utils.timezone."""
    real_now = timezone.now

    def move(minutes):
        monkeypatch.setattr(timezone, "now", lambda: real_now() + datetime.timedelta(minutes=minutes))

    return move


def test_an_application_left_idle_for_more_than_thirty_minutes_starts_again(client, demo, sms_file, later):
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": member.name, "id_number": member.id_number})
    client.post(url, {"code": _last_code(sms_file)})
    client.post(url, _details(demo, member))
    before = set(private_storage().listdir("pending")[0]) if private_storage().exists("pending") else set()
    client.post(url, {"id_front": _png()})  # one of four files: the flow stays at the attachments step
    pending = set(private_storage().listdir("pending")[0]) - before
    assert len(pending) == 1

    later(29)
    assert "第三步：上传材料" in client.get(url).content.decode()  # activity keeps it alive
    later(29 + 31)
    response = client.post(url, {"id_back": _png()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "第一步：身份验证" in html
    assert "您已超过30分钟没有操作" in html
    assert "请输入有效" not in html and "这个字段是必填项" not in html  # the stale post is not taken as step one
    (token,) = pending
    assert private_storage().listdir(f"pending/{token}")[1] == []  # the uploaded file is deleted
    assert "第一步：身份验证" in client.get(url).content.decode()


def test_a_verified_application_in_progress_does_not_outlive_the_idle_limit(settings, client, demo, sms_file, later):
    settings.APPLY_IDLE_MINUTES = 5
    member = MemberFactory()
    url = f"/apply/{demo.year}/"
    client.post(url, {"name": member.name, "id_number": member.id_number})
    client.post(url, {"code": _last_code(sms_file)})
    later(6)
    html = client.post(url, _details(demo, member)).content.decode()
    assert "您已超过5分钟没有操作" in html
    assert "第二步：填写申请表" not in client.get(url).content.decode()


def test_the_stand_in_digits_come_from_the_id_number_and_the_name():
    directory = LocalMemberDirectory()
    assert directory.find_verified("李四", STRANGER_ID) is None
    first = one_time_codes.stand_in_tail(STRANGER_ID, "李四")
    assert re.fullmatch(r"\d{4}", first)
    assert one_time_codes.stand_in_tail(STRANGER_ID, "李四") == first
    others = {one_time_codes.stand_in_tail(STRANGER_ID, name) for name in ("王二", "张三", "赵六", "钱七")}
    assert len(others | {first}) > 1  # a member's ID with another name shows other digits too
