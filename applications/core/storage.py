"""Where uploaded ID card, certificate and bank card images live: outside the public media URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def private_storage():
    """Storage for personal attachments; files are served only through a permission-checking view."""
    return _private_storage


_private_storage = _PrivateStorage()
