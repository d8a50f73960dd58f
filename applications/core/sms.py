"""Text messages: one `send_sms` for the whole portal, a backend chosen by `settings.SMS_BACKEND`.

Backends: `console` (stdout, for development), `file` (one JSON line per message appended to
`settings.SMS_FILE`, for tests and demos) and `http` (a JSON POST to the SMS gateway at
`settings.SMS_HTTP_URL`). A dotted path to a class with the same `send` method also works.
Every message is recorded as an `SmsMessage`; none may carry a full ID or bank card number.
"""

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
from django.utils import timezone
from django.utils.module_loading import import_string

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

    def send(self, to, text, *, sent_at):
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


def send_sms(to: str, text: str, *, purpose: str, logged_text: str | None = None) -> SmsMessage:
    """Send `text` to the mobile number `to` and record it; the record's status says whether it went.

    `logged_text`, when given, is recorded instead of the text (e.g. with a one-time code hidden).
    Raises ValueError for an invalid mobile number or a text with an ID or bank card number.
    """
    if not isinstance(to, str) or not MOBILE_RE.match(to):
        raise ValueError("手机号码应为11位手机号。")
    check_text(text)
    if logged_text is not None:
        check_text(logged_text)
    backend = get_backend()
    backend_name = getattr(backend, "name", type(backend).__name__)[:20]
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
