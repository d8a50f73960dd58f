"""Backups that restore (issue 14 item 4): the sealed archive, and the restore drill on small data.

The drills restore into a new database of the suite's engine (SQLite: a new file; PostgreSQL: a new
database next to the test database) and a new folder, in child processes as an operator would, then
look an application up at /status/ and open its copy as a unit reviewer signing in with a code.
"""

import datetime
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from applications.apply.copies import CleanUpload
from applications.apply.submission import submit
from applications.backups import drill
from applications.backups.archive import BackupError, backup_key, restore
from applications.backups.sealed import CHUNK, OpeningReader, SealedError, SealingWriter
from applications.core.storage import reset_private_storage
from applications.programme.demo import ensure_demo_campaign
from tests.apply.test_submission import _applicant
from tests.factories import make_id_number

KEY = secrets.token_urlsafe(48)
PNG = CleanUpload(b"\x89PNG pretend image " + secrets.token_bytes(64), "image/png", "png")
BASE_DIR = Path(settings.BASE_DIR)


def _seal(data, key=KEY):
    out = io.BytesIO()
    writer = SealingWriter(out, key)
    writer.write(data)
    writer.close()
    return out.getvalue()


def _open(sealed, key=KEY):
    return OpeningReader(io.BytesIO(sealed), key).read()


@pytest.mark.parametrize("size", [0, 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5])
def test_a_sealed_stream_opens_to_what_went_in(size):
    data = secrets.token_bytes(size)
    sealed = _seal(data)
    assert size < 16 or data[:16] not in sealed
    assert _open(sealed) == data


def test_a_sealed_stream_refuses_the_wrong_key_damage_and_truncation():
    sealed = _seal(secrets.token_bytes(CHUNK + 100))
    with pytest.raises(SealedError):
        _open(sealed, key=secrets.token_urlsafe(48))
    damaged = bytearray(sealed)
    damaged[len(damaged) // 2] ^= 1
    with pytest.raises(SealedError):
        _open(bytes(damaged))
    first_chunk_only = sealed[: len(sealed) - (5 + 100 + 16)]  # the last chunk dropped
    with pytest.raises(SealedError):
        _open(first_chunk_only)
    with pytest.raises(SealedError):
        _open(b"not a backup at all")


def test_the_backup_key_must_be_set_strong_and_apart_from_the_app_keys(settings, tmp_path):
    settings.BACKUP_KEY = None
    with pytest.raises(BackupError, match="BACKUP_KEY"):
        backup_key()
    settings.BACKUP_KEY = "short"
    with pytest.raises(BackupError, match="太弱"):
        backup_key()
    settings.BACKUP_KEY = settings.FIELD_HASH_KEY
    with pytest.raises(BackupError, match="不能与系统的其他密钥相同"):
        backup_key()
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")
    assert backup_key(key_file) == KEY


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.PRIVATE_STORAGE_URL = ""
    reset_private_storage()
    yield Path(settings.PRIVATE_MEDIA_ROOT)
    reset_private_storage()


@pytest.fixture
def submitted(campaign_2022, private_root):
    """A submitted application with one copy in the private store; (application, query password)."""
    campaign = ensure_demo_campaign(campaign_2022)
    id_number = make_id_number(datetime.date(1988, 5, 17), seq=41)
    result = submit(campaign, _applicant(campaign, id_number=id_number), {"id_front": PNG, "certificate": PNG})
    return result.application, id_number, result.query_password


def _child_env(tmp_path, name):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "BACKUP_KEY": KEY}
    env["PRIVATE_STORAGE_URL"] = ""
    env["PRIVATE_MEDIA_ROOT"] = str(tmp_path / f"{name}-store")
    if connection.vendor == "postgresql":
        database = connection.settings_dict["NAME"] + f"_{name}"
        user = connection.settings_dict.get("USER") or "postgres"
        host = connection.settings_dict.get("HOST") or "127.0.0.1"
        port = connection.settings_dict.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{database}"
    else:
        database = None
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    return env, database


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=300
    )


def _drop(database):
    if database:
        from applications.management.commands.restore_drill import _drop_postgres

        _drop_postgres(connection.settings_dict, database)


@pytest.mark.processes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_a_new_database_and_store_then_look_up_and_open_the_copy(
    submitted, settings, tmp_path
):
    application, id_number, password = submitted
    settings.BACKUP_KEY = KEY
    expected = {"counts": drill.counts(), "sample": drill.sample_copy()}
    call_command("backup", output=str(tmp_path / "backups") + "/", stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("hz-backup-*.hzbak")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert PNG.content not in archive.read_bytes() and id_number.encode() not in archive.read_bytes()

    env, database = _child_env(tmp_path, "restored")
    _drop(database)
    try:
        restored = _manage(env, "restore", str(archive))
        assert restored.returncode == 0, restored.stderr[-2000:]
        assert "已恢复" in restored.stdout and "2 个私有文件" in restored.stdout
        stored = sorted(
            p.relative_to(tmp_path / "restored-store") for p in (tmp_path / "restored-store").rglob("*.png")
        )
        assert [str(p) for p in stored] == sorted(a.file.name for a in application.attachments.all())

        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps({**expected, "id_number": id_number, "password": password}))
        checked = _manage(env, "restore_drill", "--check", str(plan))
        assert checked.returncode == 0, checked.stderr[-2000:]
        assert "恢复后检查通过" in checked.stdout
    finally:
        _drop(database)


@pytest.mark.processes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_drill_command_passes_on_a_small_site(submitted, settings):
    settings.BACKUP_KEY = KEY
    out = io.StringIO()
    call_command("restore_drill", stdout=out)
    assert "恢复演练通过" in out.getvalue() and "恢复后检查通过" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_used_store_a_wrong_backup_key_and_other_app_keys(submitted, settings, tmp_path):
    settings.BACKUP_KEY = KEY
    archive = tmp_path / "site.hzbak"
    call_command("backup", output=str(archive), stdout=io.StringIO())

    with archive.open("rb") as source, pytest.raises(BackupError, match="不是空的"):
        restore(source, KEY)  # the test's own store holds the copies: never restore over files
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "new-store")
    reset_private_storage()
    with archive.open("rb") as source, pytest.raises(SealedError, match="备份密钥不对"):
        restore(source, secrets.token_urlsafe(48))
    settings.FIELD_HASH_KEY = "test-only-another-field-hash-key"
    with archive.open("rb") as source, pytest.raises(BackupError, match="FIELD_HASH_KEY 与备份时不同"):
        restore(source, KEY)
    assert not (tmp_path / "new-store").exists()  # refused before anything was written
    reset_private_storage()
