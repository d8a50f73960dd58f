"""Production settings pass Django's deployment checklist with no warning, and refuse missing or weak keys."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("SECRET_KEY", "FIELD_ENCRYPTION_KEY", "FIELD_HASH_KEY")


def _clean_env():
    dropped = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", *KEYS)
    return {k: v for k, v in os.environ.items() if k not in dropped}


def _production_env(**extra):
    env = _clean_env()
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="jn.hzgh.org",
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(48),
        FIELD_HASH_KEY=secrets.token_urlsafe(48),
        SMS_BACKEND="file",
    )
    return env | extra


def _manage(env, *command):
    return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_has_no_warnings():
    result = _manage(_production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", [*KEYS, "ALLOWED_HOSTS", "SMS_BACKEND"])
def test_production_refuses_to_start_without_its_secrets(secret):
    env = _production_env()
    del env[secret]
    result = _manage(env, "check")
    assert result.returncode != 0
    assert secret in result.stderr


def test_production_refuses_to_start_with_a_weak_hash_key_and_says_how_to_make_one():
    result = _manage(_production_env(FIELD_HASH_KEY="a" * 48), "check")
    assert result.returncode != 0
    assert "FIELD_HASH_KEY is too predictable" in result.stderr
    assert "secrets.token_urlsafe(48)" in result.stderr


def test_manage_py_refuses_development_defaults_against_a_postgresql_database():
    env = _clean_env() | {"DATABASE_URL": "postgres://portal@db.example.org:5432/portal"}
    result = _manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_HASH_KEY" in result.stderr
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in result.stderr


def test_manage_py_runs_with_development_defaults_on_the_local_sqlite_file():
    env = {k: v for k, v in _clean_env().items() if k != "DATABASE_URL"}
    result = _manage(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr
