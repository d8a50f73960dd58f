"""Encryption at rest for ID and bank card numbers, and keyed hashes to find them.

`FIELD_ENCRYPTION_KEY` (settings, from the environment) holds one or more secrets,
comma-separated, newest first: values are encrypted with the first and decrypted with
any, so a key can be rotated by putting the new one in front (then re-saving rows).
Lookups and the one-application-per-person constraint use an HMAC of the normalised
value under a key derived from the first secret.
"""

import base64
import hashlib
import hmac
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _secrets():
    secrets = [part.strip() for part in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if part.strip()]
    if not secrets:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not set.")
    return secrets


def _derive(secret, purpose):
    return hashlib.sha256(f"{purpose}:{secret}".encode()).digest()


@cache
def _fernet(key_setting):
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(s, "encrypt"))) for s in _secrets()])


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 of the value, upper-cased and stripped, under the current key."""
    normalised = value.strip().upper()
    return hmac.new(_derive(_secrets()[0], "hash"), normalised.encode(), hashlib.sha256).hexdigest()


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
