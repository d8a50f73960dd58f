"""The restore drill: a backup restored into a new database and a new private store, then used as people use it.

`manage.py restore_drill` (and `make restore-drill`) takes a backup of the site (or uses one given),
restores it with `manage.py restore` in a child process pointed at a new database (PostgreSQL:
`<name>_drill`, dropped afterwards; SQLite: a temporary file) and a new folder for the private
files, then runs `check_restored` there, in another child process:

* the restored database holds as many applications, copies and bundles as the original did;
* every copy named by the database is in the restored store with its size;
* a status lookup at /status/ (ID number + query password) finds the latest application: its ID
  number decrypts and its keyed hash matches, so the keys and the data agree. The drill sets a
  query password of its own on that application of the throwaway copy unless it is given one;
* a unit reviewer of that application's unit signs in with password and authenticator code and
  opens one of its copies at /attachments/<id>/, byte for byte what the original store held.
"""

import hashlib
import secrets

from applications.core.crypto import keyed_hash
from applications.core.downloads import open_private
from applications.core.storage import private_storage
from applications.models import Application, Attachment, DocumentBundle

DRILL_REVIEWER = "restore-drill-reviewer"


def counts():
    return {
        "applications": Application.objects.count(),
        "attachments": Attachment.objects.count(),
        "bundles": DocumentBundle.objects.exclude(file="").count(),
    }


def _digest(name):
    handle, _size = open_private(name)
    try:
        digest = hashlib.sha256()
        while block := handle.read(1024 * 1024):
            digest.update(block)
        return digest.hexdigest()
    finally:
        handle.close()


def sample_copy():
    """The latest application with a copy, and that copy's digest: what the drill checks after restoring."""
    attachment = Attachment.objects.select_related("application").order_by("-application__submitted_at", "-pk").first()
    if attachment is None:
        return None
    return {"attachment": attachment.pk, "sha256": _digest(attachment.file.name)}


def _sign_in(client, application, password):
    from django_otp.oath import totp

    from applications.core.constants import Role
    from applications.programme.staff import create_staff
    from staff_auth.devices import issue_device

    user = create_staff(DRILL_REVIEWER, Role.UNIT_REVIEWER, password=password, unit_name=application.unit.name)[0]
    device = issue_device(user, reset=True)
    response = client.post(
        "/admin/login/",
        {"username": DRILL_REVIEWER, "password": password, "otp_token": f"{totp(bytes.fromhex(device.key)):06d}"},
    )
    return response.status_code == 302 and "/admin/login/" not in response.get("Location", "")


def check_restored(expected_counts, sample, id_number=None, query_password=None):
    """Problems found in the restored site this process is configured for (an empty list: the drill passed)."""
    from django.test import Client

    from applications.apply.status import hash_query_password, new_query_password
    from applications.models import StatusPage

    problems = []
    found = counts()
    if found != expected_counts:
        problems.append(f"counts differ: expected {expected_counts}, restored {found}")
    storage = private_storage()
    missing = sum(not storage.exists(name) for name in Attachment.objects.values_list("file", flat=True).iterator())
    if missing:
        problems.append(f"{missing} copies named by the database are not in the restored store")
    if sample is None:
        return problems
    attachment = Attachment.objects.select_related("application__unit").get(pk=sample["attachment"])
    application = attachment.application
    client = Client(HTTP_HOST="127.0.0.1")
    if id_number is None:  # a throwaway copy: give the application a query password the drill knows
        id_number, query_password = application.id_number, new_query_password()
        application.query_password_hash = hash_query_password(query_password, keyed_hash(id_number))
        application.save(update_fields=["query_password_hash"])
    status_url = StatusPage.objects.live().first().url
    page = client.post(status_url, {"id_number": id_number, "password": query_password}).content.decode()
    if application.reference not in page or application.get_state_display() not in page:
        problems.append("the status lookup did not find the application")
    staff = Client(HTTP_HOST="127.0.0.1")
    if not _sign_in(staff, application, secrets.token_urlsafe(24)):
        problems.append("the unit reviewer could not sign in")
    else:
        response = staff.get(f"/attachments/{attachment.pk}/")
        body = b"".join(response.streaming_content) if response.status_code == 200 else b""
        if response.status_code != 200 or hashlib.sha256(body).hexdigest() != sample["sha256"]:
            problems.append(f"the copy view gave {response.status_code}, not the original file")
    return problems
