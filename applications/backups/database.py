"""The database in and out of a backup, with the engine's own tools.

PostgreSQL: `pg_dump --format=custom` (consistent while the site runs; schema, data, sequences),
restored with `pg_restore --single-transaction` into an empty database, created when missing.
SQLite: the sqlite3 online backup API (a consistent copy of the file while the site runs), restored
by copying it into place. Not `dumpdata`/`loaddata`: those lose sequences, are slow and break on
Wagtail's page tree. A dump restores into the engine it came from.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections

POSTGRESQL = "postgresql"
SQLITE = "sqlite"


class RestoreRefused(Exception):
    """The target is not fit to restore into; the message says why."""


def engine(alias="default"):
    vendor = connections[alias].vendor
    if vendor not in (POSTGRESQL, SQLITE):
        raise RestoreRefused(f"不支持的数据库：{vendor}")
    return vendor


def _pg_env(settings_dict):
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict, name=None):
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return [*args, "--dbname", name or settings_dict["NAME"]]


def dump(path, alias="default"):
    """Write the database of `alias` to `path`; returns the engine."""
    connection = connections[alias]
    vendor = engine(alias)
    if vendor == POSTGRESQL:
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path),
             *_pg_args(connection.settings_dict)],
            env=_pg_env(connection.settings_dict), check=True, capture_output=True, timeout=3600,
        )  # fmt: skip
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    return vendor


def _pg_connect(settings_dict, name):
    import psycopg

    return psycopg.connect(
        dbname=name,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    )


def _pg_prepare(settings_dict):
    """The target database, created when missing; refused when it holds any table."""
    import psycopg
    from psycopg import sql

    name = settings_dict["NAME"]
    try:
        target = _pg_connect(settings_dict, name)
    except psycopg.OperationalError:
        with _pg_connect(settings_dict, "postgres") as maintenance:
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        target = _pg_connect(settings_dict, name)
    with target:
        tables = target.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]
    if tables:
        raise RestoreRefused(f"数据库 {name} 不是空的（{tables} 张表）：只恢复到新建的空数据库。")


def load(path, vendor, alias="default"):
    """Restore the dump at `path` (made from `vendor`) into the empty database of `alias`."""
    connection = connections[alias]
    if vendor != engine(alias):
        raise RestoreRefused(f"备份来自 {vendor}，当前数据库是 {engine(alias)}：只能恢复到同一种数据库。")
    settings_dict = connection.settings_dict
    connection.close()
    if vendor == POSTGRESQL:
        _pg_prepare(settings_dict)
        result = subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
             *_pg_args(settings_dict), str(path)],
            env=_pg_env(settings_dict), capture_output=True, text=True, timeout=3600,
        )  # fmt: skip
        if result.returncode:
            raise RestoreRefused(f"pg_restore 失败：{result.stderr.strip()[-1000:]}")
        return
    target = Path(settings_dict["NAME"])
    if str(target) == ":memory:" or str(target).startswith("file:"):
        raise RestoreRefused("SQLite 内存数据库不能作为恢复目标：请用 DATABASE_URL 指定一个新文件。")
    if target.exists() and target.stat().st_size:
        raise RestoreRefused(f"数据库文件 {target} 已存在：只恢复到新的文件。")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
