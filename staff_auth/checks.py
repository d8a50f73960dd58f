"""`manage.py check --deploy` warns when staff could sign in with a password alone, or reset it by mail."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_staff_otp(app_configs, **kwargs):
    if settings.STAFF_OTP_REQUIRED and settings.STAFF_OTP_ENFORCE_SESSIONS:
        return []
    return [
        Warning(
            "Staff can sign in to /admin/ without a code from an authenticator app.",
            hint="Set STAFF_OTP_REQUIRED = True and STAFF_OTP_ENFORCE_SESSIONS = True (config/settings/production.py).",
            id="staff_auth.W001",
        )
    ]


@register(Tags.security, deploy=True)
def check_password_reset(app_configs, **kwargs):
    """The site sends no mail; a reset link by mail would make a mailbox a way into a staff account."""
    from wagtail.admin.views.account import password_reset_enabled

    if not password_reset_enabled():
        return []
    return [
        Warning(
            "Staff can reset their password by mail from the sign-in page.",
            hint="Set WAGTAIL_PASSWORD_RESET_ENABLED = False (config/settings/base.py).",
            id="staff_auth.W002",
        )
    ]
