"""Fault drills against the `make prod` stack: what a person sees and what is left behind when a part fails.

    .venv/bin/python bench/faults/drills.py all            # every drill, about 6 minutes
    .venv/bin/python bench/faults/drills.py worker-kill sms-down

Drills: worker-kill, pg-restart, redis-down, sms-down, sms-slow, store-full, bundle-worker-kill.
Each starts its own stack (deploy/prod.py --no-setup with the drill's overrides), records what
happened into bench/results/faults.json and prints it. They record today's behaviour: a drill
"passes" when it ran, whatever it found. Needs root for store-full (a small tmpfs) and pg-restart.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from common import (
    HTTPS,
    Applicant,
    application_files,
    applications_of,
    children,
    heading,
    log,
    new_members,
    readiness,
    reviewer,
    stack,
)

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS = BASE_DIR / "bench" / "results" / "faults.json"
SMS_FILE = str(BASE_DIR / "var" / "prod-sms.jsonl")
PRIVATE = str(BASE_DIR / "var" / "prod" / "private")
HERE = Path(__file__).resolve().parent
FAKE_SMS_FILE = BASE_DIR / "var" / "faults" / "fake-sms.jsonl"


def _timed(call):
    started = time.monotonic()
    try:
        response = call()
        return response, time.monotonic() - started, None
    except requests.RequestException as error:
        return None, time.monotonic() - started, type(error).__name__


def _submit_into(person, result):
    result["response"], result["seconds"], result["error"] = _timed(person.submit)


def drill_worker_kill():
    """Kill gunicorn's only worker while a submission is in flight, at several moments; then retry."""
    outcome = {"runs": []}
    # One worker, so the one to kill is the one serving the submission; a slow SMS gateway (3 s) makes the
    # moment after the commit (the confirmation text is sent in the request) wide enough to hit.
    gateway = subprocess.Popen([sys.executable, str(HERE / "fake_sms.py"), "--port", "8591", "--sleep", "3"])
    try:
        with stack("worker-kill", GUNICORN_WORKERS="1", SMS_BACKEND="http", SMS_HTTP_URL="http://127.0.0.1:8591/",
                   SMS_HTTP_TIMEOUT="8") as running:  # fmt: skip
            members = new_members(4)
            files_before = set(application_files(PRIVATE))
            for member, delay in zip(members, (0.02, 0.08, 0.25, 1.5), strict=True):
                person = Applicant(member)
                # Codes go through the slow gateway too: read them from what it received.
                if not person.up_to_confirm(str(FAKE_SMS_FILE)):
                    outcome["runs"].append(
                        {"delay": delay, "error": f"could not reach confirm: {heading(person.last)}"}
                    )
                    continue
                workers = children(running["gunicorn"])
                result = {}
                thread = threading.Thread(target=_submit_into, args=(person, result))
                thread.start()
                time.sleep(delay)
                for pid in workers:
                    os.kill(pid, signal.SIGKILL)
                thread.join(100)
                response = result.get("response")
                time.sleep(3)  # the arbiter starts a new worker
                stored = applications_of([member["id_number"]])
                mine = stored[member["id_number"]]
                files_after = set(application_files(PRIVATE))
                orphans = sorted(files_after - files_before - set(stored["_referenced"]))
                files_before = files_after
                # The person tries again in the same browser: reload the page, press submit again.
                person.open()
                retry_page = heading(person.last)
                retry = person.submit() if "第四步" in (person.last.text or "") else None
                outcome["runs"].append(
                    {
                        "kill_after_s": delay,
                        "first_response": response.status_code if response is not None else result.get("error"),
                        "first_saw": heading(response),
                        "applications_in_db": mine,
                        "orphan_files_outside_pending": orphans,
                        "retry_page": retry_page,
                        "retry_response": retry.status_code if retry is not None else None,
                        "retry_saw": heading(retry),
                        "retry_got_password": bool(person.query_password()),
                    }
                )
                log(json.dumps(outcome["runs"][-1], ensure_ascii=False))
    finally:
        gateway.terminate()
        gateway.wait(10)
    return outcome


def _background_readers(stop, record, limit_seconds=60):
    session = requests.Session()
    session.verify = False
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
    started = time.monotonic()
    year = os.environ.get("LOAD_YEAR", "2026")
    # The API and the quota table's campaign read the database on every request; cached pages do not.
    paths = (f"/api/v1/campaigns/{year}/eligibility?level=technician&issued={year}-06-01", "/notices/2022/",
             "/admin/login/", f"/apply/{year}/")  # fmt: skip
    i = 0
    while not stop.is_set() and time.monotonic() - started < limit_seconds and i < 5000:
        path = paths[i % len(paths)]
        i += 1
        try:
            response = session.get(HTTPS + path, timeout=20)
            record.append((time.monotonic() - started, path, response.status_code, heading(response)))
        except requests.RequestException as error:
            record.append((time.monotonic() - started, path, type(error).__name__, None))
        time.sleep(0.05)


def _quiet_postgres(seconds=120):
    """Wait (bounded) until no other database has an active query; True when quiet."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
             "SELECT count(*) FROM pg_stat_activity WHERE datname NOT IN ('hz_prod', 'postgres') AND state = 'active'"],
            capture_output=True, text=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        if busy == "0":
            return True
        time.sleep(2)
    return False


def drill_pg_restart():
    """`pg_ctlcluster 15 main restart` under page and applicant load; gunicorn is not restarted."""
    outcome = {}
    with stack("pg-restart"):
        members = new_members(2)
        person = Applicant(members[0], photos="small")
        person.up_to_confirm(SMS_FILE)
        quiet = _quiet_postgres()
        outcome["other_databases_quiet_before_restart"] = quiet
        stop, record = threading.Event(), []
        thread = threading.Thread(target=_background_readers, args=(stop, record))
        started_readers = time.monotonic()
        thread.start()
        time.sleep(3)
        restart_at = time.monotonic()
        restarted = subprocess.Popen(["pg_ctlcluster", "15", "main", "restart"])
        # During the restart, an applicant on the confirm page submits.
        time.sleep(0.3)
        response, seconds, error = _timed(person.submit)
        outcome["restart_rc"] = restarted.wait(120)
        outcome["restart_seconds"] = round(time.monotonic() - restart_at, 2)
        outcome["restart_started_at_s"] = round(restart_at - started_readers, 2)
        outcome["submit_during_restart"] = {"status": response.status_code if response is not None else error,
                                            "saw": heading(response), "seconds": round(seconds, 2)}  # fmt: skip
        time.sleep(8)
        stop.set()
        thread.join(30)
        ready = subprocess.run(["pg_isready", "-h", "127.0.0.1"], capture_output=True, text=True).stdout.strip()
        outcome["pg_isready_after"] = ready
        errors = [r for r in record if r[2] != 200]
        outcome["background_requests"] = len(record)
        outcome["background_errors"] = len(errors)
        outcome["error_kinds"] = sorted({f"{r[1]} {r[2]} {r[3]}" for r in errors})[:6]
        outcome["first_error_s"] = round(errors[0][0], 2) if errors else None
        outcome["last_error_s"] = round(errors[-1][0], 2) if errors else None
        outcome["readyz_after"] = readiness()
        # A new applicant after the restart, same gunicorn.
        later = Applicant(members[1], photos="small")
        ok = later.up_to_confirm(SMS_FILE) and "申报已提交" in later.submit().text
        outcome["new_application_after_restart_ok"] = ok
        if not ok:
            outcome["after_page"] = heading(later.last)
        # The person whose submission failed during the restart tries again.
        if outcome["submit_during_restart"]["status"] != 200 or "申报已提交" not in (response.text if response else ""):
            person.open()
            retry = person.submit() if "第四步" in (person.last.text or "") else None
            outcome["retry_after_restart"] = heading(retry) if retry is not None else heading(person.last)
        stored = applications_of([members[0]["id_number"]])[members[0]["id_number"]]
        outcome["during_restart_application_in_db"] = stored
    return outcome


def drill_redis_down():
    """The stack's Redis URLs point at a port where nothing listens (the machine's Redis keeps running)."""
    outcome = {}
    with stack("redis-down", CACHE_URL="redis://127.0.0.1:6399/5", PAGE_CACHE_URL="redis://127.0.0.1:6399/6"):
        outcome["readyz"] = readiness()
        session = requests.Session()
        session.verify = False
        session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
        pages = {}
        for path in ("/", "/notices/2022/", "/notices/2022/quota-table/", "/status/",
                     "/api/v1/campaigns/2026/eligibility?level=technician&issued=2026-06-01"):  # fmt: skip
            response, seconds, error = _timed(lambda p=path: session.get(HTTPS + p, timeout=30))
            pages[path] = {"status": response.status_code if response is not None else error,
                           "seconds": round(seconds, 3), "saw": heading(response)}  # fmt: skip
        outcome["pages"] = pages
        person = Applicant(new_members(1)[0], photos="small")
        steps = {}
        for name, call in (("open", person.open), ("identity", person.identity),
                           ("code", lambda: person.code(SMS_FILE)), ("details", person.details),
                           ("photos", person.upload), ("submit", person.submit)):  # fmt: skip
            response, seconds, error = _timed(call)
            steps[name] = {"status": response.status_code if response is not None else (error or "no SMS code"),
                           "seconds": round(seconds, 3), "saw": heading(response)}  # fmt: skip
            if response is None or response.status_code != 200:
                break
        outcome["applicant"] = steps
        outcome["applicant_got_password"] = bool(person.query_password())
        try:
            staff = reviewer("unit")
            listing = staff.get(f"{HTTPS}/admin/applications/application/", timeout=30)
            outcome["unit_reviewer_list"] = listing.status_code
        except Exception as error:  # the sign-in itself may need the cache
            outcome["unit_reviewer_list"] = f"{type(error).__name__}: {str(error)[:100]}"
    return outcome


def _ask_code(member, results):
    person = Applicant(member, "small")
    person.open()
    results.append(_timed(person.identity))


def _sms_drill(name, **gateway):
    outcome = {}
    args = [sys.executable, str(HERE / "fake_sms.py"), "--port", "8592"]
    for key, value in gateway.items():
        args += [f"--{key}", str(value)]
    server = subprocess.Popen(args) if gateway else None
    url = "http://127.0.0.1:8592/" if gateway else "http://127.0.0.1:8599/"  # 8599: nothing listens
    try:
        with stack(name, SMS_BACKEND="http", SMS_HTTP_URL=url, GUNICORN_WORKERS="2"):
            members = new_members(4)
            person = Applicant(members[0], photos="small")
            person.open()
            response, seconds, error = _timed(person.identity)
            outcome["identity_step"] = {"status": response.status_code if response is not None else error,
                                        "seconds": round(seconds, 2), "saw": heading(response)}  # fmt: skip
            # Three people ask for codes at once while someone loads an uncached page: is it stuck behind them?
            results = []
            threads = [threading.Thread(target=_ask_code, args=(member, results)) for member in members[1:]]
            for thread in threads:
                thread.start()
            time.sleep(0.3)
            reader = requests.Session()
            reader.verify = False
            reader.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify=False
            response, seconds, error = _timed(lambda: reader.get(f"{HTTPS}/status/", timeout=60))
            outcome["uncached_page_while_3_codes_pending_s"] = round(seconds, 2)
            for thread in threads:
                thread.join(90)
            outcome["concurrent_identity_seconds"] = sorted(round(r[1], 2) for r in results)
            outcome["sms_records"] = _sms_records()
    finally:
        if server:
            server.terminate()
            server.wait(10)
    return outcome


SMS_RECORDS = """
import json
from applications.models import SmsMessage
rows = SmsMessage.objects.order_by("-pk")[:6]
print(json.dumps([{"purpose": r.purpose, "status": r.status, "error": r.error[:80]} for r in rows], ensure_ascii=False))
"""


def _sms_records():
    from common import django

    return django(SMS_RECORDS)


def drill_sms_down():
    """SMS_BACKEND=http at a port where nothing listens: codes and confirmations cannot be sent."""
    return _sms_drill("sms-down")


def drill_sms_slow():
    """SMS_BACKEND=http at a local gateway that answers after 20 s (the portal's timeout is 5 s)."""
    return _sms_drill("sms-slow", sleep=20)


def drill_store_full():
    """PRIVATE_MEDIA_ROOT on a 16 MB tmpfs, filled so that four photos cannot be stored."""
    outcome = {}
    mount = Path("/tmp/h13-private-full")
    mount.mkdir(exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode:
        outcome["how"] = f"read-only directory (tmpfs mount refused: {mounted.stderr.strip()[:80]})"
        mount.chmod(0o500)
    else:
        outcome["how"] = "16 MB tmpfs mounted at PRIVATE_MEDIA_ROOT"
    try:
        with stack("store-full", PRIVATE_MEDIA_ROOT=str(mount), GUNICORN_WORKERS="2"):
            members = new_members(2)
            if not mounted.returncode:
                # Leave 2 MB: a small file fits (readiness), four 12 MP copies do not.
                subprocess.run(["dd", "if=/dev/zero", f"of={mount}/filler", "bs=1M", "count=14"], capture_output=True)
            outcome["readyz_nearly_full"] = readiness()
            person = Applicant(members[0], photos="full")
            person.open()
            person.identity()
            person.code(SMS_FILE)
            person.details()
            response, seconds, error = _timed(person.upload)
            outcome["upload"] = {"status": response.status_code if response is not None else error,
                                 "seconds": round(seconds, 2), "saw": heading(response)}  # fmt: skip
            outcome["files_left_in_store"] = sorted(
                str(p.relative_to(mount)) for p in mount.rglob("*") if p.is_file() and p.name != "filler"
            )
            if not mounted.returncode:
                subprocess.run(
                    ["dd", "if=/dev/zero", f"of={mount}/filler2", "bs=64k", "count=100"], capture_output=True
                )
                outcome["readyz_full"] = readiness()
    finally:
        if not mounted.returncode:
            subprocess.run(["umount", str(mount)], capture_output=True)
        else:
            mount.chmod(0o700)
        mount.rmdir()
    return outcome


BUNDLE_STATE = """
import json
from applications.models import DocumentBundle
from django_tasks_db.models import DBTaskResult
b = DocumentBundle.objects.order_by("-pk").first()
t = DBTaskResult.objects.filter(id=b.task_id).first() if b and b.task_id else None
print(json.dumps({"bundle": b.pk, "state": b.state, "done": b.done, "total": b.total, "error": b.error[:120],
                  "task_status": getattr(t, "status", None)}))
"""


def drill_bundle_worker_kill():
    """A unit reviewer asks for the Annex 3 bundle; db_worker is killed while it renders; the runner restarts it."""
    from common import django

    outcome = {}
    with stack("bundle-worker-kill") as running:
        staff = reviewer("unit")
        page = staff.get(f"{HTTPS}/admin/bundles/new/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        campaign = re.search(r'<select name="campaign"[^>]*>\s*<option value="(\d+)"', page.text).group(1)
        response = staff.post(
            f"{HTTPS}/admin/bundles/new/",
            data={"csrfmiddlewaretoken": token, "campaign": campaign, "states": ["unit_approved", "approved"]},
            headers={"Referer": f"{HTTPS}/admin/bundles/new/"},
            timeout=60,
        )
        outcome["request"] = {"status": response.status_code, "saw": heading(response)}
        # Wait (bounded) until the worker has started on it, then kill it.
        for _ in range(60):
            state = django(BUNDLE_STATE)
            if state["state"] == "running" and state["done"] > 0:
                break
            time.sleep(0.5)
        outcome["before_kill"] = state
        os.kill(running["db_worker"], signal.SIGKILL)
        time.sleep(20)  # the runner restarts db_worker after 1 s; give it time to pick up anything
        outcome["20_s_after_kill"] = django(BUNDLE_STATE)
        listing = staff.get(f"{HTTPS}/admin/bundles/", timeout=30)
        outcome["list_shows_running"] = "生成中" in listing.text
        again = staff.get(f"{HTTPS}/admin/bundles/new/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.text).group(1)
        retry = staff.post(
            f"{HTTPS}/admin/bundles/new/",
            data={"csrfmiddlewaretoken": token, "campaign": campaign, "states": ["unit_approved", "approved"]},
            headers={"Referer": f"{HTTPS}/admin/bundles/new/"},
            timeout=60,
        )
        outcome["ask_again"] = {"status": retry.status_code, "url": retry.url.replace(HTTPS, "")}
        for _ in range(90):  # does the restarted worker build the new one? (bounded: 45 s)
            latest = django(BUNDLE_STATE)
            if latest["state"] in ("done", "failed"):
                break
            time.sleep(0.5)
        outcome["new_bundle_after_restart"] = latest
        stuck = BUNDLE_STATE.replace('order_by("-pk").first()', f"filter(pk={state['bundle']}).first()")
        outcome["killed_bundle_now"] = django(stuck)
        runner_log = (BASE_DIR / "var" / "faults" / "bundle-worker-kill.log").read_text()
        outcome["runner_restarted_db_worker"] = "restarting it" in runner_log
    return outcome


DRILLS = {
    "worker-kill": drill_worker_kill,
    "pg-restart": drill_pg_restart,
    "redis-down": drill_redis_down,
    "sms-down": drill_sms_down,
    "sms-slow": drill_sms_slow,
    "store-full": drill_store_full,
    "bundle-worker-kill": drill_bundle_worker_kill,
}


def main():
    names = sys.argv[1:] or ["all"]
    if names == ["all"]:
        names = list(DRILLS)
    unknown = [name for name in names if name not in DRILLS]
    if unknown:
        raise SystemExit(f"unknown drills {unknown}; choose from {', '.join(DRILLS)} or all")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for name in names:
        log(f"=== {name}: {DRILLS[name].__doc__}")
        started = time.monotonic()
        try:
            outcome = DRILLS[name]()
        except Exception as error:  # a drill that breaks is recorded, the others still run
            outcome = {"drill_error": f"{type(error).__name__}: {str(error)[:400]}"}
        outcome["drill_seconds"] = round(time.monotonic() - started, 1)
        outcome["at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        results[name] = outcome
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(json.dumps({name: outcome}, indent=1, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
