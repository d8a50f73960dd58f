"""Local development: debug on, throwaway secrets, console side effects.

The public default keys work only against the local SQLite file under var/ (config/settings/keys.py):
against any other database every key must come from the environment.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, DATABASES, env
from config.settings.keys import DEV_DEFAULTS, check_dev_defaults

DEBUG = True
SECRET_KEY = env("SECRET_KEY", default=DEV_DEFAULTS["SECRET_KEY"])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default=DEV_DEFAULTS["FIELD_ENCRYPTION_KEY"])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default=DEV_DEFAULTS["FIELD_HASH_KEY"])
# Sign in with a password alone unless STAFF_OTP_REQUIRED=true (then enrol with `manage.py staff_otp USERNAME`).
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=False)

check_dev_defaults(
    DATABASES["default"],
    {"SECRET_KEY": SECRET_KEY, "FIELD_ENCRYPTION_KEY": FIELD_ENCRYPTION_KEY, "FIELD_HASH_KEY": FIELD_HASH_KEY},
    BASE_DIR,
)
