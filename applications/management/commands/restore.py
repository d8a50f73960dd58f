"""python manage.py restore ARCHIVE [--key-file FILE]: a backup into a new, empty database and private store.

The database is the one DATABASE_URL names (PostgreSQL: created when missing; refused when it holds
any table; SQLite: a file that does not exist yet); the private store is PRIVATE_MEDIA_ROOT or the
bucket of PRIVATE_STORAGE_URL, refused unless empty. FIELD_ENCRYPTION_KEY and FIELD_HASH_KEY must
be the site's (checked before anything is written). Then run `manage.py migrate` if the code is newer.
"""

from django.core.management.base import BaseCommand, CommandError

from applications.backups.archive import BackupError, backup_key, restore
from applications.backups.sealed import SealedError


class Command(BaseCommand):
    help = "从备份文件恢复到新的空数据库和新的私有文件存储。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="manage.py backup 生成的备份文件")
        parser.add_argument("--key-file", help="备份密钥文件（默认读取环境变量 BACKUP_KEY）")

    def handle(self, *args, archive, key_file, **options):
        try:
            key = backup_key(key_file)
            with open(archive, "rb") as source:
                summary = restore(source, key)
        except (BackupError, SealedError, OSError) as error:
            raise CommandError(f"恢复失败：{error}") from error
        self.stdout.write(
            f"已恢复：{summary.created} 的备份（{summary.engine} 数据库，{summary.files} 个私有文件，"
            f"共 {summary.bytes} 字节）。如代码版本更新，请再运行 manage.py migrate。"
        )
