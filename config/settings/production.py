"""Production: every secret from the environment, no defaults for them, and none weak."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env
from config.settings.keys import check_production_keys

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
FIELD_HASH_KEY = env("FIELD_HASH_KEY")
check_production_keys(
    {"SECRET_KEY": SECRET_KEY, "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY, "FIELD_HASH_KEY": FIELD_HASH_KEY}
)
SMS_BACKEND = env("SMS_BACKEND")  # no default: a live site must say where its text messages go
# Staff always give a code from their authenticator; deliberately not read from the environment.
STAFF_OTP_REQUIRED = True
STAFF_OTP_ENFORCE_SESSIONS = True

CACHES = {
    "default": env.cache("CACHE_URL", default="redis://127.0.0.1:6379/1"),
    "pages": env.cache("PAGE_CACHE_URL", default="redis://127.0.0.1:6379/2"),
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views allow SAMEORIGIN for themselves
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOGGING["root"]["level"] = "INFO"  # noqa: F405
