"""Production settings for the two-process test, except two things plain http on loopback needs.

Static files without collectstatic's manifest, and session and CSRF cookies without the Secure flag:
in production TLS ends at nginx and the app sees https (X-Forwarded-Proto, which the test sends
too), but a client talking plain http to gunicorn would hold Secure cookies back.
"""

from config.settings.production import *  # noqa: F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
