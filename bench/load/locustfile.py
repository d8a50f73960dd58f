"""The crunch on the `make prod` stack: readers, self-checks, applicants, status lookups and two reviewers.

Run through bench/load/run.py, which prepares the members and staff (bench/load/prepare.py), the
photos (bench/load/photos.py) and reads the figures. Host: https://127.0.0.1:8443 (nginx, self-signed).

* Reader: the home page, the 2022 notice and its annexes (served from the page cache).
* SelfCheck: the JSON API, `/api/v1/campaigns/<year>/eligibility?level=&issued=`.
* Applicant: the whole online flow as a new person each time: identity, the SMS code read from
  the file the stack's `file` SMS backend writes, the Annex 3 details, four photos, confirm, submit.
* StatusLookup: the status page with an ID number and the query password a finished applicant got.
* UnitReviewer and CityReviewer (one each): sign in with password and authenticator code, open a
  pending application from the list and pre-approve (unit) or approve (city) it.

Think times are the LOAD_THINK seconds (default 1-3) between steps: far shorter than a person's, so
a few simulated applicants stand for many real ones (see bench/README.md).
"""

import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import urllib3
from django_otp.oath import totp
from locust import HttpUser, between, task

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

BASE_DIR = Path(__file__).resolve().parents[2]
LOAD_DIR = BASE_DIR / "var" / "load"
SMS_FILE = Path(os.environ.get("LOAD_SMS_FILE", BASE_DIR / "var" / "prod-sms.jsonl"))
YEAR = int(os.environ.get("LOAD_YEAR", "2026"))
ISSUED = os.environ.get("LOAD_ISSUED", f"{YEAR}-06-01")
PHOTOS = os.environ.get("LOAD_PHOTOS", "full")
THINK = tuple(float(part) for part in os.environ.get("LOAD_THINK", "1,3").split(","))
BANK_CARD = "6222021234567890128"

MEMBERS = iter(json.loads(Path(os.environ.get("LOAD_MEMBERS", LOAD_DIR / "members.json")).read_text(encoding="utf-8")))
STAFF = json.loads((LOAD_DIR / "staff.json").read_text())
PHOTO_BYTES = {path.stem: path.read_bytes() for path in (LOAD_DIR / "photos" / PHOTOS).glob("*.jpg")}
SUBMITTED = []  # (id_number, query password) of applications finished in this process
REVIEWER_NUMBERS = {"unit": itertools.count(), "city": itertools.count()}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ERROR = re.compile(r'class="[^"]*(?:errorlist|invalid-feedback|alert)[^"]*"[^>]*>(.*?)</', re.S)
REVIEW_LINK = re.compile(r"/admin/applications/review/(\d+)/")


def csrf(response):
    match = CSRF.search(response.text or "")
    return match.group(1) if match else ""


def option(html, select, label):
    """The value of the <option> labelled `label` in the <select name=`select`>."""
    block = re.search(rf'<select name="{select}".*?</select>', html, re.S)
    match = block and re.search(rf'<option value="([^"]*)"[^>]*>\s*{re.escape(label)}\s*</option>', block.group(0))
    return match.group(1) if match else ""


def read_code(mobile, seconds=10.0):
    """The six-digit code last texted to `mobile`, waiting up to `seconds` for it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if SMS_FILE.exists():
            with SMS_FILE.open("rb") as sms:
                sms.seek(max(0, sms.seek(0, 2) - 400_000))
                tail = sms.read().decode("utf-8", "replace").splitlines()
            for line in reversed(tail):
                if f'"{mobile}"' in line and "验证码" in line:
                    found = re.search(r"(?<!\d)\d{6}(?!\d)", json.loads(line)["text"])
                    if found:
                        return found.group()
        time.sleep(0.2)
    return None


class Portal(HttpUser):
    abstract = True
    host = "https://127.0.0.1:8443"

    def on_start(self):
        self.client.verify = False

    def fail(self, response, why):
        response.failure(why)

    def record_failure(self, kind, name, milliseconds):
        self.environment.events.request.fire(
            request_type=kind, name=name, response_time=milliseconds, response_length=0, exception=Exception(name)
        )

    def think(self):
        time.sleep(random.uniform(*THINK))


class Reader(Portal):
    weight = 6
    wait_time = between(1, 3)
    PAGES = (
        "/",
        "/notices/2022/",
        "/notices/2022/quota-table/",
        "/notices/2022/procedure/",
        "/notices/2022/application-form/",
    )

    @task
    def read(self):
        path = random.choice(self.PAGES)
        self.client.get(path, name=f"read {path}")


class SelfCheck(Portal):
    weight = 2
    wait_time = between(1, 3)
    LEVELS = ("senior_worker", "technician", "senior_technician", "junior_worker")

    @task
    def check(self):
        level = random.choice(self.LEVELS)
        issued = random.choice((ISSUED, "2025-12-01", "2024-05-01", "2026-11-30"))
        with self.client.get(
            f"/api/v1/campaigns/{YEAR}/eligibility?level={level}&issued={issued}",
            name="api eligibility",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "eligible" not in response.text:
                self.fail(response, f"HTTP {response.status_code}")


class Applicant(Portal):
    weight = 3
    wait_time = between(1, 3)

    def step(self, name, method, path, expect, **kwargs):
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                self.fail(response, f"HTTP {response.status_code}")
                return None
            if expect not in response.text:
                heading = re.search(r"<h2[^>]*>(.*?)</h2>", response.text, re.S)
                error = FORM_ERROR.search(response.text)
                said = f"page {heading and heading.group(1)!r}; {error and error.group(1)!r}"
                self.fail(response, f"expected {expect!r}; {said}")
                return None
            return response

    @task
    def apply(self):
        member = next(MEMBERS, None)
        if member is None:
            self.record_failure("MEMBERS", "no member left", 0)
            time.sleep(5)
            return
        self.client.cookies.clear()
        path = f"/apply/{YEAR}/"
        page = self.step("apply 0 open", "GET", path, "第一步")
        if not page:
            return
        self.think()
        page = self.step(
            "apply 1 identity", "POST", path, "验证码已发送",
            data={"csrfmiddlewaretoken": csrf(page), "name": member["name"], "id_number": member["id_number"]},
            headers={"Referer": self.host + path},
        )  # fmt: skip
        if not page:
            return
        code = read_code(member["mobile"])
        if code is None:
            self.record_failure("SMS", "code not received in 10 s", 10_000)
            return
        self.think()
        page = self.step(
            "apply 2 code", "POST", path, "第二步",
            data={"csrfmiddlewaretoken": csrf(page), "code": code}, headers={"Referer": self.host + path},
        )  # fmt: skip
        if not page:
            return
        self.think()
        html = page.text
        details = {
            "csrfmiddlewaretoken": csrf(page),
            "unit": option(html, "unit", "西湖区总工会"),
            "education": "senior",
            "occupation": "数控车工",
            "previous_level": "",
            "previous_level_obtained_on": "",
            "new_level": option(html, "new_level", "技师"),
            "certificate_number": f"S0000330106{random.randrange(10**5):05d}",
            "certificate_issued_on": ISSUED,
            "certificate_issuer_type": "hr",
            "certificate_issuer": "杭州市人力资源和社会保障局",
            "mobile": member["mobile"],
            "bank_card": BANK_CARD,
            "bank_branch": "中国工商银行杭州西湖支行",
            "employer": "杭州压测机械有限公司",
            "grassroots_union": "杭州压测机械有限公司工会",
            "is_migrant": "no",
            "sensitive_consent": "on",  # the separate consent to the sensitive data (issue 14)
        }
        page = self.step("apply 3 details", "POST", path, "第三步", data=details, headers={"Referer": self.host + path})
        if not page:
            return
        self.think()
        files = {kind: (f"{kind}.jpg", data, "image/jpeg") for kind, data in PHOTO_BYTES.items()}
        page = self.step(
            "apply 4 photos", "POST", path, "第四步",
            data={"csrfmiddlewaretoken": csrf(page)}, files=files, headers={"Referer": self.host + path},
        )  # fmt: skip
        if not page:
            return
        self.think()
        page = self.step(
            "apply 5 submit", "POST", path, "申报已提交",
            data={"csrfmiddlewaretoken": csrf(page)}, headers={"Referer": self.host + path},
        )  # fmt: skip
        if not page:
            return
        password = re.search(r'class="query-password"[^>]*>([A-Z2-9]{8})<', page.text)
        if password:
            SUBMITTED.append((member["id_number"], password.group(1)))


class StatusLookup(Portal):
    weight = 2
    wait_time = between(2, 5)

    @task
    def look_up(self):
        if not SUBMITTED:
            return
        id_number, password = random.choice(SUBMITTED)
        page = self.client.get("/status/", name="status page")
        with self.client.post(
            "/status/",
            name="status lookup",
            data={"csrfmiddlewaretoken": csrf(page), "id_number": id_number, "password": password},
            headers={"Referer": self.host + "/status/"},
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "status-state" not in response.text:
                self.fail(response, f"HTTP {response.status_code}, no result card")


class Reviewer(Portal):
    abstract = True
    wait_time = between(2, 4)
    group = ""
    state = ""
    action = ""
    done_text = ""

    def on_start(self):
        super().on_start()
        accounts = STAFF[self.group]
        self.account = accounts[next(REVIEWER_NUMBERS[self.group]) % len(accounts)]
        self.signed_in = False

    def sign_in(self):
        page = self.client.get("/admin/login/", name=f"{self.group} sign-in page")
        code = f"{totp(bytes.fromhex(self.account['key'])):06d}"
        with self.client.post(
            "/admin/login/",
            name=f"{self.group} sign in",
            data={
                "csrfmiddlewaretoken": csrf(page),
                "username": self.account["username"],
                "password": self.account["password"],
                "otp_token": code,
                "next": "/admin/",
            },
            headers={"Referer": self.host + "/admin/login/"},
            catch_response=True,
        ) as response:
            self.signed_in = response.status_code == 200 and "/admin/login/" not in response.url
            if not self.signed_in:
                self.fail(response, "sign-in refused")

    @task
    def review_one(self):
        if not self.signed_in:
            self.sign_in()
            return
        listing = self.client.get(
            f"/admin/applications/application/?state__exact={self.state}", name=f"{self.group} review list"
        )
        pks = REVIEW_LINK.findall(listing.text or "")
        if not pks:
            return
        pk = random.choice(pks[:10])
        page = self.client.get(f"/admin/applications/review/{pk}/", name=f"{self.group} review page")
        with self.client.post(
            f"/admin/applications/review/{pk}/",
            name=f"{self.group} {self.action}",
            data={"csrfmiddlewaretoken": csrf(page), "action": self.action, "opinion": "材料齐全，同意。"},
            headers={"Referer": f"{self.host}/admin/applications/review/{pk}/"},
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                self.fail(response, f"HTTP {response.status_code}")
            elif self.done_text not in response.text:
                response.success()  # another reviewer took it first: the page says so, no error


class UnitReviewer(Reviewer):
    fixed_count = 1
    group, state, action, done_text = "unit", "submitted", "unit_approve", "已预审通过"


class CityReviewer(Reviewer):
    fixed_count = 1
    group, state, action, done_text = "city", "unit_approved", "city_approve", "已审核通过"


def _apply_mix():
    """LOAD_MIX="applicants=10,readers=20,selfcheck=5,status=5" fixes how many users of each kind run."""
    kinds = {"applicants": Applicant, "readers": Reader, "selfcheck": SelfCheck, "status": StatusLookup}
    for part in filter(None, os.environ.get("LOAD_MIX", "").split(",")):
        kind, _, count = part.partition("=")
        kinds[kind.strip()].fixed_count = int(count)


_apply_mix()
