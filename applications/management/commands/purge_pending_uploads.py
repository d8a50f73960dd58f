"""python manage.py purge_pending_uploads [--hours 24]: delete uploads of applications never submitted."""

import time

from django.core.management.base import BaseCommand

from applications.core.storage import private_storage


class Command(BaseCommand):
    help = "删除超过指定时间仍未提交的申报上传的材料（默认24小时）。建议每天运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24)

    def handle(self, *args, hours, **options):
        storage = private_storage()
        cutoff = time.time() - hours * 3600
        removed = 0
        if not storage.exists("pending"):
            self.stdout.write("没有待清理的材料。")
            return
        folders, _files = storage.listdir("pending")
        for folder in folders:
            _subfolders, files = storage.listdir(f"pending/{folder}")
            paths = [f"pending/{folder}/{name}" for name in files]
            if paths and all(storage.get_modified_time(path).timestamp() < cutoff for path in paths):
                for path in paths:
                    storage.delete(path)
                removed += len(paths)
        self.stdout.write(f"已删除 {removed} 个未提交的上传文件。")
