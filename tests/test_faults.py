"""What survives a failing part (issue 13): Redis, PostgreSQL, the SMS gateway, the file store, workers killed.

The drills in bench/faults run the same faults against the production stack; these tests pin the
application's side of each.
"""

import datetime
import errno
import json
import time
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.utils import timezone
from django.utils.functional import empty

from applications.apply.copies import CleanUpload
from applications.apply.submission import STORE_FAILED, SubmissionError, submit
from applications.core import sms
from applications.core.storage import private_storage
from applications.documents import bundles
from applications.models import Application, DocumentBundle, ReviewUnit, SmsMessage
from applications.programme.demo import ensure_demo_campaign
from home import page_cache
from home.views import server_error
from tests.apply.test_submission import _applicant
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

DEAD_REDIS = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6399/0"}
PNG = CleanUpload(b"\x89PNG fake but already cleaned", "image/png", "png")
MOBILE = "13900002222"


@pytest.fixture
def campaign(campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    return ensure_demo_campaign(campaign_2022)


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    private_storage()._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
    yield tmp_path / "private"
    private_storage()._wrapped = empty  # set up again from the settings once they are restored


def _files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# Redis down: pages are served uncached.


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {**settings.CACHES, "pages": DEAD_REDIS}
    page_cache._outage.until = float("-inf")
    page_cache._copy.clear(None)
    yield
    page_cache._outage.until = float("-inf")


def test_with_the_page_cache_unreachable_pages_are_served_uncached(client, notice_2022, redis_down, caplog):
    first = client.get(notice_2022.url)
    second = client.get(notice_2022.url)
    assert first.status_code == second.status_code == 200
    assert "杭总工办〔2022〕12号" in second.content.decode()
    assert client.get("/healthz/").status_code == 200
    assert sum("page cache unavailable" in record.message for record in caplog.records) == 1  # logged once


def test_publishing_with_the_page_cache_unreachable_still_publishes(notice_2022, redis_down):
    notice_2022.addressees = "各区、县（市）总工会："
    notice_2022.save_revision().publish()  # the purge fails and is logged, the publish goes through
    notice_2022.refresh_from_db()
    assert notice_2022.addressees == "各区、县（市）总工会："


def test_the_site_uses_the_cache_again_once_it_is_back(client, notice_2022, redis_down, settings):
    client.get(notice_2022.url)
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    page_cache._outage.until = float("-inf")
    client.get(notice_2022.url)
    assert client.get(notice_2022.url).status_code == 200
    assert page_cache._copy.entries  # stored again


# PostgreSQL unreachable: a Chinese 503 page, not the generic 500.


def test_a_database_connection_error_gives_the_503_page():
    request = RequestFactory().get("/apply/2026/")
    try:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "服务暂时不可用" in response.content.decode()


def test_other_errors_keep_the_500_page():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "系统繁忙" in response.content.decode()


def test_production_checks_kept_connections(settings):
    source = (Path(settings.BASE_DIR) / "config" / "settings" / "production.py").read_text(encoding="utf-8")
    assert 'CONN_HEALTH_CHECKS"] = True' in source and "CONN_MAX_AGE" in source


# The SMS gateway down: confirmations are queued and retried, never sent twice.


class FlakyGateway:
    """A backend that fails while `down` and records what it delivered."""

    name = "flaky"
    down = True
    delivered = []

    def send(self, to, text, *, sent_at, message_id=None):
        if FlakyGateway.down:
            raise sms.SmsError("短信网关在 5 秒内没有响应")
        FlakyGateway.delivered.append((to, text, message_id))


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = "tests.test_faults.FlakyGateway"
    FlakyGateway.down, FlakyGateway.delivered = True, []
    return FlakyGateway


def test_a_queued_text_waits_out_the_gateway_and_is_sent_once(flaky, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = sms.queue_sms(MOBILE, "【杭州市总工会】您的申报已提交。", purpose="application_submitted")
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsMessage.Status.QUEUED, 1)
    assert message.next_try_at > timezone.now() and "没有响应" in message.error

    assert sms.send_queued() == {}  # not due yet
    flaky.down = False
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert sms.send_queued(now=later) == {"sent": 1}
    assert sms.send_queued(now=later) == {}
    assert sms.deliver(message.pk) is None  # a late task for it sends nothing
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == (SmsMessage.Status.SENT, 2, "")
    assert flaky.delivered == [(MOBILE, "【杭州市总工会】您的申报已提交。", f"sms-{message.pk}")]


def test_a_queued_text_is_given_up_after_the_last_attempt(flaky, settings):
    settings.SMS_QUEUE_MAX_ATTEMPTS = 2
    message = sms.queue_sms(MOBILE, "测试", purpose="test")
    assert sms.deliver(message.pk) == SmsMessage.Status.QUEUED
    assert sms.deliver(message.pk) == SmsMessage.Status.FAILED
    assert sms.deliver(message.pk) is None


def test_the_management_command_sends_what_is_due(flaky):
    message = sms.queue_sms(MOBILE, "测试", purpose="test")  # its task was never run (worker killed)
    flaky.down = False
    call_command("send_queued_sms")
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT and len(flaky.delivered) == 1


def test_the_submission_confirmation_is_queued_not_sent_in_the_request(
    campaign, flaky, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submitted = submit(campaign, _applicant(campaign), {"certificate": PNG})
    message = SmsMessage.objects.get(purpose="application_submitted")
    assert message.status == SmsMessage.Status.QUEUED  # the gateway is down; the application stands
    assert submitted.application.reference in message.text


# The private store full or failing: a clear message, nothing half written.


def _full_after(limit):
    """A FileSystemStorage._save that writes part of the file and fails with ENOSPC once `limit` files exist."""
    original = FileSystemStorage._save
    calls = []

    def save(self, name, content):
        calls.append(name)
        if len(calls) > limit:
            path = self.path(name)
            import os

            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as half:
                half.write(b"\x89PNG half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, name, content)

    return save


def test_a_full_store_refuses_the_submission_and_leaves_no_file(campaign, private_root, monkeypatch):
    monkeypatch.setattr(FileSystemStorage, "_save", _full_after(1))
    with pytest.raises(SubmissionError) as refused:
        submit(campaign, _applicant(campaign), {"certificate": PNG, "id_front": PNG})
    assert refused.value.message == STORE_FAILED
    assert not Application.objects.exists()
    assert _files(private_root) == []


def test_a_submission_that_does_not_commit_removes_its_copies(campaign, private_root, monkeypatch):
    from applications.models import ApplicationEvent

    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(ApplicationEvent.objects, "create", fail)
    with pytest.raises(OperationalError):
        submit(campaign, _applicant(campaign), {"certificate": PNG, "id_front": PNG})
    assert not Application.objects.exists()
    assert _files(private_root) == []


def test_copies_of_a_killed_submission_are_purged_with_the_pending_uploads(campaign, private_root):
    submitted = submit(campaign, _applicant(campaign), {"certificate": PNG})
    orphan = private_root / str(campaign.year) / "HZ2026999999" / "certificate-certificate.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"\x89PNG")
    kept = _files(private_root)
    call_command("purge_pending_uploads", hours=0)
    assert _files(private_root) == [name for name in kept if "HZ2026999999" not in name]
    assert submitted.application.attachments.get().file.name in _files(private_root)


# The task worker killed during a bundle: it ends failed and can be requested again.


def test_a_bundle_without_progress_is_marked_failed_when_the_list_is_shown(client, reviewer, campaign_2022):
    xihu = ReviewUnit.objects.get(name="西湖区总工会")
    now = timezone.now()
    stalled, alive = (
        DocumentBundle.objects.create(
            kind="application_forms",
            campaign=campaign_2022,
            unit=xihu,
            states="approved",
            state="running",
            total=104,
            done=80,
            progress_at=at,
        )
        for at in (now - bundles.STALLED_AFTER - datetime.timedelta(seconds=1), now)
    )
    client.force_login(reviewer)
    page = client.get("/admin/bundles/").content.decode()
    stalled.refresh_from_db()
    alive.refresh_from_db()
    assert stalled.state == "failed" and stalled.error == bundles.STALLED_MESSAGE
    assert alive.state == "running"
    assert bundles.STALLED_MESSAGE in page or "失败" in page
    status = client.get(f"/admin/bundles/status/?id={stalled.pk}").json()
    assert json.dumps(status, ensure_ascii=False).count("failed") == 1


def test_a_full_store_during_upload_says_so_beside_the_file_and_keeps_the_others(
    client, campaign_2022, sms_file, private_root, monkeypatch
):
    from tests.apply.test_flow import _details, _png, _through_identity
    from tests.factories import MemberFactory

    demo = ensure_demo_campaign(campaign_2022)
    url = _through_identity(client, demo, MemberFactory(), sms_file)
    client.post(url, _details(demo))
    monkeypatch.setattr(FileSystemStorage, "_save", _full_after(3))
    response = client.post(url, {"id_front": _png(), "id_back": _png(), "certificate": _png(), "bank_card": _png()})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("此文件暂时无法保存") == 2  # beside the file and in the summary
    assert 'href="#id_bank_card"' in html and 'href="#id_id_front"' not in html
    assert len(_files(private_root)) == 3  # the three stored; nothing half written
    monkeypatch.undo()
    assert client.post(url, {"bank_card": _png()}).status_code == 302


class SlowGateway:
    """Takes half a second to accept a message, long enough for a second worker to try the same one."""

    name = "slow"
    delivered = []

    def send(self, to, text, *, sent_at, message_id=None):
        time.sleep(0.5)
        SlowGateway.delivered.append(message_id)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_delivering_the_same_text_send_it_once(settings):

    settings.SMS_BACKEND = "tests.test_faults.SlowGateway"
    SlowGateway.delivered = []
    message = SmsMessage.objects.create(
        to=MOBILE, text="测试", purpose="test", backend="slow", status="queued", next_try_at=timezone.now()
    )
    outcomes = at_once(lambda: sms.deliver(message.pk), lambda: sms.deliver(message.pk))
    assert sorted(outcomes, key=str) == [None, "sent"]
    assert SlowGateway.delivered == [f"sms-{message.pk}"]
