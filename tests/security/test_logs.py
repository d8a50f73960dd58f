"""What a reviewer searched for never lands in a log file: nginx and gunicorn log paths, not query strings.

The admin lists search with GET (`?q=` an ID number, a name); the next page's referer carries the
same query. The combined log format writes both out. These tests send such a request through the
real nginx of `make prod` (deploy/prod.py's rendering of deploy/nginx.conf.template) and through
gunicorn's access logger with config/gunicorn.conf.py, and read the log files.
"""

import datetime
import os
import runpy
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from deploy import prod

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "330106198805170012"
SEARCH = f"/admin/applications/application/?q={ID_NUMBER}&o=-1"
REFERER = f"https://127.0.0.1/admin/members/member/?q={ID_NUMBER}"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_logs_the_path_without_the_query_or_the_referer(tmp_path):
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    for name, value in runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    config.set("accesslog", str(tmp_path / "access.log"))
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": SEARCH,
        "PATH_INFO": SEARCH.split("?")[0],
        "QUERY_STRING": SEARCH.split("?")[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": REFERER,
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    Logger(config).access(response, [("REFERER", REFERER)], environ, datetime.timedelta(milliseconds=12))
    line = (tmp_path / "access.log").read_text()
    assert '"GET /admin/applications/application/ HTTP/1.1" 200 1234' in line
    assert ID_NUMBER not in line


@pytest.fixture
def nginx(tmp_path, monkeypatch):
    """The production nginx configuration on free ports in `tmp_path`, its upstream closed (502s)."""
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx not installed: `make nginx` (Debian's nginx-light); .ci/run installs it")
    monkeypatch.setenv("PATH", f"/usr/sbin:{os.environ['PATH']}")
    monkeypatch.setattr(prod, "RUN_DIR", tmp_path / "nginx")
    monkeypatch.setattr(prod, "TLS_DIR", tmp_path / "tls")
    monkeypatch.setattr(prod, "HTTP_PORT", _free_port())
    monkeypatch.setattr(prod, "HTTPS_PORT", _free_port())
    prod.ensure_certificate()
    env = {
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "GUNICORN_BIND": f"127.0.0.1:{_free_port()}",
        "GUNICORN_TIMEOUT": "60",
    }
    conf = prod.render_nginx(env)
    subprocess.run(["nginx", "-c", str(conf)], check=True)
    try:
        yield SimpleNamespace(https=f"https://127.0.0.1:{prod.HTTPS_PORT}", log=prod.RUN_DIR / "access.log")
    finally:
        subprocess.run(["nginx", "-c", str(conf), "-s", "quit"], check=True)  # writes out the log's buffer
        pid = prod.RUN_DIR / "nginx.pid"
        for _ in range(100):
            if not pid.exists():
                break
            time.sleep(0.05)


def test_nginx_logs_paths_without_the_query_or_the_referers_query(nginx):
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
    request = urllib.request.Request(nginx.https + SEARCH, headers={"Referer": REFERER})
    with pytest.raises(urllib.error.HTTPError) as answered:  # no gunicorn behind it: 502, still logged
        urllib.request.urlopen(request, context=insecure, timeout=10)
    assert answered.value.code == 502
    subprocess.run(["nginx", "-c", str(prod.RUN_DIR / "nginx.conf"), "-s", "reopen"], check=True)
    for _ in range(100):  # the buffer is written at the latest after `flush=2s`, or on reopen
        if nginx.log.exists() and nginx.log.read_text():
            break
        time.sleep(0.05)
    line = nginx.log.read_text()
    assert '"GET /admin/applications/application/ HTTP/1.1" 502' in line
    assert '"https://127.0.0.1/admin/members/member/"' in line
    assert ID_NUMBER not in line
