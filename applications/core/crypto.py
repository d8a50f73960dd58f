"""Encryption at rest for ID and bank card numbers, and keyed hashes to find them.

`FIELD_ENCRYPTION_KEY` (settings, from the environment) holds one or more secrets,
comma-separated, newest first: values are encrypted with the first and decrypted with any.
To rotate: put a new secret in front, run `manage.py reencrypt_fields` (it re-encrypts every
stored value with the first key), then drop the old secret.

`FIELD_HASH_KEY` is one secret of its own that never changes. Lookups by ID number, the
one-live-application-per-person constraint, query passwords and one-time codes rest on HMACs
under a key derived from it, so rotating the encryption key leaves them all as they were.
Before it existed that key was derived from the first encryption secret: setting
FIELD_HASH_KEY to that secret keeps the hashes already stored.
"""

import base64
import hashlib
import hmac
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _secrets(key_setting):
    secrets = [part.strip() for part in (key_setting or "").split(",") if part.strip()]
    if not secrets:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set.")
    return secrets


def _derive(secret, purpose):
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


@cache
def _fernets(key_setting):
    from cryptography.fernet import Fernet

    return tuple(Fernet(base64.urlsafe_b64encode(_derive(s, "encrypt"))) for s in _secrets(key_setting))


@cache
def _fernet(key_setting):
    from cryptography.fernet import MultiFernet

    return MultiFernet(list(_fernets(key_setting)))


@cache
def _hash_key(hash_setting):
    secret = (hash_setting or "").strip()
    if not secret:
        raise ImproperlyConfigured("FIELD_HASH_KEY is not set.")
    return _derive(secret, "hash")


def encrypt(value: str) -> str:
    """The value encrypted with the first key of FIELD_ENCRYPTION_KEY."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The value of a token made with any key of FIELD_ENCRYPTION_KEY (InvalidToken if none fits)."""
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def reencrypted(token: str) -> str | None:
    """None if the token is already under the first key; else the same value encrypted with it.

    Raises cryptography's InvalidToken if no key of FIELD_ENCRYPTION_KEY decrypts it.
    """
    from cryptography.fernet import InvalidToken

    first = _fernets(settings.FIELD_ENCRYPTION_KEY)[0]
    try:
        first.decrypt(token.encode())
    except InvalidToken:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).rotate(token.encode()).decode()
    return None


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the value, upper-cased and stripped, under the key derived from FIELD_HASH_KEY."""
    normalised = value.strip().upper()
    return hmac.new(_hash_key(settings.FIELD_HASH_KEY), normalised.encode(), hashlib.sha256).hexdigest()


def mask(value: str, head=3, tail=4) -> str:
    """The first `head` and last `tail` characters, the rest as asterisks."""
    if not value:
        return ""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


class EncryptedCharField(models.TextField):
    """A string stored encrypted; it cannot be filtered on (use a keyed-hash field for that)."""

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)


class KeyedIdNumberMixin:
    """For a model with an encrypted `id_number` and its `id_hash`: keeps the hash in step, shows it masked."""

    def save(self, *args, **kwargs):
        self.id_hash = keyed_hash(self.id_number)
        super().save(*args, **kwargs)

    @property
    def masked_id(self):
        return mask(self.id_number)
