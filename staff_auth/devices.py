"""Authenticator apps (TOTP devices from django-otp): issue one to a staff member, check a code."""

import base64
import io

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "身份验证器"


class DeviceError(ValueError):
    """An authenticator cannot be issued as asked."""


def otp_required():
    """Whether staff must give a code from their authenticator to sign in."""
    return settings.STAFF_OTP_REQUIRED


def confirmed_device(user):
    """The user's authenticator, or None when none has been issued."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def verify(user, device, token):
    """Return `device` when `token` is its current code (each code is accepted once), else None."""
    token = (token or "").strip()
    if not token.isdigit():
        return None
    return django_otp.verify_token(user, device.persistent_id, token)


@transaction.atomic
def issue_device(user, *, reset=False):
    """Give `user` a new, confirmed authenticator; `reset` replaces any they already have.

    The key is shown once (see `enrolment_text`); anyone holding it can produce codes.
    """
    existing = TOTPDevice.objects.filter(user=user)
    if existing.exists():
        if not reset:
            username = user.get_username()
            raise DeviceError(f"账号 {username} 已绑定动态验证码；如需重新绑定，请运行 staff_otp {username} --reset。")
        existing.delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


def base32_key(device):
    """The secret key as authenticator apps take it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode()


def enrolment_text(device, *, with_qr=False):
    """What to show the staff member so they can add the authenticator to their phone."""
    username = device.user.get_username()
    lines = [
        f"账号 {username} 的动态验证码密钥（只显示这一次，请勿截图外传）：",
        f"  在手机的身份验证器应用（如 Microsoft Authenticator）中{'扫描上方二维码或' if with_qr else ''}添加此链接：",
        f"  {device.config_url}",
        f"  或在应用中手动输入密钥（基于时间，6位数字，30秒）：{base32_key(device)}",
        f"手机丢失或更换时，运行 staff_otp {username} --reset 重新绑定。",
    ]
    text = "\n".join(lines)
    if with_qr:
        import segno

        buffer = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=buffer)
        text = buffer.getvalue() + text
    return text
