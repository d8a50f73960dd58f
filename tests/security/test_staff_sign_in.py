"""Attacks on the staff sign-in: locking an account out, learning that a password was right,
resetting a password by mail, weak passwords, and a log that only saw the proxy."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.programme.staff import WeakPassword, create_staff
from staff_auth import sign_ins
from staff_auth.checks import check_password_reset
from staff_auth.devices import issue_device
from staff_auth.models import SignInEvent, SignInReason
from tests.concurrency import at_once
from tests.test_staff_auth import PASSWORD, code, wrong_code

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"
ONE_MESSAGE = "用户名、密码或动态验证码不正确，请重新输入。"
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.5"
PROXY = "10.0.0.1"
NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def staff():
    return create_staff("t-otp", "editor", password=PASSWORD)[0]


@pytest.fixture
def device(staff):
    return issue_device(staff)


def sign_in(client, password=PASSWORD, otp_token="", username="t-otp", **meta):
    data = {"username": username, "password": password, "otp_token": otp_token, "next": "/admin/"}
    return client.post(LOGIN_URL, data, **meta)


def errors(response):
    return re.findall(r'<li class="error">(.*?)</li>', response.content.decode(), re.S)


def forget_failed_codes(device):
    """django-otp makes a device wait after a wrong code; tests do not wait."""
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()


def forget_used_codes(device):
    """django-otp accepts each code once; tests do not wait for the next one."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)


# Locking the owner out.


def test_a_strangers_wrong_passwords_from_one_address_never_stop_the_owner_at_another(client, device):
    for _ in range(8):
        assert sign_in(client, "guess", code(device), REMOTE_ADDR=ATTACKER).status_code == 200
    response = sign_in(client, otp_token=code(device), REMOTE_ADDR=OWNER)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_failing_address_waits_even_with_the_right_password_and_code(client, device):
    for _ in range(5):
        sign_in(client, "guess", REMOTE_ADDR=ATTACKER)
    response = sign_in(client, otp_token=code(device), REMOTE_ADDR=ATTACKER)
    assert response.status_code == 200
    assert re.fullmatch(r"登录失败次数过多，请(29|30)秒后再试。", errors(response)[0])
    assert SignInEvent.objects.order_by("pk").last().reason == SignInReason.LOCKED


def test_an_address_that_keeps_failing_waits_twice_as_long_each_time(staff):
    now = NOW
    for _ in range(5):
        assert sign_ins.begin("t-otp", ATTACKER, now=now) == 0
        sign_ins.finish("t-otp", SignInReason.BAD_PASSWORD, ip=ATTACKER)
    waits = []
    for _ in range(7):
        wait = sign_ins.wait_seconds("t-otp", ATTACKER, now=now)
        waits.append(wait)
        assert sign_ins.begin("t-otp", ATTACKER, now=now + datetime.timedelta(seconds=wait - 1)) == 1
        now += datetime.timedelta(seconds=wait)
        assert sign_ins.begin("t-otp", ATTACKER, now=now) == 0
        sign_ins.finish("t-otp", SignInReason.BAD_PASSWORD, ip=ATTACKER)
    assert waits == [30, 60, 120, 240, 480, 900, 900]
    assert sign_ins.wait_seconds("t-otp", OWNER, now=now) == 0


def test_changing_the_case_of_the_username_does_not_start_a_new_count(client, staff):
    for username in ("t-otp", "T-OTP", "T-otp", "t-OTP", "T-Otp"):
        sign_in(client, "guess", username=username, REMOTE_ADDR=ATTACKER)
    assert "登录失败次数过多" in errors(sign_in(client, "guess", username="t-oTp", REMOTE_ADDR=ATTACKER))[0]


def test_spreading_guesses_over_many_usernames_from_one_address_is_slowed_too(client, device):
    for n in range(20):
        sign_in(client, "guess", username=f"someone-{n}", REMOTE_ADDR=ATTACKER)
    assert "登录失败次数过多" in errors(sign_in(client, otp_token=code(device), REMOTE_ADDR=ATTACKER))[0]
    assert sign_in(client, otp_token=code(device), REMOTE_ADDR=OWNER).status_code == 302


def test_signing_in_forgets_the_owners_own_failures(client, device):
    for _ in range(4):
        sign_in(client, "typo", REMOTE_ADDR=OWNER)
    assert sign_in(client, otp_token=code(device), REMOTE_ADDR=OWNER).status_code == 302
    client.logout()
    forget_used_codes(device)
    for _ in range(4):
        sign_in(client, "typo", REMOTE_ADDR=OWNER)
    assert sign_in(client, otp_token=code(device), REMOTE_ADDR=OWNER).status_code == 302


# Learning that a password was right.


def _without_csrf(response):
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'"CSRF_TOKEN": "[^"]+"', "", html)


def test_wrong_password_wrong_code_missing_code_and_no_authenticator_look_the_same(client, device):
    wrong_password = sign_in(client, "guess", code(device))
    wrong = sign_in(client, otp_token=wrong_code(device))
    forget_failed_codes(device)
    missing = sign_in(client, otp_token="")
    TOTPDevice.objects.filter(pk=device.pk).delete()
    no_device = sign_in(client, otp_token="123456")
    responses = [wrong_password, wrong, missing, no_device]
    assert all(response.status_code == 200 for response in responses)
    assert [errors(response) for response in responses] == [[ONE_MESSAGE]] * 4
    assert len({_without_csrf(response) for response in responses}) == 1  # the whole page, not only the message
    assert "_auth_user_id" not in client.session


def test_the_sign_in_log_still_records_the_real_reason(client, device):
    sign_in(client, "guess", code(device))
    sign_in(client, otp_token=wrong_code(device))
    forget_failed_codes(device)
    sign_in(client, otp_token="")
    TOTPDevice.objects.filter(pk=device.pk).delete()
    sign_in(client, otp_token="123456")
    assert list(SignInEvent.objects.order_by("pk").values_list("reason", flat=True)) == [
        SignInReason.BAD_PASSWORD,
        SignInReason.BAD_TOKEN,
        SignInReason.BAD_TOKEN,
        SignInReason.NO_DEVICE,
    ]


def test_the_right_password_without_an_authenticator_counts_as_a_failure_so_the_delays_do_not_tell(client, staff):
    for _ in range(5):
        sign_in(client, otp_token="123456", REMOTE_ADDR=ATTACKER)
    assert "登录失败次数过多" in errors(sign_in(client, otp_token="123456", REMOTE_ADDR=ATTACKER))[0]


# Resetting a password by mail.


def test_password_reset_by_mail_is_switched_off(client):
    assert client.get("/admin/password_reset/").status_code == 404
    assert client.post("/admin/password_reset/", {"email": "someone@example.com"}).status_code == 404
    assert "password_reset" not in client.get(LOGIN_URL).content.decode()


def test_the_deploy_check_warns_if_password_reset_is_switched_back_on(settings):
    assert check_password_reset(None) == []
    settings.WAGTAIL_PASSWORD_RESET_ENABLED = True
    assert [warning.id for warning in check_password_reset(None)] == ["staff_auth.W002"]


# Weak passwords.


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("12345678", ["这个密码太常见了。", "密码只包含数字。"]),
        ("password", ["这个密码太常见了。"]),
        ("hangzhou-2022", ["密码跟 用户名 太相似了。"]),
    ],
)
def test_create_staff_refuses_a_weak_password_with_the_validators_messages(password, messages):
    with pytest.raises(WeakPassword) as refused:
        create_staff("hangzhou-2022", "economic_dept", password=password)
    assert refused.value.messages == messages
    assert all(message in str(refused.value) for message in messages)
    assert not SignInEvent.objects.exists()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="hangzhou-2022").exists()


@pytest.mark.parametrize("password", ["12345678", "password"])
def test_the_create_staff_command_refuses_a_weak_password(password):
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match="这个密码太常见了。"):
        call_command("create_staff", "hangzhou", "--role", "economic_dept", "--password", password, stdout=StringIO())
    assert not get_user_model().objects.filter(username="hangzhou").exists()


def test_the_create_staff_command_takes_a_good_password(client):
    out = StringIO()
    call_command("create_staff", "hangzhou", "--role", "economic_dept", "--password", "Xihu-lake-2026", stdout=out)
    assert "已创建账号 hangzhou" in out.getvalue()


# A log that only saw the proxy.


def test_the_sign_in_log_records_the_client_address_behind_the_proxy(client, settings, device):
    settings.TRUSTED_PROXY_COUNT = 1
    forwarded = f"192.0.2.99, {OWNER}"  # the left-most entry was written by the client and is not believed
    sign_in(client, "guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    sign_in(client, otp_token=code(device), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert list(SignInEvent.objects.order_by("pk").values_list("ip", "succeeded")) == [(OWNER, False), (OWNER, True)]


def test_behind_the_proxy_a_strangers_failures_do_not_stop_the_owner(client, settings, device):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):
        sign_in(client, "guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")
    assert "登录失败次数过多" in errors(sign_in(client, "guess", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER))[0]
    assert sign_in(client, otp_token=code(device), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER).status_code == 302


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twelve_simultaneous_guesses_from_one_address_get_no_more_than_the_five_free_ones():
    at_once(*[lambda: sign_in(Client(), "guess", username="nobody", REMOTE_ADDR=ATTACKER)] * 12)
    reasons = sorted(SignInEvent.objects.values_list("reason", flat=True))
    assert reasons == sorted([SignInReason.BAD_PASSWORD] * 5 + [SignInReason.LOCKED] * 7)
