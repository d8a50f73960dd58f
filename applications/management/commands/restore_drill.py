"""python manage.py restore_drill [--archive FILE] [--key-file FILE] [--keep]: prove that a backup restores.

Without --archive it first takes a backup of this site (as `manage.py backup` does, to a temporary
file). Then it restores it into a new database and a new private folder in a child process, and
checks the restored site in another (applications/backups/drill.py): counts, every copy present, a
status lookup and a copy opened by a unit reviewer. The drill's database (PostgreSQL:
`<name>_drill`) and folder are removed afterwards unless --keep. Exits non-zero when anything fails.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from applications.backups import drill
from applications.backups.archive import BackupError, backup_key, make_backup


def _database_url(settings_dict, name):
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def _drop_postgres(settings_dict, name):
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        autocommit=True,
    ) as maintenance:
        maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class Command(BaseCommand):
    help = "恢复演练：备份后恢复到新的数据库和新的文件目录，再检查查询进度和查看材料是否正常。"

    def add_arguments(self, parser):
        parser.add_argument("--archive", help="演练这个备份文件（默认先备份本站）")
        parser.add_argument("--key-file", help="备份密钥文件（默认读取环境变量 BACKUP_KEY）")
        parser.add_argument("--keep", action="store_true", help="保留演练用的数据库和目录")
        # The checks, run by the drill itself in a child process pointed at the restored site.
        parser.add_argument("--check", help="(内部使用) 检查计划 JSON 文件")

    def handle(self, *args, archive, key_file, keep, check, **options):
        if check:
            return self._check(json.loads(Path(check).read_text()))
        try:
            key = backup_key(key_file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        started = time.monotonic()
        settings_dict = dict(connection.settings_dict)
        with tempfile.TemporaryDirectory(prefix="hz-drill-") as scratch:
            scratch = Path(scratch)
            expected = {"counts": drill.counts(), "sample": drill.sample_copy()}
            if archive is None:
                archive = scratch / "drill.hzbak"
                with archive.open("wb") as out:
                    make_backup(out, key)
            else:
                expected = {**expected, "counts": None}  # an older backup: its own counts, checked by restore
            env = {
                **os.environ,
                "BACKUP_KEY": key,
                "PRIVATE_STORAGE_URL": "",
                "PRIVATE_MEDIA_ROOT": str(scratch / "store"),
            }
            drill_db = None
            if connection.vendor == "postgresql":
                drill_db = f"{settings_dict['NAME']}_drill"
                _drop_postgres(settings_dict, drill_db)
                env["DATABASE_URL"] = _database_url(settings_dict, drill_db)
            else:
                env["DATABASE_URL"] = f"sqlite:///{scratch / 'drill.sqlite3'}"
            try:
                self._child(env, "restore", str(archive))
                plan = scratch / "check.json"
                plan.write_text(json.dumps(expected))
                self._child(env, "restore_drill", "--check", str(plan))
            finally:
                if drill_db and not keep:
                    _drop_postgres(settings_dict, drill_db)
        self.stdout.write(f"恢复演练通过（{time.monotonic() - started:.1f} 秒）。")

    def _child(self, env, *args):
        result = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        self.stdout.write(result.stdout.strip())
        if result.returncode:
            raise CommandError(f"恢复演练失败（{args[0]}）：{result.stderr.strip()[-2000:]}")

    def _check(self, expected):
        counts = expected["counts"] or drill.counts()
        sample = expected["sample"] or drill.sample_copy()
        problems = drill.check_restored(counts, sample, expected.get("id_number"), expected.get("password"))
        if problems:
            raise CommandError("；".join(problems))
        self.stdout.write(f"恢复后检查通过：{json.dumps(counts, ensure_ascii=False)}")
