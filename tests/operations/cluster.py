"""Several app processes on loopback sharing one PostgreSQL database, Redis and an object store.

`cluster(...)` starts gunicorn processes (production settings, one worker each, each on its own
free port) and one `manage.py db_worker`, all with the same environment: the same keys, database,
Redis databases and PRIVATE_STORAGE_URL. `Visitor` is a person's HTTP client (requests) that can
go to any of them. Everything is bounded in time and stopped when the context ends.
"""

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.operations.seaweed import free_ports

BASE_DIR = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def environment(database_url, storage_url, folder, redis_db):
    """What every process gets: production settings, one set of generated keys, the shared services."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.operations.multi_settings",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(48),
            "FIELD_HASH_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "CACHE_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "PAGE_CACHE_URL": f"redis://127.0.0.1:6379/{redis_db + 1}",
            "PRIVATE_STORAGE_URL": storage_url,
            "PRIVATE_MEDIA_ROOT": str(folder / "no-private-files-here"),
            "MEDIA_ROOT": str(folder / "media"),
            "STATIC_ROOT": str(folder / "static"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "SECURE_HSTS_SECONDS": "0",
            "SMS_BACKEND": "file",
            "SMS_FILE": str(folder / "sms.jsonl"),
            "GUNICORN_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env, *args, timeout=120):
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed: {result.stderr[-2000:]}")
    return result.stdout


def shell_json(env, script):
    """Run `script` in `manage.py shell` with the cluster's settings; the JSON it prints last."""
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


@contextlib.contextmanager
def cluster(env, folder, app_processes=2, start_seconds=45):
    """Start `app_processes` gunicorns and one db_worker; yields the apps' base URLs."""
    ports = free_ports(app_processes)
    processes = []
    logs = []
    try:
        for number, port in enumerate(ports):
            log = (folder / f"app-{number}.log").open("wb")
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [str(Path(sys.executable).with_name("gunicorn")), "-c", "config/gunicorn.conf.py", "config.wsgi"],
                    cwd=BASE_DIR,
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        log = (folder / "worker.log").open("wb")
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + start_seconds
        for url in urls:
            while True:
                try:  # a worker's first request loads the URLconf and the templates: seconds on a busy machine
                    if requests.get(f"{url}/readyz/", timeout=max(1, deadline - time.monotonic())).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                    raise RuntimeError(f"the app processes did not come up: see {folder}/app-*.log")
                time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        for log in logs:
            log.close()


class Visitor(requests.Session):
    """A person's browser as far as the site can tell: cookies, CSRF tokens, the Referer of each form.

    The site runs behind a TLS proxy in production, so the visitor says https through
    X-Forwarded-Proto (gunicorn trusts it from 127.0.0.1), and its forms carry an https Referer.
    """

    def __init__(self, timeout=30):
        super().__init__()
        self.trust_env = False
        self.timeout = timeout
        self.headers["X-Forwarded-Proto"] = "https"
        self.last = None

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        self.last = super().request(method, url, **kwargs)
        return self.last

    def post_form(self, url, data, files=None, page=None):
        """POST `data` with the CSRF token of `page` (default: the last page seen)."""
        page = page if page is not None else self.last
        token = CSRF.search(page.text).group(1)
        referer = url.replace("http://", "https://", 1)
        return self.post(url, data={"csrfmiddlewaretoken": token, **data}, files=files, headers={"Referer": referer})


def read_code(sms_file, mobile, seconds=15):
    """The six-digit code last texted to `mobile`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Path(sms_file).exists():
            for line in reversed(Path(sms_file).read_text(encoding="utf-8").splitlines()):
                message = json.loads(line)
                if mobile in json.dumps(message) and "验证码" in message.get("text", ""):
                    return re.search(r"(?<!\d)\d{6}(?!\d)", message["text"]).group()
        time.sleep(0.2)
    raise RuntimeError(f"no code texted to {mobile}")


def said(response):
    """What the page told the person: its step heading and messages (for assertion messages)."""
    text = response.text
    found = re.findall(
        r'<h[12][^>]*>(.*?)</h[12]>|class="[^"]*(?:alert|errorlist|invalid-feedback)[^"]*"[^>]*>(.*?)</', text, re.S
    )
    return " | ".join(re.sub(r"<[^>]+>|\s+", " ", "".join(part)).strip() for part in found)[:600]
