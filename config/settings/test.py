"""Tests: same behaviour as production, only faster."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env
from config.settings.keys import TEST_DEFAULTS

SECRET_KEY = TEST_DEFAULTS["SECRET_KEY"]
FIELD_ENCRYPTION_KEY = TEST_DEFAULTS["FIELD_ENCRYPTION_KEY"]
FIELD_HASH_KEY = TEST_DEFAULTS["FIELD_HASH_KEY"]
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = env.path("MEDIA_ROOT", default="/tmp/hz-portal-test-media")
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default="/tmp/hz-portal-test-private")
PRIVATE_STORAGE_URL = ""  # the object store tests set it themselves (tests/operations/)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "file"
SMS_FILE = env("SMS_FILE", default="/tmp/hz-portal-test-sms.jsonl")
# Codes are required and enforced as in production; tests/conftest.py makes force_login sign in
# with a confirmed authenticator.
STAFF_OTP_REQUIRED = True
STAFF_OTP_ENFORCE_SESSIONS = True
