"""Settings shared by every environment. No secrets and no DEBUG here."""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Encrypts ID and bank card numbers at rest (applications/core/crypto.py); comma-separated, newest first.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default=None)
# Keys the hashes that find ID numbers (lookups, one application per person, query passwords); one key
# that never changes, whatever happens to FIELD_ENCRYPTION_KEY (applications/core/crypto.py).
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default=None)

INSTALLED_APPS = [
    "home",
    "notices",
    "applications",
    "service_hall",
    "staff_auth",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wagtail_modeladmin",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.table_block",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",  # wagtail-modeladmin list filters use its site registry; no URLs routed
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "home.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.middleware.SiteLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "staff_auth.middleware.VerifiedSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache for everything short-lived, one for rendered public pages (cleared on publish).
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://default"),
    "pages": env.cache("PAGE_CACHE_URL", default="locmemcache://pages"),
}
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE_ENABLED", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# How often a process checks whether another one purged the page cache (seconds).
PAGE_CACHE_CHECK_SECONDS = env.float("PAGE_CACHE_CHECK_SECONDS", default=1.0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# ID card, certificate and bank card images: never under MEDIA_URL, served only after a permission check.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
# The same files in an S3-compatible bucket instead, shared by every process (applications/core/storage.py):
# s3://KEY:SECRET@host[:port]/bucket[?region=…], s3+http://… on loopback. Empty: PRIVATE_MEDIA_ROOT.
PRIVATE_STORAGE_URL = env("PRIVATE_STORAGE_URL", default="")
PRIVATE_STORAGE_SIGNED_URL_SECONDS = env.int("PRIVATE_STORAGE_SIGNED_URL_SECONDS", default=300)
# Encrypts backups (applications/backups/); kept apart from the backups and from the other keys.
BACKUP_KEY = env("BACKUP_KEY", default=None)
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Images are measured from their header before decoding: larger ones are refused (a 12 MP phone photo is 12 million).
ATTACHMENT_MAX_PIXELS = env.int("ATTACHMENT_MAX_PIXELS", default=40_000_000)
# JPEG copies are stored at about this many pixels on the long side and this quality (bench/README.md:
# at 2,000 px and 85, 6 pt print on an A4 certificate stays legible and a copy is about 0.3 MB).
ATTACHMENT_LONG_SIDE = env.int("ATTACHMENT_LONG_SIDE", default=2000)
ATTACHMENT_JPEG_QUALITY = env.int("ATTACHMENT_JPEG_QUALITY", default=85)
# The pixels all images of one zip of scans may hold together (about 50 phone photos).
SCAN_ZIP_MAX_PIXELS = env.int("SCAN_ZIP_MAX_PIXELS", default=600_000_000)
# The Chinese font of the PDF forms, found through fontconfig (Debian: fonts-noto-cjk). Checked at start-up.
PDF_FONT_FAMILY = env("PDF_FONT_FAMILY", default="Noto Serif CJK SC")

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The certificate register the review check 证书核验 compares with (applications/certificates/register.py): a
# dotted path to a CertificateRegister; the default reads the table import_certificates fills.
CERTIFICATE_REGISTER = env(
    "CERTIFICATE_REGISTER", default="applications.certificates.register.LocalCertificateRegister"
)

# Text messages (applications/core/sms.py): "console", "file" (one JSON line per message) or "http".
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_FILE = env("SMS_FILE", default=str(BASE_DIR / "var" / "sms.jsonl"))
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")  # sent as "Authorization: Bearer <token>"
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=5.0)
SMS_HTTP_ATTEMPTS = env.int("SMS_HTTP_ATTEMPTS", default=3)  # retried on connection errors and 5xx
SMS_HTTP_BACKOFF = env.float("SMS_HTTP_BACKOFF", default=0.5)  # seconds, doubled each retry
# One-time codes sent by text message (applications/apply/codes.py).
ONE_TIME_CODE_MINUTES = 10
ONE_TIME_CODE_RESEND_SECONDS = 60
ONE_TIME_CODE_MAX_TRIES = 5
# Caps on sending codes (non-members count too, without a text): per ID number and per mobile per day, per
# client address per hour (many people may share one address behind a carrier's NAT), and a global hourly
# budget (peak expected: about 20 a minute); "portal.security" logs a WARNING at 80% of it and an ERROR when spent.
ONE_TIME_CODE_MAX_PER_ID_PER_DAY = env.int("ONE_TIME_CODE_MAX_PER_ID_PER_DAY", default=5)
ONE_TIME_CODE_MAX_PER_MOBILE_PER_DAY = env.int("ONE_TIME_CODE_MAX_PER_MOBILE_PER_DAY", default=8)
ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR = env.int("ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR", default=20)
ONE_TIME_CODE_GLOBAL_PER_HOUR = env.int("ONE_TIME_CODE_GLOBAL_PER_HOUR", default=3000)
# An application in progress (applications/apply/flow.py) is forgotten after this many idle minutes.
APPLY_IDLE_MINUTES = 30
# Retention (applications/records/retention.py): `manage.py apply_retention` runs these steps in order, daily. The
# periods of applications are each campaign's (RetentionPolicy, edited in the admin); the text message log and the
# questions that name no application have these. Another app adds its own step by appending its dotted path.
RETENTION_STEPS = [
    "applications.records.retention.CopiesStep",
    "applications.records.retention.BundlesStep",
    "applications.records.retention.PersonalDataStep",
    "applications.records.history.HistoryStep",
    "service_hall.retention.QuestionsStep",
    "applications.records.retention.PaymentRecordsStep",
    "applications.records.retention.SmsLogStep",
    "applications.certificates.retention.CertificateRegisterStep",
]
RETENTION_SMS_LOG_MONTHS = env.int("RETENTION_SMS_LOG_MONTHS", default=12)
RETENTION_QUESTION_MONTHS = env.int("RETENTION_QUESTION_MONTHS", default=12)

# How many reverse proxies (nginx: 1) stand in front of the app: applications/core/client_address.py takes the
# client's address from X-Forwarded-For that many hops back. Serves throttles, caps, sign-in logs and audit records.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("STATUS_LOOKUP_TRUSTED_PROXIES", default=0))

# Status lookup (applications/apply/status.py): wrong ID numbers or query passwords slow the next try and never
# lock anyone out. The first STATUS_LOOKUP_FREE_FAILURES failures for one ID number from one client, and the first
# STATUS_LOOKUP_FREE_FAILURES_PER_CLIENT of one client for any ID numbers, cost nothing; each one after them doubles
# the wait, from STATUS_LOOKUP_DELAY_SECONDS up to STATUS_LOOKUP_MAX_DELAY_SECONDS. Half a minute is all a person who
# mistypes ever notices; a 15-minute ceiling (the old lock's length) keeps a client to about 100 guesses a day
# against 31^8 passwords, and a busy shared address (an office, a mobile carrier's NAT) never waits longer.
STATUS_LOOKUP_FREE_FAILURES = 5
STATUS_LOOKUP_FREE_FAILURES_PER_CLIENT = 20
STATUS_LOOKUP_DELAY_SECONDS = 30
STATUS_LOOKUP_MAX_DELAY_SECONDS = 15 * 60

# 在线咨询 and 查看评价 (service_hall/): answers are due within CONSULTATION_ANSWER_WORKING_DAYS working days, a bad
# rating's rectification within RECTIFICATION_WORKING_DAYS; weekends are off, plus SERVICE_HALL_HOLIDAYS (ISO dates,
# comma-separated) except the make-up working days in SERVICE_HALL_WORKDAYS. Questions are capped per mobile and per
# client address a day; the rating link in an outcome SMS works RATING_LINK_DAYS days.
CONSULTATION_ANSWER_WORKING_DAYS = env.int("CONSULTATION_ANSWER_WORKING_DAYS", default=2)
CONSULTATION_MAX_PER_MOBILE_PER_DAY = env.int("CONSULTATION_MAX_PER_MOBILE_PER_DAY", default=3)
CONSULTATION_MAX_PER_CLIENT_PER_DAY = env.int("CONSULTATION_MAX_PER_CLIENT_PER_DAY", default=20)
RECTIFICATION_WORKING_DAYS = env.int("RECTIFICATION_WORKING_DAYS", default=5)
SERVICE_HALL_HOLIDAYS = env.list("SERVICE_HALL_HOLIDAYS", default=[])
SERVICE_HALL_WORKDAYS = env.list("SERVICE_HALL_WORKDAYS", default=[])
RATING_LINK_DAYS = env.int("RATING_LINK_DAYS", default=90)
# The public site's address, for links in text messages (the rating link); the admin's address unless set.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000"))

LOGIN_URL = "wagtailadmin_login"

# Staff sign-in (staff_auth/): password plus a code from an authenticator app (django-otp TOTP).
# Only development settings may turn the code off; see staff_auth/forms.py and middleware.py.
STAFF_OTP_REQUIRED = True
STAFF_OTP_ENFORCE_SESSIONS = True  # sign out sessions that did not give a code (e.g. from before it was required)
# Wrong sign-ins slow the next try and never lock an account (staff_auth/sign_ins.py): the first
# STAFF_SIGN_IN_FREE_FAILURES failures of one username from one client, and the first
# STAFF_SIGN_IN_FREE_FAILURES_PER_CLIENT of one client for any usernames, cost nothing; each one after them doubles
# the wait before the next try, from STAFF_SIGN_IN_DELAY_SECONDS up to STAFF_SIGN_IN_MAX_DELAY_SECONDS.
STAFF_SIGN_IN_FREE_FAILURES = 5
STAFF_SIGN_IN_FREE_FAILURES_PER_CLIENT = 20
STAFF_SIGN_IN_DELAY_SECONDS = 30
STAFF_SIGN_IN_MAX_DELAY_SECONDS = 15 * 60
OTP_TOTP_ISSUER = "杭州市职工高技能人才奖励"  # the name authenticator apps show
WAGTAILADMIN_USER_LOGIN_FORM = "staff_auth.forms.StaffLoginForm"
# No "forgotten password" link: the site sends no mail, and a mailbox should not be a way into a staff account.
# An administrator sets a forgotten password again (the admin's user screens, or manage.py changepassword).
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Wagtail
WAGTAIL_SITE_NAME = _("杭州市职工高技能人才奖励")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILSEARCH_BACKENDS = {
    # Chinese has no spaces between words, so full-text tokenisers would index whole
    # sentences as one token; the fallback backend matches substrings instead.
    "default": {"BACKEND": "wagtail.search.backends.database.fallback"},
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "zip", "txt", "csv"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"portal": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
