"""Text messages: one `send_sms` for the whole portal, a backend chosen by `settings.SMS_BACKEND`.

Backends: `console` (stdout, for development), `file` (one JSON line per message appended to
`settings.SMS_FILE`, for tests and demos) and `http` (a JSON POST to the SMS gateway at
`settings.SMS_HTTP_URL`). A dotted path to a class with the same `send` method also works.
Every message is recorded as an `SmsMessage`; none may carry a full ID or bank card number.

Two ways to send. `send_sms` sends at once and records whether it went: for one-time codes, which
the person is waiting for. `queue_sms` records the message as queued and, once the caller's
transaction commits, hands it to the task worker (`deliver_sms`): confirmations and outcome texts,
which must not hold a web worker while the gateway is slow, nor be lost while it is down. The task
locks the row, sends, and marks it sent; on failure it counts the attempt and queues itself again
after a growing delay (30 s up to 30 min), until sent or `SMS_QUEUE_MAX_ATTEMPTS` (then failed, in
the SMS log). A queued message whose task was lost (worker killed, queue unreachable) is picked up
by the next delivery or by `manage.py send_queued_sms` (run it every few minutes). A message is
never sent twice by the portal: a row marked sent is never sent again and two workers cannot hold
the same row. One risk remains with the gateway: a timeout after the gateway accepted the message
is retried; the HTTP backend sends the message id (`"id": "sms-<pk>"`) so a gateway that drops
repeated ids sends it once.
"""

import datetime
import inspect
import json
import logging
import os
import re
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import default_task_backend, task

from applications.core.crypto import mask
from applications.core.identity import MOBILE_RE
from applications.models import SmsMessage

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

logger = logging.getLogger("portal.sms")

# An 18-character ID number, or 12 or more digits in a row (a bank card number).
FORBIDDEN_NUMBER_RE = re.compile(r"\d{17}[\dXx]|\d{12,}")


class SmsError(Exception):
    """A backend could not hand the message over."""


class ConsoleBackend:
    """Writes each message to standard output."""

    name = "console"

    def send(self, to, text, *, sent_at):
        sys.stdout.write(f"[短信 {timezone.localtime(sent_at):%Y-%m-%d %H:%M:%S}] {to}: {text}\n")
        sys.stdout.flush()


class FileBackend:
    """Appends one JSON line per message to `settings.SMS_FILE`, never interleaving lines."""

    name = "file"
    _lock = threading.Lock()

    def send(self, to, text, *, sent_at):
        path = Path(settings.SMS_FILE)
        line = json.dumps(
            {"to": to, "text": text, "sent_at": timezone.localtime(sent_at).isoformat()}, ensure_ascii=False
        )
        data = (line + "\n").encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock:
                fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    if fcntl:
                        fcntl.flock(fd, fcntl.LOCK_EX)
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
        except OSError as error:
            raise SmsError(f"写入 {path} 失败：{error.strerror}") from error


class HttpBackend:
    """POSTs `{"to", "text", "sent_at"}` as JSON to the gateway, retrying connection errors and 5xx.

    A read timeout is not retried: the gateway may already have sent the message.
    """

    name = "http"

    def send(self, to, text, *, sent_at, message_id=None):
        import requests

        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url:
            raise ImproperlyConfigured("SMS_BACKEND is http but SMS_HTTP_URL is not set.")
        token = getattr(settings, "SMS_HTTP_TOKEN", "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        timeout = float(getattr(settings, "SMS_HTTP_TIMEOUT", 5))
        attempts = max(1, int(getattr(settings, "SMS_HTTP_ATTEMPTS", 3)))
        backoff = float(getattr(settings, "SMS_HTTP_BACKOFF", 0.5))
        payload = {"to": to, "text": text, "sent_at": timezone.localtime(sent_at).isoformat()}
        if message_id:
            payload["id"] = message_id  # the same for every retry of a queued message

        for attempt in range(1, attempts + 1):
            try:
                response = requests.post(url, json=payload, headers=headers, timeout=timeout)
            except requests.ConnectionError as error:
                problem = f"连接短信网关失败：{type(error).__name__}"
            except requests.Timeout as error:
                raise SmsError(f"短信网关在 {timeout:g} 秒内没有响应") from error
            except requests.RequestException as error:
                raise SmsError(f"请求短信网关出错：{type(error).__name__}") from error
            else:
                if response.status_code < 400:
                    return
                problem = f"短信网关返回 HTTP {response.status_code}：{response.text[:80]}"
                if response.status_code < 500:
                    raise SmsError(problem)
            logger.warning("SMS attempt %s of %s failed: %s", attempt, attempts, problem)
            if attempt < attempts:
                time.sleep(backoff * 2 ** (attempt - 1))
        raise SmsError(f"{problem}（已尝试 {attempts} 次）")


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def get_backend():
    """An instance of the backend `settings.SMS_BACKEND` names."""
    name = getattr(settings, "SMS_BACKEND", "console") or "console"
    if name in BACKENDS:
        return BACKENDS[name]()
    if "." in name:
        return import_string(name)()
    raise ImproperlyConfigured(f"Unknown SMS_BACKEND {name!r}: use console, file, http or a dotted path.")


def check_text(text: str) -> None:
    """ValueError if the text holds an ID number or a bank card number."""
    if FORBIDDEN_NUMBER_RE.search(text):
        raise ValueError("短信内容不得包含身份证号码或银行卡号。")


def _check_message(to, text, logged_text=None):
    if not isinstance(to, str) or not MOBILE_RE.match(to):
        raise ValueError("手机号码应为11位手机号。")
    check_text(text)
    if logged_text is not None:
        check_text(logged_text)


def _backend_name(backend):
    return getattr(backend, "name", type(backend).__name__)[:20]


def send_sms(to: str, text: str, *, purpose: str, logged_text: str | None = None) -> SmsMessage:
    """Send `text` to the mobile number `to` now and record it; the record's status says whether it went.

    `logged_text`, when given, is recorded instead of the text (e.g. with a one-time code hidden).
    Raises ValueError for an invalid mobile number or a text with an ID or bank card number.
    For anything but a one-time code use `queue_sms`.
    """
    _check_message(to, text, logged_text)
    backend = get_backend()
    backend_name = _backend_name(backend)
    sent_at = timezone.now()
    status, error = SmsMessage.Status.SENT, ""
    try:
        backend.send(to, text, sent_at=sent_at)
    except ImproperlyConfigured:
        raise
    except Exception as exc:
        status, error = SmsMessage.Status.FAILED, str(exc)[:200] or type(exc).__name__
        logger.error("SMS to %s (%s) failed via %s: %s", mask(to, 3, 4), purpose, backend_name, error)
    else:
        logger.info("SMS to %s (%s) sent via %s", mask(to, 3, 4), purpose, backend_name)
    return SmsMessage.objects.create(
        to=to,
        text=text if logged_text is None else logged_text,
        purpose=purpose[:40],
        backend=backend_name,
        status=status,
        error=error,
        created_at=sent_at,
    )


# Delays between attempts of a queued message, then the last one again and again.
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800)
# A queued message this late was dropped by its task (worker killed, queue unreachable).
OVERDUE = datetime.timedelta(minutes=10)


def _max_attempts():
    return int(getattr(settings, "SMS_QUEUE_MAX_ATTEMPTS", 60))


def queue_sms(to: str, text: str, *, purpose: str) -> SmsMessage:
    """Record `text` for `to` as queued and send it from the task worker once the transaction commits.

    Raises ValueError as `send_sms` does. Returns the queued record; its status changes to sent
    (or, after `SMS_QUEUE_MAX_ATTEMPTS` failed attempts, to failed) in the worker.
    """
    _check_message(to, text)
    now = timezone.now()
    message = SmsMessage.objects.create(
        to=to,
        text=text,
        purpose=purpose[:40],
        backend=_backend_name(get_backend()),
        status=SmsMessage.Status.QUEUED,
        next_try_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id, run_after=None):
    """Queue the task for one message; a failure to queue only delays it (the sweep takes it)."""
    try:
        if run_after is not None and default_task_backend.supports_defer:
            deliver_sms.using(run_after=run_after).enqueue(message_id)
        elif run_after is None:
            deliver_sms.enqueue(message_id)
    except Exception:
        logger.exception("SMS %s not queued; send_queued_sms will send it", message_id)


def _send_queued(backend, message, sent_at):
    extra = {}
    if "message_id" in inspect.signature(backend.send).parameters:
        extra["message_id"] = f"sms-{message.pk}"
    backend.send(message.to, message.text, sent_at=sent_at, **extra)


def deliver(message_id) -> str | None:
    """Try to send one queued message now; returns its new status, or None if it was not queued.

    The row is locked while sending, so two workers never send the same message; one already sent
    or given up is left alone.
    """
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=SmsMessage.Status.QUEUED)
            .first()
        )
        if message is None:
            return None
        backend = get_backend()
        now = timezone.now()
        message.attempts += 1
        message.backend = _backend_name(backend)
        try:
            _send_queued(backend, message, now)
        except ImproperlyConfigured:
            raise
        except Exception as exc:
            message.error = str(exc)[:200] or type(exc).__name__
            if message.attempts >= _max_attempts():
                message.status, message.next_try_at = SmsMessage.Status.FAILED, None
            else:
                delay = RETRY_DELAYS[min(message.attempts, len(RETRY_DELAYS)) - 1]
                message.next_try_at = now + datetime.timedelta(seconds=delay)
            logger.error(
                "queued SMS %s to %s (%s) attempt %s failed: %s",
                message.pk,
                mask(message.to, 3, 4),
                message.purpose,
                message.attempts,
                message.error,
            )
        else:
            message.status, message.sent_at, message.next_try_at, message.error = SmsMessage.Status.SENT, now, None, ""
            logger.info("queued SMS %s to %s (%s) sent", message.pk, mask(message.to, 3, 4), message.purpose)
        message.save(update_fields=["attempts", "backend", "status", "error", "next_try_at", "sent_at"])
    if message.status == SmsMessage.Status.QUEUED:
        _enqueue(message.pk, run_after=message.next_try_at)
    return message.status


def due_messages(now=None, *, overdue=datetime.timedelta(0)):
    """Ids of queued messages whose next attempt is due (`overdue` past it), oldest first."""
    now = now or timezone.now()
    queued = SmsMessage.objects.filter(status=SmsMessage.Status.QUEUED, next_try_at__lte=now - overdue)
    return list(queued.order_by("next_try_at", "pk").values_list("pk", flat=True))


def send_queued(now=None, limit=None) -> dict:
    """Send every queued message that is due, here and now; counts by resulting status."""
    counts = {}
    for message_id in due_messages(now)[:limit]:
        status = deliver(message_id) or "skipped"
        counts[status] = counts.get(status, 0) + 1
    return counts


@task()
def deliver_sms(message_id):
    """Send one queued message (see `deliver`), then queue any overdue ones whose task was lost."""
    status = deliver(message_id)
    for overdue_id in due_messages(overdue=OVERDUE)[:20]:
        if overdue_id != message_id:
            _enqueue(overdue_id)
    return status
