"""Test settings with another FIELD_HASH_KEY: a restore under the wrong keys must be refused."""

from config.settings.test import *  # noqa: F403

FIELD_HASH_KEY = "test-only-another-field-hash-key"
