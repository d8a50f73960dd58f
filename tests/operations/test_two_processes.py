"""Past one machine (issue 14 items 5 and 6): two app processes and a task worker share PostgreSQL, Redis
and the object store, and a person's work crosses them: apply on A, review on B, approve on A, the
worker builds the bundle, B hands it out.

Real processes (gunicorn, production settings, generated keys shared by all), a real SeaweedFS,
the machine's PostgreSQL (the test database) and Redis (databases 11 and 12), all on 127.0.0.1.
Runs in .ci/run's PostgreSQL pass; on SQLite the test database lives in this process's memory, so
no other process can share it, and the test says so. Bounded: about 30 s, each wait capped.
"""

import datetime
import io
import json
import re
import socket
import time

import pytest
from django.db import connection
from PIL import Image

from applications.models import Application, Attachment, DocumentBundle
from tests.operations.cluster import Visitor, cluster, environment, read_code, said, shell_json

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.object_store,
    pytest.mark.processes,
]

PASSWORD = "Two-processes-2026-pw"
MEMBER = {"name": "张伟", "id_number": "330106198805170012", "mobile": "13900000001"}  # a demo member
REDIS_DB = 11
SEED = """
import json
from applications.programme.demo import ensure_campaign_2022, ensure_demo_campaign, ensure_demo_members
from applications.programme.staff import create_staff
from staff_auth.devices import issue_device
campaign = ensure_demo_campaign(ensure_campaign_2022())
ensure_demo_members()
user = create_staff("mp-xihu", "unit_reviewer", password=%r, unit_name="西湖区总工会")[0]
print(json.dumps({"year": campaign.year, "campaign": campaign.pk, "window_start": campaign.window_start.isoformat(),
                  "key": issue_device(user, reset=True).key}))
"""
QUERY_PASSWORD = re.compile(r'class="query-password"[^>]*>([A-Z2-9]{8})<')
TIMINGS = {}


def _photo(seed):
    image = Image.effect_noise((1200, 900), 40 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _redis_up():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _database_url():
    settings_dict = connection.settings_dict
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def _step(name, started):
    TIMINGS[name] = round(time.monotonic() - started, 2)
    return time.monotonic()


def _sign_in(visitor, base, key):
    from django_otp.oath import totp

    visitor.get(f"{base}/admin/login/")
    response = visitor.post_form(
        f"{base}/admin/login/",
        {
            "username": "mp-xihu",
            "password": PASSWORD,
            "otp_token": f"{totp(bytes.fromhex(key)):06d}",
            "next": "/admin/",
        },
    )
    assert "/admin/login/" not in response.url, "the reviewer could not sign in"


def test_apply_on_one_process_review_and_download_on_the_other(object_store, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the SQLite test database is in this process's memory (runs in .ci/run's pass 2)")
    if not _redis_up():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    started = time.monotonic()
    storage_url, bucket = object_store.new_bucket()
    env = environment(_database_url(), storage_url, tmp_path, REDIS_DB)
    seed = shell_json(env, SEED % PASSWORD)
    clock = _step("seed", started)
    with cluster(env, tmp_path) as (a, b):
        clock = _step("start two apps and a worker", clock)

        # Apply on A: identity, code, the Annex 3 fields, four photos, submit.
        person = Visitor()
        apply_url = f"{a}/apply/{seed['year']}/"
        person.get(apply_url)
        identity = person.post_form(apply_url, {k: MEMBER[k] for k in ("name", "id_number")})
        assert "验证码已发送" in identity.text, said(identity)
        coded = person.post_form(apply_url, {"code": read_code(env["SMS_FILE"], MEMBER["mobile"])})
        assert "第二步" in coded.text, said(coded)
        page = person.last.text

        def option(select, label):
            block = re.search(rf'<select name="{select}".*?</select>', page, re.S).group(0)
            return re.search(rf'<option value="([^"]*)"[^>]*>\s*{re.escape(label)}\s*<', block).group(1)

        issued = datetime.date.fromisoformat(seed["window_start"]) + datetime.timedelta(days=30)
        details = {
            "unit": option("unit", "西湖区总工会"),
            "education": "senior",
            "occupation": "数控车工",
            "new_level": option("new_level", "技师"),
            "certificate_number": "S000033010600777",
            "certificate_issued_on": issued.isoformat(),
            "certificate_issuer_type": "hr",
            "certificate_issuer": "杭州市人力资源和社会保障局",
            "mobile": MEMBER["mobile"],
            "bank_card": "6222021234567890128",
            "bank_branch": "中国工商银行杭州西湖支行",
            "employer": "杭州示例机械有限公司",
            "grassroots_union": "杭州示例机械有限公司工会",
            "is_migrant": "no",
            "sensitive_consent": "on",
        }
        filled = person.post_form(apply_url, details)
        assert "第三步" in filled.text, said(filled)
        photos = {
            kind: (f"{kind}.jpg", _photo(n), "image/jpeg")
            for n, kind in enumerate(("id_front", "id_back", "certificate", "bank_card"))
        }
        uploaded = person.post_form(apply_url, {}, files=photos)
        assert "第四步" in uploaded.text, said(uploaded)
        done = person.post_form(apply_url, {})
        query_password = QUERY_PASSWORD.search(done.text).group(1)
        clock = _step("apply on A (four 1200×900 photos)", clock)

        # Read here with the test's settings: only columns that are not encrypted (the cluster has its own keys).
        applications = Application.objects.filter(campaign_id=seed["campaign"], name=MEMBER["name"]).only(
            "pk", "reference", "state"
        )
        application = applications.get(state="submitted")
        attachments = list(Attachment.objects.filter(application_id=application.pk).order_by("kind"))
        assert len(attachments) == 4
        assert object_store.keys(bucket) == sorted(item.file.name for item in attachments)
        assert not (tmp_path / "no-private-files-here").exists()

        # Review on B: sign in there, open each copy A stored; then approve on A with the same session.
        reviewer = Visitor()
        _sign_in(reviewer, b, seed["key"])
        review_page = reviewer.get(f"{b}/admin/applications/review/{application.pk}/")
        assert review_page.status_code == 200
        s3 = object_store.client()
        for item in attachments:
            assert f"/attachments/{item.pk}/" in review_page.text
            served = reviewer.get(f"{b}/attachments/{item.pk}/")
            assert served.status_code == 200
            assert served.content == s3.get_object(Bucket=bucket, Key=item.file.name)["Body"].read()
        assert Visitor().get(f"{b}/attachments/{attachments[0].pk}/").status_code == 404  # nobody else
        clock = _step("review on B: sign in and open the four copies", clock)

        reviewer.get(f"{a}/admin/applications/review/{application.pk}/")
        reviewer.post_form(
            f"{a}/admin/applications/review/{application.pk}/", {"action": "unit_approve", "opinion": "同意"}
        )
        assert applications.get(pk=application.pk).state == "unit_approved"

        # A bundle requested on A, built by the worker into the bucket, downloaded from B.
        reviewer.get(f"{a}/admin/bundles/new/")
        reviewer.post_form(f"{a}/admin/bundles/new/", {"campaign": seed["campaign"], "states": ["unit_approved"]})
        bundle = DocumentBundle.objects.latest("pk")
        deadline = time.monotonic() + 40
        while bundle.state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.3)
            bundle.refresh_from_db()
        assert bundle.state == "done", bundle.error or (tmp_path / "worker.log").read_text()[-2000:]
        assert bundle.file.name in object_store.keys(bucket)
        clock = _step("approve on A, bundle built by the worker", clock)
        pdf = reviewer.get(f"{b}/admin/bundles/{bundle.pk}/download/")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.content == s3.get_object(Bucket=bucket, Key=bundle.file.name)["Body"].read()

        # The applicant looks the application up on B.
        status = Visitor()
        status.get(f"{b}/status/")
        found = status.post_form(f"{b}/status/", {"id_number": MEMBER["id_number"], "password": query_password})
        assert application.reference in found.text
        _step("download the bundle and look the status up on B", clock)
    TIMINGS["total"] = round(time.monotonic() - started, 2)
    print("two-process timings (s):", json.dumps(TIMINGS, ensure_ascii=False))
    assert TIMINGS["total"] < 90
