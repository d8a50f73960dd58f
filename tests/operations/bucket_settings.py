"""Test settings that take PRIVATE_STORAGE_URL from the environment (config.settings.test pins it empty)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

PRIVATE_STORAGE_URL = env("PRIVATE_STORAGE_URL", default="")
