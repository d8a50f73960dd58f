"""The Wagtail admin sign-in form, with a code from the staff member's authenticator app.

Wired in with `WAGTAILADMIN_USER_LOGIN_FORM`. Every attempt that gives a username and a
password is logged (`sign_ins.record`); a locked username is refused before its password is checked.
"""

import ipaddress

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from . import devices, sign_ins
from .models import SignInReason


class OneTimeCodeInput(forms.PasswordInput):
    """A visible text box that, like a password box, comes back empty after a refused attempt."""

    input_type = "text"


class StaffLoginForm(LoginForm):
    otp_token = forms.CharField(
        label=_("动态验证码"),
        help_text=_("打开手机上的身份验证器，输入本网站账号显示的6位数字。"),
        required=False,
        max_length=8,
        widget=OneTimeCodeInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "locked": _("登录失败次数过多，账号已暂时锁定，请%(minutes)s分钟后再试。"),
        "no_device": _("尚未绑定动态验证码，请联系市总工会管理员。"),
        "bad_token": _("动态验证码不正确或已过期，请输入身份验证器上当前显示的6位数字。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("密码")
        if not devices.otp_required():
            del self.fields["otp_token"]

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        ip = client_ip(self.request)

        if sign_ins.locked_until(username):
            sign_ins.record(username, SignInReason.LOCKED, ip=ip)
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": settings.STAFF_LOCKOUT_MINUTES}
            )
        try:
            super().clean()
        except forms.ValidationError:
            sign_ins.record(username, SignInReason.BAD_PASSWORD, ip=ip)
            raise
        user = self.get_user()

        if not devices.otp_required():
            sign_ins.record(username, SignInReason.SIGNED_IN_PASSWORD_ONLY, ip=ip, user=user)
            return self.cleaned_data
        device = devices.confirmed_device(user)
        if device is None:
            sign_ins.record(username, SignInReason.NO_DEVICE, ip=ip, user=user)
            raise forms.ValidationError(self.error_messages["no_device"], code="no_device")
        if devices.verify(user, device, self.cleaned_data.get("otp_token")) is None:
            sign_ins.record(username, SignInReason.BAD_TOKEN, ip=ip, user=user)
            raise forms.ValidationError(self.error_messages["bad_token"], code="bad_token")
        # django_otp marks the session as verified by this device when Django logs the user in.
        user.otp_device = device
        sign_ins.record(username, SignInReason.SIGNED_IN, ip=ip, user=user)
        return self.cleaned_data


def client_ip(request):
    """REMOTE_ADDR when it is an IP address (behind a proxy, the proxy's)."""
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
