"""Status lookup at /status/: ID number + query password, plain words, one generic error, growing delays.

The attacks on the lookup (lockouts, proxies, hashing cost) are in tests/security/test_lookup.py.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from applications.apply import status as status_lookup
from applications.apply.status import (
    QUERY_PASSWORD_ALPHABET,
    check_query_password,
    hash_query_password,
    lookup,
    new_query_password,
)
from applications.core.constants import ApplicationState
from applications.core.crypto import keyed_hash
from applications.models import ApplicationEvent, FailureCounter, StatusPage
from home import page_cache
from tests.factories import ApplicationFactory, make_id_number

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2022, 12, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PASSWORD = "K7MP3WQX"
WRONG = "ABCDEFGH"
CLIENT = "203.0.113.5"
GENERIC = "身份证号码或查询密码不正确。"
THROTTLED = "查询失败次数过多，请30秒后再试。"
SECOND = datetime.timedelta(seconds=1)
UNKNOWN_ID = make_id_number(datetime.date(1970, 5, 5), seq=7, area="330105")


@pytest.fixture
def application(campaign_2022):
    return ApplicationFactory(campaign=campaign_2022, submitted_at=NOW - datetime.timedelta(days=10))


def _move(application, *steps):
    """Walk the application through (from_state, to_state, opinion) steps, an hour apart."""
    at = application.submitted_at
    for from_state, to_state, opinion in steps:
        ApplicationEvent.objects.create(
            application=application,
            actor_label="测试",
            from_state=from_state,
            to_state=to_state,
            opinion=opinion,
            created_at=at,
        )
        at += datetime.timedelta(hours=1)
        application.state = to_state
    application.save()
    return application


SUBMIT = ("", "submitted", "")
UNIT_OK = ("submitted", "unit_approved", "材料齐全，同意")
CITY_OK = ("unit_approved", "approved", "")
PAY = ("approved", "paid", "")


@pytest.mark.parametrize(
    ("steps", "state_reason", "words", "can_apply_again"),
    [
        ([SUBMIT], "", "已提交，待西湖区总工会预审", False),
        ([SUBMIT, UNIT_OK], "", "西湖区总工会已审核通过，待市总工会审核", False),
        ([SUBMIT, UNIT_OK, CITY_OK], "", "市总工会已审核通过，待发放奖励600元", False),
        ([SUBMIT, UNIT_OK, CITY_OK, PAY], "", "奖励600元已于2022年12月10日发放到您的银行卡", False),
        (
            [SUBMIT, ("submitted", "rejected", "")],
            "证书复印件不清晰",
            "未通过（区县市(产业)工会预审）：证书复印件不清晰",
            True,
        ),
        (
            [SUBMIT, UNIT_OK, ("unit_approved", "rejected", "发证机构不在奖励范围内")],
            "",
            "未通过（市总工会审核）：发证机构不在奖励范围内",
            True,
        ),
        ([SUBMIT, ("submitted", "withdrawn", "")], "申报等级有误", "已撤回：申报等级有误", False),
    ],
    ids=["submitted", "unit-approved", "approved", "paid", "rejected-by-unit", "rejected-by-city", "withdrawn"],
)
def test_each_state_is_described_in_plain_words(application, steps, state_reason, words, can_apply_again):
    application.state_reason = state_reason
    _move(application, *steps)
    result = lookup(application.id_number, PASSWORD, CLIENT, now=NOW)
    assert result.found and not result.message
    assert result.application == application
    assert result.status.details == words
    assert result.status.state_label == application.get_state_display()
    assert result.status.can_apply_again is can_apply_again
    assert [step.at for step in result.status.history] == sorted(step.at for step in result.status.history)
    assert len(result.status.history) == len(steps)


def test_paid_without_a_payment_event_leaves_the_date_out(application):
    application.state = ApplicationState.PAID
    application.save()
    status = lookup(application.id_number, PASSWORD, CLIENT, now=NOW).status
    assert status.details == "奖励600元已发放到您的银行卡"
    assert status.paid_on is None


def test_result_carries_the_facts_and_the_history_in_words(application, campaign_2022):
    _move(application, SUBMIT, UNIT_OK)
    status = lookup(application.id_number, PASSWORD, CLIENT, now=NOW).status
    assert status.reference == application.reference
    assert status.campaign_name == campaign_2022.name
    assert status.masked_id == application.id_number[:3] + "*" * 11 + application.id_number[-4:]
    assert (status.level, status.amount, status.submitted_on) == ("技师", 600, datetime.date(2022, 12, 10))
    assert [(step.step, step.opinion) for step in status.history] == [
        ("提交申请", ""),
        ("区县市(产业)工会预审通过", "材料齐全，同意"),
    ]


def _post(client, id_number, password):
    return client.post("/status/", {"id_number": id_number, "password": password})


def test_the_page_shows_the_result_card_and_after_a_rejection_a_link_to_apply_again(client, application):
    application.state_reason = "银行卡开户行未写到支行"
    _move(application, SUBMIT, ("submitted", "rejected", ""))
    html = _post(client, application.id_number, PASSWORD).content.decode()
    card = re.search(r'<section class="card[^"]*status-result" role="status".*?</section>', html, re.S).group(0)
    assert "未通过（区县市(产业)工会预审）：银行卡开户行未写到支行" in card
    assert 'href="/apply/"' in card
    assert application.reference in card and application.id_number not in html
    assert '<ol class="status-history' in card and "提交申请" in card


def test_no_apply_again_link_while_the_application_is_under_review(client, application):
    _move(application, SUBMIT)
    html = _post(client, application.id_number, PASSWORD).content.decode()
    assert "已提交，待西湖区总工会预审" in html
    assert "重新申请" not in html


def _message(html):
    return re.search(r'<div class="alert[^"]*status-message" role="alert">(.*?)</div>', html, re.S).group(1)


def test_wrong_password_and_unknown_id_get_the_identical_generic_message(client, application):
    wrong_password = _post(client, application.id_number, "ABCDEFGH")
    unknown_id = _post(client, UNKNOWN_ID, PASSWORD)
    assert wrong_password.status_code == unknown_id.status_code == 200
    assert _message(wrong_password.content.decode()) == _message(unknown_id.content.decode()) == GENERIC


def test_wrong_password_and_unknown_id_look_the_same_to_the_rule(application):
    results = [
        lookup(application.id_number, "ABCDEFGH", CLIENT, now=NOW),
        lookup(UNKNOWN_ID, PASSWORD, CLIENT, now=NOW),
    ]
    assert results[0] == results[1]
    assert results[0].message == GENERIC and not results[0].found and not results[0].throttled


def test_an_unknown_id_and_a_known_one_cost_the_same_one_keyed_hash(application, monkeypatch):
    calls = []
    real = status_lookup.hash_query_password
    monkeypatch.setattr(status_lookup, "hash_query_password", lambda *args: calls.append(args) or real(*args))
    lookup(UNKNOWN_ID, PASSWORD, CLIENT, now=NOW)
    lookup(application.id_number, WRONG, CLIENT, now=NOW)
    assert len(calls) == 2


@pytest.mark.parametrize("typed", ["k7mp3wqx", "  K7MP3WQX ", "k7Mp3WqX"])
def test_lower_case_and_surrounding_spaces_are_accepted(client, application, typed):
    assert lookup(application.id_number.lower(), typed, CLIENT, now=NOW).found
    assert "已提交，待西湖区总工会预审" in _post(client, " " + application.id_number.lower(), typed).content.decode()


def test_the_newest_application_whose_password_checks_is_shown(campaign_2022, application):
    application.state_reason = "证书编号有误"
    _move(application, SUBMIT, ("submitted", "rejected", ""))
    again = ApplicationFactory(
        campaign=campaign_2022, id_number=application.id_number, query_password="NEWPW234", submitted_at=NOW
    )
    assert lookup(application.id_number, "NEWPW234", CLIENT, now=NOW).application == again
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).application == application


def test_an_application_without_a_query_password_never_matches(application):
    application.query_password_hash = ""
    application.save()
    assert lookup(application.id_number, "", CLIENT, now=NOW).message == GENERIC
    assert not check_query_password(application, "")


def _fail(id_number, times, *, client=CLIENT, now=NOW):
    for _i in range(times):
        assert lookup(id_number, WRONG, client, now=now).message == GENERIC


def test_five_failures_cost_nothing_and_the_sixth_attempt_from_that_client_waits(application):
    _fail(application.id_number, 5)
    result = lookup(application.id_number, PASSWORD, CLIENT, now=NOW + SECOND)
    assert result.throttled and not result.found
    assert result.message == "查询失败次数过多，请29秒后再试。"


def test_four_failures_do_not_delay_the_right_password(application):
    _fail(application.id_number, 4)
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).found


def test_another_client_with_the_right_password_is_never_delayed_by_failures_elsewhere(application):
    _fail(application.id_number, 5, client="198.51.100.1")
    assert lookup(application.id_number, PASSWORD, "198.51.100.2", now=NOW + SECOND).found


def test_a_throttled_attempt_does_not_check_the_password(application, monkeypatch):
    _fail(application.id_number, 5)
    monkeypatch.setattr(status_lookup, "check_password", lambda *args: pytest.fail("password checked"))
    monkeypatch.setattr(status_lookup, "hash_query_password", lambda *args: pytest.fail("password hashed"))
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).throttled


def test_failures_for_another_id_do_not_count(application):
    _fail(UNKNOWN_ID, 5)
    assert lookup(UNKNOWN_ID, PASSWORD, CLIENT, now=NOW).throttled
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).found


def test_one_client_waits_after_twenty_failures_across_ids(application):
    for n in range(20):
        _fail(make_id_number(datetime.date(1975, 1, 1), seq=n, area="330105"), 1)
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).throttled
    assert lookup(application.id_number, PASSWORD, "198.51.100.7", now=NOW).found


def test_the_delays_are_settings(application, settings):
    settings.STATUS_LOOKUP_FREE_FAILURES = 2
    settings.STATUS_LOOKUP_DELAY_SECONDS = 120
    _fail(application.id_number, 2)
    result = lookup(application.id_number, PASSWORD, CLIENT, now=NOW + 10 * SECOND)
    assert result.throttled and result.message == "查询失败次数过多，请2分钟后再试。"


@pytest.mark.parametrize(
    ("later", "throttled"),
    [(29 * SECOND, True), (30 * SECOND, False)],
    ids=["while-waiting", "wait-over"],
)
def test_the_wait_ends_after_the_delay(application, later, throttled):
    _fail(application.id_number, 5)
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW + later).throttled is throttled


def test_a_found_application_forgets_the_failures_of_that_id_from_that_client(application):
    _fail(application.id_number, 4)
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).found
    _fail(application.id_number, 4)
    assert lookup(application.id_number, PASSWORD, CLIENT, now=NOW).found


def test_the_page_says_clearly_when_attempts_are_throttled(client, application):
    for _i in range(5):
        _post(client, application.id_number, WRONG)
    response = _post(client, application.id_number, PASSWORD)
    assert response.status_code == 200
    message = _message(response.content.decode())
    assert re.fullmatch(r"查询失败次数过多，请(29|30)秒后再试。", message)


def test_query_passwords_use_eight_characters_without_look_alikes():
    passwords = {new_query_password() for _i in range(200)}
    assert len(passwords) == 200
    assert all(len(pw) == 8 and set(pw) <= set(QUERY_PASSWORD_ALPHABET) for pw in passwords)
    assert not set("01ILO") & set(QUERY_PASSWORD_ALPHABET)
    assert len(QUERY_PASSWORD_ALPHABET) == 31


def test_the_query_password_is_stored_only_as_a_hash(application):
    application.refresh_from_db()
    assert application.query_password_hash != PASSWORD
    assert PASSWORD not in application.query_password_hash
    assert PASSWORD.lower() not in application.query_password_hash.lower()
    assert check_query_password(application, PASSWORD)
    # Keyed and bound to the ID number: the same password of another person hashes differently.
    assert hash_query_password(PASSWORD, application.id_hash) == application.query_password_hash
    assert hash_query_password(PASSWORD, keyed_hash(UNKNOWN_ID)) != application.query_password_hash


def test_the_form_page_has_labelled_fields_for_id_and_password(client, application):
    response = client.get("/status/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<label[^>]*for="id_id_number"[^>]*>\s*身份证号码', html)
    assert re.search(r'<label[^>]*for="id_password"[^>]*>\s*查询密码', html)
    password_input = re.search(r'<input[^>]*name="password"[^>]*>', html).group(0)
    assert 'type="password"' in password_input and 'autocomplete="off"' in password_input
    assert 'inputmode="text"' in password_input
    assert "凭申报时填写的身份证号码" in html and "忘记查询密码" in html  # the page's intro and help
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    ("id_number", "password", "field", "error"),
    [
        ("1101051949123100", PASSWORD, "id_number", "身份证号码应为18位"),
        ("11010519491231002Y", PASSWORD, "id_number", "身份证号码应为18位"),
        ("110105194912310021", PASSWORD, "id_number", "校验位不正确"),
        ("11010519491231002X", "ABC", "password", "查询密码为8位"),
        ("11010519491231002X", "ABCDEFG0", "password", "不含0、1、I、L、O"),
        ("", PASSWORD, "id_number", ""),
    ],
    ids=["too-short", "bad-last-char", "bad-checksum", "short-password", "look-alike", "missing-id"],
)
def test_form_errors_appear_next_to_the_field_and_keep_the_typed_id(client, id_number, password, field, error):
    html = _post(client, id_number, password).content.decode()
    assert f'id="error_1_id_{field}"' in html
    feedback = re.search(rf'<[^>]*id="error_1_id_{field}"[^>]*>(.*?)</', html, re.S).group(1)
    assert error in feedback
    if id_number:
        assert f'value="{id_number}"' in html
    assert not FailureCounter.objects.exists()  # a form error is not a failed lookup


@pytest.mark.parametrize(("password", "id_kept"), [(WRONG, True), (PASSWORD, False)], ids=["wrong", "right"])
def test_the_password_is_never_echoed_back(client, application, password, id_kept):
    html = _post(client, application.id_number, password).content.decode()
    assert password not in html
    # After a failure the typed ID stays for another try; after a match only the masked ID is shown.
    assert (f'value="{application.id_number}"' in html) is id_kept


@pytest.mark.parametrize("method", ["get", "post"])
def test_responses_are_private_and_not_stored(client, application, method):
    response = getattr(client, method)("/status/", {"id_number": application.id_number, "password": PASSWORD})
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control


def test_the_page_cache_never_stores_the_status_page(application):
    first = Client(enforce_csrf_checks=True)
    first.get("/status/")
    assert caches[page_cache.CACHE_ALIAS].get(page_cache._key(RequestFactory().get("/status/"))) is None

    second = Client(enforce_csrf_checks=True)
    html = second.get("/status/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = second.post(
        "/status/", {"csrfmiddlewaretoken": token, "id_number": application.id_number, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "已提交，待西湖区总工会预审" in response.content.decode()


def test_client_address_is_remote_addr_unless_proxies_are_trusted(settings):
    request = RequestFactory().get("/status/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert StatusPage.client_address(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert StatusPage.client_address(request) == "203.0.113.9"
