"""A private file as an HTTP response, streamed from the private store after the caller's permission check.

From disk the file is sent as it is read; from an object store the object's body is relayed in blocks
(never the whole object in memory, never a redirect to the store: the store need not be reachable
from browsers, and no URL of it leaves the app).
"""

from django.http import FileResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

from applications.core.storage import is_object_store, private_storage


def open_private(name):
    """(a file-like object to read, its size in bytes) for the private file `name`."""
    storage = private_storage()
    if is_object_store(storage):
        found = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=name)
        return found["Body"], found["ContentLength"]
    return storage.open(name, "rb"), storage.size(name)


def private_file_response(name, content_type):
    """The private file `name`, never cached by anyone but the browser that asked."""
    handle, size = open_private(name)
    response = FileResponse(handle, content_type=content_type)
    response["Content-Length"] = str(size)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response
