"""One backup archive: the database dump and the private files, as a tar stream sealed with the backup key.

    manifest.json            engine, when, the files with their sizes, checks of the app's keys
    database.pgdump|.sqlite3 the dump (database.py)
    private/<name>           every private file (copies, bundles), from disk or the object store

Made while the site runs: the dump is consistent in itself; a copy uploaded during the backup may be
in the files and not in the dump (harmless: purge_pending_uploads removes what no application
holds), never the other way round, because the dump is taken first and copies are never changed
in place. Not in it: pending/ (unsubmitted uploads, deleted within a day anyway) and the app's keys
(SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_HASH_KEY), which are kept apart like the backup key.
"""

import datetime
import io
import json
import posixpath
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File

from applications.backups import database
from applications.backups.sealed import OpeningReader, SealingWriter
from applications.core import crypto
from applications.core.downloads import open_private
from applications.core.storage import private_storage

FORMAT = 1
SKIPPED_FOLDERS = ("pending", ".readyz")
KEY_CHECK = "backup key check"


class BackupError(Exception):
    """The archive cannot be restored here; the message says why, in Chinese."""


@dataclass
class Summary:
    engine: str
    files: int
    bytes: int
    created: str


def private_files(storage=None, folder=""):
    """Every private file's name, pending uploads left out."""
    storage = storage or private_storage()
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        if folder or not name.startswith("."):
            yield posixpath.join(folder, name)
    for sub in sorted(folders):
        if folder or sub not in SKIPPED_FOLDERS:
            yield from private_files(storage, posixpath.join(folder, sub))


def _add(tar, name, handle, size):
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, handle)


def _key_checks():
    return {"hash": crypto.keyed_hash(KEY_CHECK), "encryption": crypto.encrypt(KEY_CHECK)}


def make_backup(out, key_text):
    """Write a sealed archive of the database and the private files to the binary stream `out`."""
    storage = private_storage()
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="hz-backup-") as scratch:
        dump_path = Path(scratch) / "database"
        vendor = database.dump(dump_path)  # first: every copy the dump names is already stored
        files = [(name, storage.size(name)) for name in private_files(storage)]
        manifest = {
            "format": FORMAT,
            "created": created,
            "engine": vendor,
            "database": f"database.{'pgdump' if vendor == database.POSTGRESQL else 'sqlite3'}",
            "files": files,
            "keys": _key_checks(),
        }
        sealed = SealingWriter(out, key_text)
        with tarfile.open(fileobj=sealed, mode="w|") as tar:
            data = json.dumps(manifest, ensure_ascii=False).encode()
            _add(tar, "manifest.json", io.BytesIO(data), len(data))
            with dump_path.open("rb") as handle:
                _add(tar, manifest["database"], handle, dump_path.stat().st_size)
            for name, size in files:
                handle, _size = open_private(name)
                try:
                    _add(tar, f"private/{name}", handle, size)
                finally:
                    handle.close()
        sealed.close()
    return Summary(vendor, len(files), sum(size for _name, size in files), created)


def _check_keys(manifest):
    checks = manifest.get("keys", {})
    if checks.get("hash") != crypto.keyed_hash(KEY_CHECK):
        raise BackupError("FIELD_HASH_KEY 与备份时不同：请使用备份时的同一密钥（恢复后查询和查重都依赖它）。")
    try:
        same = crypto.decrypt(checks.get("encryption", "")) == KEY_CHECK
    except Exception:
        same = False
    if not same:
        raise BackupError(
            "FIELD_ENCRYPTION_KEY 不含备份时的密钥：请使用备份时的密钥（否则身份证号、银行卡号无法解密）。"
        )


def _store_is_empty(storage):
    return next(private_files(storage), None) is None


def restore(source, key_text):
    """Restore the sealed archive read from `source` into an empty database and an empty private store."""
    storage = private_storage()
    if not _store_is_empty(storage):
        raise BackupError("私有文件存储不是空的：只恢复到新的存储（新的目录或新的存储桶）。")
    reader = OpeningReader(source, key_text)
    restored = {}
    with tempfile.TemporaryDirectory(prefix="hz-restore-") as scratch, tarfile.open(fileobj=reader, mode="r|") as tar:
        manifest = None
        for member in tar:
            handle = tar.extractfile(member)
            if handle is None:
                continue
            if manifest is None:
                if member.name != "manifest.json":
                    raise BackupError("备份文件缺少清单。")
                manifest = json.loads(handle.read())
                if manifest.get("format") != FORMAT:
                    raise BackupError("备份文件的格式版本不受支持。")
                _check_keys(manifest)
                expected = dict(manifest["files"])
            elif member.name == manifest["database"]:
                dump_path = Path(scratch) / "database"
                with dump_path.open("wb") as out:
                    shutil.copyfileobj(handle, out)
                try:
                    database.load(dump_path, manifest["engine"])
                except database.RestoreRefused as error:
                    raise BackupError(str(error)) from error
                dump_path.unlink()
                restored["database"] = True
            elif member.name.startswith("private/"):
                name = member.name.removeprefix("private/")
                if name not in expected or "database" not in restored:
                    raise BackupError(f"备份文件中有清单之外的文件：{name}")
                with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, dir=scratch) as spool:
                    shutil.copyfileobj(handle, spool)
                    size = spool.tell()
                    spool.seek(0)
                    saved = storage.save(name, File(spool, name=posixpath.basename(name)))
                if saved != name or size != expected[name]:
                    raise BackupError(f"文件恢复不一致：{name}")
                restored[name] = size
    if manifest is None or "database" not in restored:
        raise BackupError("备份文件不完整：没有数据库。")
    missing = set(expected) - set(restored)
    if missing:
        raise BackupError(f"备份文件不完整：缺少 {len(missing)} 个文件。")
    return Summary(manifest["engine"], len(expected), sum(expected.values()), manifest["created"])


def backup_key(key_file=None):
    """The backup key: the key file's content, else BACKUP_KEY; refused when missing, weak or an app key."""
    from django.conf import settings

    from config.settings.keys import GENERATE_COMMAND, key_problem

    key = Path(key_file).read_text(encoding="utf-8").strip() if key_file else (settings.BACKUP_KEY or "").strip()
    if not key:
        raise BackupError(f"没有备份密钥：请设置 BACKUP_KEY 或用 --key-file 指定密钥文件（生成：{GENERATE_COMMAND}）。")
    app_keys = {settings.SECRET_KEY, settings.FIELD_HASH_KEY, *str(settings.FIELD_ENCRYPTION_KEY or "").split(",")}
    if key in {value.strip() for value in app_keys if value}:
        raise BackupError("备份密钥不能与系统的其他密钥相同：它与备份分开保管，用途也不同。")
    if problem := key_problem(key):
        raise BackupError(f"备份密钥太弱（{problem}）：请用 {GENERATE_COMMAND} 生成。")
    return key
