"""What the fault drills share: the stack started with overrides, an applicant client, checks in the database.

Every drill starts its own `deploy/prod.py --no-setup` (so it can change the stack's environment),
talks to it only on 127.0.0.1, bounds each loop in count and time, and stops what it started.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import requests
import urllib3

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR / "deploy"))
sys.path.insert(0, str(BASE_DIR / "bench" / "load"))

import prod  # noqa: E402
from photos import ensure_photos  # noqa: E402
from prepare import PASSWORD, ensure_staff, next_run, write_members  # noqa: E402

HTTPS = f"https://127.0.0.1:{prod.HTTPS_PORT}"
HTTP = f"http://127.0.0.1:{prod.HTTP_PORT}"
YEAR = int(os.environ.get("LOAD_YEAR", "2026"))
LOG_DIR = BASE_DIR / "var" / "faults"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MESSAGE = re.compile(
    r'(?:role="(?:alert|status)"|class="[^"]*(?:errorlist|alert|messages)[^"]*")[^>]*>(.*?)</div>', re.S
)
PASSWORD_RE = re.compile(r'class="query-password"[^>]*>([A-Z2-9]{8})<')


def log(message):
    print(f"[drill] {message}", flush=True)


def readiness():
    """(status, body) of /readyz/, or (None, error) when nothing answers."""
    try:
        with urllib.request.urlopen(f"{HTTP}/readyz/", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body or b"{}")
        except ValueError:
            return error.code, body.decode("utf-8", "replace")[:120]
    except Exception as error:  # connection refused, timeout
        return None, type(error).__name__


@contextlib.contextmanager
def stack(name, **overrides):
    """The prod stack with `overrides` in its environment; its output goes to var/faults/<name>.log."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    if readiness()[0] is not None:
        raise SystemExit("a stack already answers on 127.0.0.1:8080: stop it first (the drills start their own)")
    env = {**os.environ, "ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR": "100000", **overrides}
    out = open(LOG_DIR / f"{name}.log", "w")
    process = subprocess.Popen(
        [sys.executable, str(BASE_DIR / "deploy" / "prod.py"), "--no-setup"],
        cwd=BASE_DIR,
        env=env,
        stdout=out,
        stderr=out,
    )
    try:
        for _ in range(180):
            if process.poll() is not None:
                raise SystemExit(f"deploy/prod.py exited with {process.returncode}: see var/faults/{name}.log")
            if (
                "[prod] ready" in (LOG_DIR / f"{name}.log").read_text()
                or "NOT READY" in (LOG_DIR / f"{name}.log").read_text()
            ):
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"the stack did not come up in 90 s: see var/faults/{name}.log")
        yield state()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        out.close()


def state():
    return json.loads((BASE_DIR / "var" / "prod" / "state.json").read_text())


def children(pid):
    """Process ids whose parent is `pid` (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def django(script, **overrides):
    """Run `script` in `manage.py shell` with the stack's settings; returns the JSON it prints last."""
    env = {**prod.environment(), **overrides}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-1500:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def new_members(count):
    """`count` fresh verified members (imported as the load test does); a list of dicts."""
    run = next_run()
    path, members = write_members(run, count)
    env = prod.environment()
    subprocess.run([sys.executable, "manage.py", "import_members", str(path)], cwd=BASE_DIR, env=env, check=True,
                   capture_output=True)  # fmt: skip
    return [{"name": n, "id_number": i, "mobile": m} for n, i, m in members]


def read_code(mobile, sms_file, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if Path(sms_file).exists():
            for line in reversed(Path(sms_file).read_text(encoding="utf-8").splitlines()[-2000:]):
                if f'"{mobile}"' in line and "验证码" in line:
                    found = re.search(r"(?<!\d)\d{6}(?!\d)", json.loads(line)["text"])
                    if found:
                        return found.group()
        time.sleep(0.2)
    return None


class Applicant:
    """One person going through /apply/<year>/ with requests (no browser); each step returns the response."""

    def __init__(self, member, photos="full", timeout=90):
        self.member = member
        self.session = requests.Session()
        self.session.verify = False
        self.session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
        self.path = f"{HTTPS}/apply/{YEAR}/"
        self.timeout = timeout
        self.last = None
        self.photos = {kind: path.read_bytes() for kind, path in ensure_photos(photos).items()}

    def _post(self, data, files=None):
        data = {"csrfmiddlewaretoken": self.csrf(), **data}
        self.last = self.session.post(self.path, data=data, files=files, headers={"Referer": self.path},
                                      timeout=self.timeout)  # fmt: skip
        return self.last

    def csrf(self):
        match = CSRF.search(self.last.text if self.last is not None else "")
        return match.group(1) if match else ""

    def open(self):
        self.last = self.session.get(self.path, timeout=self.timeout)
        return self.last

    def identity(self):
        return self._post({"name": self.member["name"], "id_number": self.member["id_number"]})

    def code(self, sms_file):
        code = read_code(self.member["mobile"], sms_file)
        if code is None:
            return None
        return self._post({"code": code})

    def details(self):
        html = self.last.text

        def option(select, label):
            block = re.search(rf'<select name="{select}".*?</select>', html, re.S)
            found = block and re.search(rf'<option value="([^"]*)"[^>]*>\s*{re.escape(label)}\s*<', block.group(0))
            return found.group(1) if found else ""

        return self._post(
            {
                "unit": option("unit", "西湖区总工会"),
                "education": "senior",
                "occupation": "数控车工",
                "new_level": option("new_level", "技师"),
                "certificate_number": "S000033010600777",
                "certificate_issued_on": f"{YEAR}-06-01",
                "certificate_issuer_type": "hr",
                "certificate_issuer": "杭州市人力资源和社会保障局",
                "mobile": self.member["mobile"],
                "bank_card": "6222021234567890128",
                "bank_branch": "中国工商银行杭州西湖支行",
                "employer": "杭州压测机械有限公司",
                "grassroots_union": "杭州压测机械有限公司工会",
                "is_migrant": "no",
                "sensitive_consent": "on",  # the separate consent to the sensitive data (issue 14)
            }
        )

    def upload(self):
        files = {kind: (f"{kind}.jpg", data, "image/jpeg") for kind, data in self.photos.items()}
        return self._post({}, files=files)

    def submit(self):
        return self._post({})

    def up_to_confirm(self, sms_file):
        """Identity, code, details, photos; True when the confirm page is reached."""
        self.open()
        if "验证码已发送" not in self.identity().text:
            return False
        if self.code(sms_file) is None or "第二步" not in self.last.text:
            return False
        return "第三步" in self.details().text and "第四步" in self.upload().text

    def query_password(self):
        found = PASSWORD_RE.search(self.last.text if self.last is not None else "")
        return found.group(1) if found else None


def heading(response):
    """What a person saw: the step's heading (h2, else h1) and the first message or error on the page."""
    if response is None:
        return None
    text = response.content.decode("utf-8", "replace")
    found = re.search(r"<h2[^>]*>(.*?)</h2>", text, re.S) or re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
    said = _clean(found.group(1)) if found else _clean(text)[:80]
    message = MESSAGE.search(text)
    return f"{said} | {_clean(message.group(1))[:160]}" if message else said


def _clean(html):
    return re.sub(r"<[^>]+>|\s+", " ", html).strip()


def application_files(private_root):
    """Files in the private store outside pending/ (relative paths)."""
    root = Path(private_root)
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] not in ("pending",) and not path.name.startswith(".")
    )


APPLICATIONS_OF = """
import json
from applications.core.crypto import keyed_hash
from applications.models import Application, Attachment
ids = %(ids)r
out = {}
for number in ids:
    apps = Application.objects.filter(id_hash=keyed_hash(number))
    out[number] = [{"reference": a.reference, "state": a.state,
                    "attachments": sorted(x.kind for x in a.attachments.all())} for a in apps]
out["_referenced"] = sorted(Attachment.objects.values_list("file", flat=True))
print(json.dumps(out))
"""


def applications_of(id_numbers):
    return django(APPLICATIONS_OF % {"ids": list(id_numbers)})


def staff_session(username, password, key):
    """A requests session signed in to /admin/ with password and authenticator code."""
    from django_otp.oath import totp

    session = requests.Session()
    session.verify = False
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
    page = session.get(f"{HTTPS}/admin/login/", timeout=30)
    token = CSRF.search(page.text).group(1)
    response = session.post(
        f"{HTTPS}/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": password,
              "otp_token": f"{totp(bytes.fromhex(key)):06d}", "next": "/admin/"},
        headers={"Referer": f"{HTTPS}/admin/login/"},
        timeout=30,
    )  # fmt: skip
    if "/admin/login/" in response.url:
        raise RuntimeError(f"{username} could not sign in")
    return session


def reviewer(kind="unit"):
    staff = ensure_staff(prod.environment(), 1)
    account = staff[kind][0]
    return staff_session(account["username"], PASSWORD, account["key"])
