"""The Wagtail admin sign-in form, with a code from the staff member's authenticator app.

Wired in with `WAGTAILADMIN_USER_LOGIN_FORM`. Every attempt that gives a username and a password
is logged with its real reason (`sign_ins`), but the person is told one thing for a wrong
password, a wrong or missing code and an account without an authenticator, so the form never
confirms a password. A client that keeps failing waits longer before each next attempt; that
attempt is refused before the password is checked.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from applications.core.client_address import client_address
from staff_auth import devices, sign_ins
from staff_auth.models import SignInReason


class OneTimeCodeInput(forms.PasswordInput):
    """A visible text box that, like a password box, comes back empty after a refused attempt."""

    input_type = "text"


class StaffLoginForm(LoginForm):
    otp_token = forms.CharField(
        label=_("动态验证码"),
        help_text=_(
            "打开手机上的身份验证器，输入本网站账号显示的6位数字。尚未绑定或更换了手机的，请联系市总工会管理员。"
        ),
        required=False,
        max_length=8,
        widget=OneTimeCodeInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _("用户名、密码或动态验证码不正确，请重新输入。"),
        "invalid_password": _("用户名或密码不正确，请重新输入。"),
        "wait_minutes": _("登录失败次数过多，请%(minutes)s分钟后再试。"),
        "wait_seconds": _("登录失败次数过多，请%(seconds)s秒后再试。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("密码")
        self.device = None
        if not devices.otp_required():
            del self.fields["otp_token"]

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        ip = client_address(self.request)
        wait = sign_ins.begin(username, ip)
        if wait:
            raise self._wait_error(wait)
        reason, user = self._check()
        sign_ins.finish(username, reason, ip=ip, user=user)
        if reason not in sign_ins.SUCCEEDED:
            raise self.get_invalid_login_error()
        if reason == SignInReason.SIGNED_IN:
            # django_otp marks the session as verified by this device when Django logs the user in.
            user.otp_device = self.device
        return self.cleaned_data

    def _check(self):
        """Check the password, then the code: (the sign-in log's reason, the account when the password was right)."""
        try:
            super().clean()
        except forms.ValidationError:
            return SignInReason.BAD_PASSWORD, None
        user = self.get_user()
        if not devices.otp_required():
            return SignInReason.SIGNED_IN_PASSWORD_ONLY, user
        self.device = devices.confirmed_device(user)
        if self.device is None:
            return SignInReason.NO_DEVICE, user
        if devices.verify(user, self.device, self.cleaned_data.get("otp_token")) is None:
            return SignInReason.BAD_TOKEN, user
        return SignInReason.SIGNED_IN, user

    def get_invalid_login_error(self):
        """One message for every wrong sign-in (without codes, only username and password are asked)."""
        message = "invalid_login" if devices.otp_required() else "invalid_password"
        return forms.ValidationError(self.error_messages[message], code="invalid_login")

    def _wait_error(self, seconds):
        if seconds >= 60:
            return forms.ValidationError(
                self.error_messages["wait_minutes"], code="wait", params={"minutes": (seconds + 59) // 60}
            )
        return forms.ValidationError(self.error_messages["wait_seconds"], code="wait", params={"seconds": seconds})
