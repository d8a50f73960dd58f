"""Production settings pass Django's deployment checklist with no warning."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="a-long-random-production-secret-key-for-the-check-0123456789abcdef",
        ALLOWED_HOSTS="jn.hzgh.org",
        FIELD_ENCRYPTION_KEY="a-long-random-field-encryption-key-for-the-check",
        SMS_BACKEND="file",
        **extra,
    )
    return env


def test_check_deploy_has_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS", "SMS_BACKEND"])
def test_production_refuses_to_start_without_its_secrets(secret):
    env = _production_env()
    del env[secret]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert secret in result.stderr
