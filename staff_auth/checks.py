"""`manage.py check --deploy` warns when staff could sign in with a password alone."""

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
