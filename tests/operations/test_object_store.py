"""Private files on S3-compatible object storage (issue 14 item 5), against a real SeaweedFS on loopback.

Copies, bundles and pending uploads go to the bucket PRIVATE_STORAGE_URL names and nowhere on disk;
the bucket answers nobody without the keys; the app streams files out only after its own checks;
a URL of the storage is signed and dies after PRIVATE_STORAGE_SIGNED_URL_SECONDS.
"""

import datetime
import io
import json
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.management import call_command

from applications.apply.copies import CleanUpload
from applications.apply.submission import submit
from applications.backups import drill
from applications.core.storage import private_storage, reset_private_storage
from applications.documents import bundles
from applications.models import ReviewUnit
from applications.programme.demo import ensure_demo_campaign
from tests.apply.test_submission import _applicant
from tests.factories import ApplicationFactory, make_id_number
from tests.operations.test_backups import KEY, _child_env, _drop, _manage

pytestmark = [pytest.mark.django_db, pytest.mark.object_store]

PNG = CleanUpload(b"\x89PNG pretend image for the object store", "image/png", "png")


@pytest.fixture
def bucket(object_store, settings, tmp_path):
    """A new bucket as the private store; PRIVATE_MEDIA_ROOT points at an empty folder that must stay empty."""
    url, name = object_store.new_bucket()
    settings.PRIVATE_STORAGE_URL = url
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "disk")
    reset_private_storage()
    yield name
    reset_private_storage()


@pytest.fixture
def application(campaign_2022, bucket):
    campaign = ensure_demo_campaign(campaign_2022)
    applicant = _applicant(campaign, id_number=make_id_number(datetime.date(1988, 5, 17), seq=51))
    return submit(campaign, applicant, {"id_front": PNG}).application


def test_a_copy_is_stored_in_the_bucket_and_not_on_disk(application, bucket, object_store, tmp_path):
    attachment = application.attachments.get()
    assert object_store.keys(bucket) == [attachment.file.name]
    assert not (tmp_path / "disk").exists()
    stored = object_store.client().get_object(Bucket=bucket, Key=attachment.file.name)
    assert stored["Body"].read() == PNG.content and stored["CacheControl"] == "private, no-store"


def test_the_reviewer_gets_the_copy_streamed_through_the_app_and_others_get_404(client, application, reviewer):
    attachment = application.attachments.get()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.force_login(reviewer)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG.content
    assert response["Content-Length"] == str(len(PNG.content))
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "sandbox"


def test_the_bucket_answers_nobody_without_the_keys(application, bucket, object_store):
    name = application.attachments.get().file.name
    with pytest.raises(urllib.error.HTTPError) as anonymous:
        urllib.request.urlopen(f"{object_store.endpoint}/{bucket}/{name}", timeout=10)
    assert anonymous.value.code == 403
    with pytest.raises(ClientError):
        object_store.client(access_key="someone", secret_key="guessing-the-secret").get_object(Bucket=bucket, Key=name)


def test_a_url_of_the_store_is_signed_and_short_lived(application, settings):
    name = application.attachments.get().file.name
    url = private_storage().url(name)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"] and "X-Amz-Signature" in query
    assert urllib.request.urlopen(url, timeout=10).read() == PNG.content

    settings.PRIVATE_STORAGE_SIGNED_URL_SECONDS = 1
    reset_private_storage()
    short = private_storage().url(name)
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short, timeout=10)
    assert expired.value.code == 403


def test_a_bundle_is_built_into_the_bucket_and_downloaded_through_the_app(client, reviewer, campaign_2022, bucket):
    ApplicationFactory(campaign=campaign_2022, name="甲一", state="unit_approved")
    xihu = ReviewUnit.objects.get(name="西湖区总工会")
    bundle = bundles.request_bundle(reviewer, campaign_2022, xihu, ["unit_approved"])
    bundle.refresh_from_db()
    assert bundle.state == "done" and private_storage().exists(bundle.file.name)
    client.force_login(reviewer)
    response = client.get(f"/admin/bundles/{bundle.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_unsubmitted_uploads_are_purged_from_the_bucket(application, bucket, object_store):
    private_storage().save("pending/abc123/id_front.png", ContentFile(b"never submitted"))
    call_command("purge_pending_uploads", hours=0, stdout=io.StringIO())
    assert object_store.keys(bucket) == [application.attachments.get().file.name]


def test_readiness_writes_to_the_bucket_and_names_it_when_unreachable(client, bucket, object_store, settings):
    assert client.get("/readyz/").json()["checks"]["file_store"] == "ok"
    assert object_store.keys(bucket) == []  # the probe is deleted
    settings.PRIVATE_STORAGE_URL = object_store.url(bucket).replace(object_store.secret_key, "wrong-secret")
    reset_private_storage()
    assert client.get("/readyz/").json()["failing"] == ["file_store"]


@pytest.mark.processes
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_of_a_bucket_restores_into_a_new_bucket_and_the_copy_opens(
    campaign_2022, bucket, object_store, settings, tmp_path
):
    campaign = ensure_demo_campaign(campaign_2022)
    id_number = make_id_number(datetime.date(1988, 5, 17), seq=52)
    result = submit(campaign, _applicant(campaign, id_number=id_number), {"id_front": PNG, "bank_card": PNG})
    settings.BACKUP_KEY = KEY
    expected = {"counts": drill.counts(), "sample": drill.sample_copy()}
    call_command("backup", output=str(tmp_path / "site.hzbak"), stdout=io.StringIO())

    env, database = _child_env(tmp_path, "frombucket")
    new_url, new_bucket = object_store.new_bucket()
    env.update(PRIVATE_STORAGE_URL=new_url, DJANGO_SETTINGS_MODULE="tests.operations.bucket_settings")
    _drop(database)
    try:
        restored = _manage(env, "restore", str(tmp_path / "site.hzbak"))
        assert restored.returncode == 0, restored.stderr[-2000:]
        assert object_store.keys(new_bucket) == object_store.keys(bucket)
        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps({**expected, "id_number": id_number, "password": result.query_password}))
        checked = _manage(env, "restore_drill", "--check", str(plan))
        assert checked.returncode == 0, checked.stderr[-2000:]
        again = _manage(env, "restore", str(tmp_path / "site.hzbak"))
        assert again.returncode and "不是空的" in again.stderr
    finally:
        _drop(database)
