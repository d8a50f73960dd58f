"""Text messages: file, console and HTTP backends, the record of each message, what may not be sent."""

import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from applications.core.sms import FileBackend, send_sms
from applications.models import SmsMessage
from tests.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "nested" / "sms.jsonl"
    return settings.SMS_FILE


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_file_backend_appends_one_json_line_per_message(sms_file):
    first = send_sms(MOBILE, "【杭州市总工会】您的申请已受理。", purpose="submitted")
    send_sms("13800000000", "第二条", purpose="paid")

    raw = sms_file.read_text(encoding="utf-8")
    assert "您的申请已受理" in raw  # not \\u-escaped
    lines = read_lines(sms_file)
    assert [sorted(line) for line in lines] == [["sent_at", "text", "to"]] * 2
    assert (lines[0]["to"], lines[0]["text"]) == (MOBILE, "【杭州市总工会】您的申请已受理。")
    sent_at = timezone.datetime.fromisoformat(lines[0]["sent_at"])
    assert sent_at.tzinfo is not None and abs((timezone.now() - sent_at).total_seconds()) < 60

    assert (first.status, first.backend, first.purpose, first.to, first.error) == (
        "sent",
        "file",
        "submitted",
        MOBILE,
        "",
    )
    assert SmsMessage.objects.count() == 2


def test_file_backend_lines_never_interleave(settings, tmp_path):
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    backend = FileBackend()
    text = "长" * 3000  # longer than one buffer

    def send_many(n):
        for i in range(20):
            backend.send(f"139{n:04d}{i:04d}", text, sent_at=timezone.now())

    threads = [threading.Thread(target=send_many, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = read_lines(settings.SMS_FILE)
    assert len(lines) == 160 and all(line["text"] == text for line in lines)


def test_console_backend_prints_the_message(settings, capsys):
    settings.SMS_BACKEND = "console"
    message = send_sms(MOBILE, "测试短信", purpose="test")
    assert f"{MOBILE}: 测试短信" in capsys.readouterr().out
    assert message.backend == "console" and message.status == "sent"


@pytest.mark.parametrize(
    "text",
    [
        f"您的身份证号{make_id_number(seq=12)}已登记",
        f"身份证{make_id_number(seq=123)}",  # ending in X
        f"身份证{make_id_number(seq=123).lower()}",
        "奖励已发放至银行卡6222021234567890123",
        "卡号622202123456",
    ],
)
def test_texts_with_an_id_or_card_number_are_refused(sms_file, text):
    with pytest.raises(ValueError, match="身份证号码或银行卡号"):
        send_sms(MOBILE, text, purpose="test")
    assert not SmsMessage.objects.exists()
    assert not sms_file.exists()


@pytest.mark.parametrize(
    "text",
    [
        "【杭州市总工会】您的验证码为123456，10分钟内有效。如非本人操作，请忽略。",
        "请于2022年12月15日前申报，咨询电话0571-85100000，手机13900000000。",
        "银行卡尾号7890已到账500元。",
    ],
)
def test_ordinary_texts_are_sent(sms_file, text):
    assert send_sms(MOBILE, text, purpose="test").status == "sent"


@pytest.mark.parametrize("to", ["", "12345678901", "1391234567", "139123456789", None])
def test_invalid_mobile_numbers_are_refused(sms_file, to):
    with pytest.raises(ValueError):
        send_sms(to, "测试", purpose="test")


def test_logged_text_replaces_the_recorded_text(sms_file):
    message = send_sms(MOBILE, "验证码为123456", purpose="code", logged_text="验证码为******")
    assert message.text == "验证码为******"
    assert read_lines(sms_file)[0]["text"] == "验证码为123456"


# HTTP backend against a local stub gateway.


@contextmanager
def stub_gateway(statuses, delay=0.0):
    """A gateway answering with `statuses` in turn (the last one repeated); yields its request log."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append({"body": body, "authorization": self.headers.get("Authorization")})
            time.sleep(delay)
            status = statuses[min(len(requests), len(statuses)) - 1]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"ok": status < 400}).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sms", requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http_settings(settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_TOKEN = "gateway-token"
    settings.SMS_HTTP_TIMEOUT = 2
    settings.SMS_HTTP_BACKOFF = 0.01
    settings.SMS_HTTP_ATTEMPTS = 3
    return settings


def test_http_backend_retries_server_errors_then_succeeds(http_settings):
    with stub_gateway([503, 502, 200]) as (url, requests):
        http_settings.SMS_HTTP_URL = url
        message = send_sms(MOBILE, "测试短信", purpose="test")

    assert (message.status, message.backend) == ("sent", "http")
    assert len(requests) == 3
    assert requests[0]["authorization"] == "Bearer gateway-token"
    assert requests[-1]["body"]["to"] == MOBILE and requests[-1]["body"]["text"] == "测试短信"


def test_http_backend_gives_up_after_the_last_attempt(http_settings):
    with stub_gateway([500]) as (url, requests):
        http_settings.SMS_HTTP_URL = url
        message = send_sms(MOBILE, "测试短信", purpose="test")

    assert len(requests) == 3
    assert message.status == "failed" and "HTTP 500" in message.error and "3 次" in message.error


def test_http_backend_does_not_retry_a_client_error(http_settings):
    with stub_gateway([400]) as (url, requests):
        http_settings.SMS_HTTP_URL = url
        message = send_sms(MOBILE, "测试短信", purpose="test")

    assert len(requests) == 1
    assert message.status == "failed" and "HTTP 400" in message.error


def test_http_backend_timeout_is_recorded_as_failed(http_settings):
    http_settings.SMS_HTTP_TIMEOUT = 0.2
    with stub_gateway([200], delay=1.0) as (url, requests):
        http_settings.SMS_HTTP_URL = url
        message = send_sms(MOBILE, "测试短信", purpose="test")

    assert len(requests) == 1  # the gateway may have sent it: not repeated
    assert message.status == "failed" and "没有响应" in message.error
    assert SmsMessage.objects.get().status == SmsMessage.Status.FAILED


def test_http_backend_retries_refused_connections(http_settings):
    with stub_gateway([200]) as (url, _requests):
        pass  # closed: nothing listens on the port any more
    http_settings.SMS_HTTP_URL = url
    message = send_sms(MOBILE, "测试短信", purpose="test")
    assert message.status == "failed" and "连接短信网关失败" in message.error and "3 次" in message.error


# Admin.


def test_sms_admin_lists_masked_numbers_and_is_read_only(client, sms_file):
    message = send_sms(MOBILE, "测试短信", purpose="test")
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    html = client.get("/admin/applications/smsmessage/").content.decode()
    assert "139****5678" in html and MOBILE not in html
    assert "/admin/applications/smsmessage/create/" not in html
    assert client.get("/admin/applications/smsmessage/create/").status_code in (302, 403)
    assert client.get(f"/admin/applications/smsmessage/edit/{message.pk}/").status_code in (302, 403)
    assert client.get(f"/admin/applications/smsmessage/delete/{message.pk}/").status_code in (302, 403)
    assert "测试短信" in client.get(f"/admin/applications/smsmessage/inspect/{message.pk}/").content.decode()
