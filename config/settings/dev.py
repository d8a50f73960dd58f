"""Local development: debug on, a throwaway secret, console side effects."""

from .base import *  # noqa: F403
from .base import env

DEBUG = True
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-secret-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="dev-only-field-encryption-key")
# Sign in with a password alone unless STAFF_OTP_REQUIRED=true (then enrol with `manage.py staff_otp USERNAME`).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=False)
