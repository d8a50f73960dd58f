"""Files uploaded for an application that was never submitted are deleted after a while."""

import os
import time
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from applications.core.storage import private_storage

pytestmark = pytest.mark.django_db  # the command also looks up the references of submitted copies


def test_old_pending_uploads_are_deleted_and_recent_ones_kept():
    storage = private_storage()
    old = storage.save("pending/oldtoken/id_front.png", ContentFile(b"old"))
    new = storage.save("pending/newtoken/id_front.png", ContentFile(b"new"))
    two_days_ago = time.time() - 48 * 3600
    os.utime(storage.path(old), (two_days_ago, two_days_ago))
    out = StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert not storage.exists(old)
    assert storage.exists(new)
    assert "已删除 1 个" in out.getvalue()
    storage.delete(new)
