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
# Redis down or hung must not take the site with it: short socket timeouts for both caches; the
# default cache (Wagtail's site root paths, the blank Annex 3 layout) reads as a miss on error
# (django-redis IGNORE_EXCEPTIONS, logged); the page cache handles its own errors (home/page_cache.py).
# Sessions and every throttle live in the database, so applying does not need Redis.
for _alias in CACHES:
    if CACHES[_alias]["BACKEND"].startswith("django_redis."):
        CACHES[_alias].setdefault("OPTIONS", {}).update({"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5})
if CACHES["default"]["BACKEND"].startswith("django_redis."):
    CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# PostgreSQL restarted: each request checks its kept connection first and reconnects (no restart of
# the workers); a request caught by the restart gets the 503 page (home/views.server_error).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

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
