"""Staff sign in with a password and a code from an authenticator; repeated failures slow the next try.

The attacks on the sign-in (lockouts, telling a right password, weak passwords) are in
tests/security/test_staff_sign_in.py.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from applications.models import FailureCounter
from applications.programme.staff import create_staff
from staff_auth import sign_ins
from staff_auth.checks import check_staff_otp
from staff_auth.devices import base32_key, issue_device
from staff_auth.models import SignInEvent, SignInReason

pytestmark = pytest.mark.django_db

LOGIN_URL = "/admin/login/"
PASSWORD = "pw-for-tests"
REFUSED = "用户名、密码或动态验证码不正确，请重新输入。"
WAIT_MESSAGE = re.compile(r"登录失败次数过多，请(29|30)秒后再试。")


@pytest.fixture
def staff():
    return create_staff("t-otp", "editor", password=PASSWORD)[0]


@pytest.fixture
def device(staff):
    return issue_device(staff)


def code(device):
    return f"{totp(device.bin_key):06d}"


def wrong_code(device):
    return f"{(int(code(device)) + 500_000) % 1_000_000:06d}"


def sign_in(client, username="t-otp", password=PASSWORD, otp_token=""):
    return client.post(
        LOGIN_URL, {"username": username, "password": password, "otp_token": otp_token, "next": "/admin/"}
    )


def forget_failed_codes(device):
    """django-otp makes a device wait a second after a wrong code; tests do not wait."""
    TOTPDevice.objects.get(pk=device.pk).throttle_reset()


def reasons(username="t-otp"):
    return list(SignInEvent.objects.filter(username=username).order_by("pk").values_list("reason", flat=True))


def test_login_page_asks_for_the_code(client):
    html = client.get(LOGIN_URL).content.decode()
    assert "动态验证码" in html
    assert 'name="otp_token"' in html


def test_password_and_current_code_sign_in_as_verified(client, settings, device):
    response = sign_in(client, otp_token=code(device))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/admin/").status_code == 200
    event = SignInEvent.objects.get()
    assert (event.username, event.user, event.ip, event.succeeded) == ("t-otp", device.user, "127.0.0.1", True)
    assert event.reason == SignInReason.SIGNED_IN


@pytest.mark.parametrize("token", ["wrong", "", "12ab56"])
def test_wrong_or_missing_code_is_refused(client, device, token):
    response = sign_in(client, otp_token=wrong_code(device) if token == "wrong" else token)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert reasons() == [SignInReason.BAD_TOKEN]


def test_a_code_is_accepted_only_once(client, device):
    token = code(device)
    assert sign_in(client, otp_token=token).status_code == 302
    client.logout()
    assert sign_in(client, otp_token=token).status_code == 200
    assert reasons() == [SignInReason.SIGNED_IN, SignInReason.BAD_TOKEN]


def test_wrong_password_is_refused_before_the_code_is_checked(client, device):
    response = sign_in(client, password="not-the-password", otp_token=code(device))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert reasons() == [SignInReason.BAD_PASSWORD]
    assert SignInEvent.objects.get().user == device.user


def test_staff_without_an_authenticator_are_refused_and_the_form_says_whom_to_ask(client, staff):
    assert "尚未绑定或更换了手机的，请联系市总工会管理员。" in client.get(LOGIN_URL).content.decode()
    response = sign_in(client, otp_token="123456")
    assert REFUSED in response.content.decode()  # not "no authenticator": that would confirm the password
    assert "_auth_user_id" not in client.session
    assert reasons() == [SignInReason.NO_DEVICE]


def test_password_alone_signs_in_when_codes_are_switched_off(client, settings, staff):
    settings.STAFF_OTP_REQUIRED = False
    assert 'name="otp_token"' not in client.get(LOGIN_URL).content.decode()
    response = client.post(LOGIN_URL, {"username": "t-otp", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert reasons() == [SignInReason.SIGNED_IN_PASSWORD_ONLY]
    refused = client.post(LOGIN_URL, {"username": "t-otp", "password": "guess", "next": "/admin/"})
    assert "用户名或密码不正确，请重新输入。" in refused.content.decode()


def test_five_wrong_passwords_make_this_address_wait_even_for_the_right_credentials(client, device):
    for _ in range(5):
        assert sign_in(client, password="guess", otp_token=code(device)).status_code == 200
    response = sign_in(client, otp_token=code(device))
    assert WAIT_MESSAGE.search(response.content.decode())
    assert "_auth_user_id" not in client.session
    assert reasons() == [SignInReason.BAD_PASSWORD] * 5 + [SignInReason.LOCKED]


def test_wrong_codes_count_towards_the_wait(client, device):
    for _ in range(5):
        sign_in(client, otp_token=wrong_code(device))
    assert WAIT_MESSAGE.search(sign_in(client, otp_token=code(device)).content.decode())


def test_unknown_usernames_are_slowed_too(client):
    for _ in range(5):
        sign_in(client, username="nobody", password="guess")
    assert WAIT_MESSAGE.search(sign_in(client, username="nobody", password="guess").content.decode())
    assert reasons("nobody")[-1] == SignInReason.LOCKED


def test_the_wait_ends_after_the_delay(client, device):
    for _ in range(5):
        sign_in(client, password="guess")
    FailureCounter.objects.update(last_failed_at=timezone.now() - datetime.timedelta(seconds=30))
    assert sign_in(client, otp_token=code(device)).status_code == 302


NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
CLIENT = "198.51.100.1"
BAD = SignInReason.BAD_PASSWORD
TOKEN = SignInReason.BAD_TOKEN
OK = SignInReason.SIGNED_IN


@pytest.mark.parametrize(
    ("outcomes", "wait"),
    [
        ([BAD, BAD, BAD, BAD], 0),  # four failures are free
        ([BAD, BAD, TOKEN, BAD, TOKEN], 30),  # the fifth starts the wait
        ([BAD] * 6, 60),  # each one after it doubles the wait
        ([BAD] * 7, 120),
        ([BAD] * 12, 900),  # up to fifteen minutes
        ([BAD, BAD, OK, BAD, BAD, BAD], 0),  # a success starts the count again
        (
            [SignInReason.NO_DEVICE] * 5,
            30,
        ),  # a right password without an authenticator counts, so the wait does not tell
    ],
)
def test_delay_rule(outcomes, wait, staff):
    """Each attempt comes as soon as it may; then the wait before the next one."""
    now = NOW
    for outcome in outcomes:
        now += datetime.timedelta(seconds=sign_ins.wait_seconds("t-otp", CLIENT, now=now))
        assert sign_ins.begin("t-otp", CLIENT, now=now) == 0
        sign_ins.finish("t-otp", outcome, ip=CLIENT)
    assert sign_ins.wait_seconds("t-otp", CLIENT, now=now) == wait


def test_every_attempt_is_logged(client, device):
    sign_in(client, password="guess")
    sign_in(client, otp_token=wrong_code(device))
    forget_failed_codes(device)
    sign_in(client, username="nobody", password="guess")
    sign_in(client, otp_token=code(device))
    events = list(SignInEvent.objects.order_by("pk"))
    assert [(e.username, e.succeeded, e.reason) for e in events] == [
        ("t-otp", False, SignInReason.BAD_PASSWORD),
        ("t-otp", False, SignInReason.BAD_TOKEN),
        ("nobody", False, SignInReason.BAD_PASSWORD),
        ("t-otp", True, SignInReason.SIGNED_IN),
    ]
    assert all(e.ip == "127.0.0.1" and e.created_at for e in events)
    assert [e.user for e in events] == [device.user, device.user, None, device.user]


def test_create_staff_with_otp_issues_a_confirmed_authenticator(client):
    out = StringIO()
    call_command("create_staff", "hangzhou", "--role", "economic_dept", "--password", "x" * 12, "--otp", stdout=out)
    device = TOTPDevice.objects.get(user__username="hangzhou")
    assert device.confirmed
    text = out.getvalue()
    assert "otpauth://totp/" in text
    assert device.config_url in text
    assert base32_key(device) in text
    assert sign_in(client, "hangzhou", "x" * 12, code(device)).status_code == 302


def test_create_staff_without_otp_says_the_account_cannot_sign_in_yet():
    out = StringIO()
    call_command("create_staff", "hangzhou", "--role", "economic_dept", "--password", "x" * 12, stdout=out)
    assert "staff_otp hangzhou" in out.getvalue()
    assert not TOTPDevice.objects.filter(user__username="hangzhou").exists()


def test_staff_otp_issues_once_and_reset_replaces_the_key(client, staff):
    call_command("staff_otp", "t-otp", stdout=StringIO())
    old = TOTPDevice.objects.get(user=staff)
    with pytest.raises(CommandError, match="--reset"):
        call_command("staff_otp", "t-otp", stdout=StringIO())
    out = StringIO()
    call_command("staff_otp", "t-otp", "--reset", stdout=out)
    new = TOTPDevice.objects.get(user=staff)
    assert new.pk != old.pk and new.key != old.key
    assert new.config_url in out.getvalue()
    assert sign_in(client, otp_token=code(old)).status_code == 200
    forget_failed_codes(new)
    assert sign_in(client, otp_token=code(new)).status_code == 302


def test_staff_otp_refuses_unknown_accounts():
    with pytest.raises(CommandError, match="没有账号"):
        call_command("staff_otp", "nobody", stdout=StringIO())


@pytest.mark.unverified_login
def test_unverified_session_is_signed_out_when_enforced(client, settings, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert "_auth_user_id" not in client.session
    assert "请重新登录" in client.get(response["Location"]).content.decode()


@pytest.mark.unverified_login
def test_unverified_session_is_signed_out_outside_the_admin_too(client, settings, staff):
    """Staff open attachments at /attachments/<pk>/, so the rule covers the whole site."""
    client.force_login(staff)
    assert client.get("/attachments/1/").status_code == 404
    assert "_auth_user_id" not in client.session


@pytest.mark.unverified_login
def test_unverified_session_passes_when_codes_are_switched_off(client, settings, staff):
    settings.STAFF_OTP_REQUIRED = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("superuser", 200), ("city_service_center", 200), ("editor", 302), ("economic_dept", 302)],
)
def test_sign_in_log_is_read_only_for_superusers_and_the_city_service_center(client, django_user_model, who, status):
    if who == "superuser":
        user = django_user_model.objects.create_superuser("root", password=PASSWORD)
    else:
        user = create_staff(f"t-{who}", who, password=PASSWORD)[0]
    event = sign_ins.record("t-otp", SignInReason.BAD_PASSWORD, ip="10.0.0.1")
    client.force_login(user)
    response = client.get("/admin/sign_in_events/")
    assert response.status_code == status
    if status == 200:
        assert "10.0.0.1" in response.content.decode()
        assert "10.0.0.1" in client.get("/admin/sign_in_events/?q=t-otp&succeeded=false").content.decode()
        assert "10.0.0.1" not in client.get("/admin/sign_in_events/?q=someone-else").content.decode()
        assert client.get(f"/admin/sign_in_events/inspect/{event.pk}/").status_code == 200
        assert client.get(f"/admin/sign_in_events/edit/{event.pk}/").status_code == 404
        assert client.get(f"/admin/sign_in_events/delete/{event.pk}/").status_code == 404


def test_deploy_check_warns_when_codes_are_switched_off(settings):
    assert check_staff_otp(None) == []
    settings.STAFF_OTP_REQUIRED = False
    assert [warning.id for warning in check_staff_otp(None)] == ["staff_auth.W001"]
