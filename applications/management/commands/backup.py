"""python manage.py backup [--output PATH] [--key-file FILE]: the database and the private files, encrypted.

Writes one archive (applications/backups/archive.py), sealed with BACKUP_KEY or the key file, to
var/backups/hz-backup-<UTC time>.hzbak unless --output names a file or a folder. Written under a
temporary name and renamed when complete, mode 600. Restore with `manage.py restore`.
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.backups.archive import BackupError, backup_key, make_backup


class Command(BaseCommand):
    help = "备份数据库和私有文件（申报材料、合订PDF），用备份密钥加密为一个文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="备份文件或所在目录（默认 var/backups/）")
        parser.add_argument("--key-file", help="备份密钥文件（默认读取环境变量 BACKUP_KEY）")

    def handle(self, *args, output, key_file, **options):
        try:
            key = backup_key(key_file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        target = Path(output) if output else Path(settings.BASE_DIR) / "var" / "backups"
        if not output or target.is_dir() or str(output).endswith("/"):
            target = target / f"hz-backup-{stamp}.hzbak"
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                summary = make_backup(out, key)
                out.flush()
                os.fsync(out.fileno())
            partial.rename(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(
            f"已备份：{target}（{summary.engine} 数据库，{summary.files} 个私有文件，共 {summary.bytes} 字节，"
            f"{target.stat().st_size} 字节加密后）"
        )
