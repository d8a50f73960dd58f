"""Where uploaded ID card, certificate and bank card images, and the bundles made of them, live.

Never under a public URL. By default a folder on this machine's disk (`PRIVATE_MEDIA_ROOT`); with
`PRIVATE_STORAGE_URL` set, a bucket of an S3-compatible object store that every app process and the
task worker reach (django-storages, boto3). Objects are written without an ACL (the bucket's own,
private) and with `Cache-Control: private, no-store`; the app streams them out after its own
permission check (`applications.core.downloads`). A URL of the storage, where anything asks for
one, is a signed one that expires after `PRIVATE_STORAGE_SIGNED_URL_SECONDS`.

    PRIVATE_STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@s3.example.cn/bucket?region=cn-east-1   (https)
    PRIVATE_STORAGE_URL=s3+http://ACCESS_KEY:SECRET_KEY@127.0.0.1:8333/bucket            (loopback only)

Key and secret are percent-encoded where they hold `:`, `@`, `/` or `%`.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject, empty

S3_SCHEMES = {"s3": "https", "s3+http": "http"}


def storage_from_url(url, location, signed_url_seconds=300):
    """The storage a `PRIVATE_STORAGE_URL` names: the folder `location` when empty, else an S3 bucket."""
    if not url:
        return FileSystemStorage(location=location, base_url=None)
    parts = urlsplit(url)
    bucket = parts.path.strip("/")
    if parts.scheme not in S3_SCHEMES or not parts.hostname or not bucket or "/" in bucket:
        raise ImproperlyConfigured(
            "PRIVATE_STORAGE_URL must look like s3://KEY:SECRET@host[:port]/bucket (or s3+http:// on loopback)."
        )
    if not parts.username or not parts.password:
        raise ImproperlyConfigured("PRIVATE_STORAGE_URL must name the access key and secret (s3://KEY:SECRET@…).")
    from storages.backends.s3 import S3Storage

    query = parse_qs(parts.query)
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return S3Storage(
        bucket_name=bucket,
        endpoint_url=f"{S3_SCHEMES[parts.scheme]}://{netloc}",
        access_key=unquote(parts.username),
        secret_key=unquote(parts.password),
        region_name=query.get("region", ["us-east-1"])[0],
        addressing_style="path",
        signature_version="s3v4",
        default_acl=None,
        querystring_auth=True,
        querystring_expire=signed_url_seconds,
        custom_domain=None,
        file_overwrite=False,
        location="",
        object_parameters={"CacheControl": "private, no-store"},
    )


def is_object_store(storage):
    return getattr(storage, "bucket_name", None) is not None


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storage_from_url(
            settings.PRIVATE_STORAGE_URL, settings.PRIVATE_MEDIA_ROOT, settings.PRIVATE_STORAGE_SIGNED_URL_SECONDS
        )


def private_storage():
    """Storage for personal attachments; files are served only through a permission-checking view."""
    return _private_storage


def reset_private_storage():
    """Set the storage up again from the settings on next use (tests that change the settings)."""
    _private_storage._wrapped = empty


_private_storage = _PrivateStorage()
