"""python manage.py purge_pending_uploads [--hours 24]: delete uploads of applications never submitted.

Two kinds: the copies an applicant uploaded to `pending/<token>/` and never submitted, and the
copies of a submission whose process was killed before its transaction committed (a folder
`<year>/<reference>/` for a reference no application has).
"""

import re
import time

from django.core.management.base import BaseCommand

from applications.core.storage import private_storage
from applications.models import Application

YEAR_RE = re.compile(r"^\d{4}$")


class Command(BaseCommand):
    help = "删除超过指定时间仍未提交的申报上传的材料（默认24小时）。建议每天运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24)

    def handle(self, *args, hours, **options):
        storage = private_storage()
        cutoff = time.time() - hours * 3600
        removed = self._purge_pending(storage, cutoff) + self._purge_uncommitted(storage, cutoff)
        self.stdout.write(f"已删除 {removed} 个未提交的上传文件。")

    @staticmethod
    def _purge_folder(storage, folder, cutoff):
        _subfolders, files = storage.listdir(folder)
        paths = [f"{folder}/{name}" for name in files]
        if paths and all(storage.get_modified_time(path).timestamp() < cutoff for path in paths):
            for path in paths:
                storage.delete(path)
            return len(paths)
        return 0

    @staticmethod
    def _listdir(storage, folder):
        """(folders, files) in `folder`, none when it does not exist (an object store has no empty folders)."""
        try:
            return storage.listdir(folder)
        except FileNotFoundError:
            return [], []

    def _purge_pending(self, storage, cutoff):
        folders, _files = self._listdir(storage, "pending")
        return sum(self._purge_folder(storage, f"pending/{folder}", cutoff) for folder in folders)

    def _purge_uncommitted(self, storage, cutoff):
        removed = 0
        top, _files = self._listdir(storage, "")
        for year in filter(YEAR_RE.match, top):
            references, _files = storage.listdir(year)
            known = set(Application.objects.filter(reference__in=references).values_list("reference", flat=True))
            for reference in references:
                if reference not in known:
                    removed += self._purge_folder(storage, f"{year}/{reference}", cutoff)
        return removed
