"""Load test of the crunch: a stepped run of Locust against the `make prod` stack, with server CPU from /proc.

    .venv/bin/python bench/load/run.py                      # steps 2,4,8,16 applicants, 40 s each
    .venv/bin/python bench/load/run.py --steps 5,10 --step-seconds 30 --photos small

Uses the stack if it answers at http://127.0.0.1:8080/readyz/, else starts `deploy/prod.py
--no-setup` itself (with the per-client SMS cap raised: every simulated person comes from
127.0.0.1) and stops it at the end. Each step runs Locust headless for a fixed time with a fixed
number of users: N applicants, 2N readers (--readers-per-applicant), N/2+1 self-checks, N/2+1 status
lookups, one unit reviewer and one city reviewer. Writes bench/results/load-<tag>.json (git-ignored)
and prints tables.
"""

import argparse
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = BASE_DIR / "bench" / "results"
STATE_FILE = BASE_DIR / "var" / "prod" / "state.json"
READY_URL = "http://127.0.0.1:8080/readyz/"
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOAD_ENV = {"ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR": "100000", "ONE_TIME_CODE_GLOBAL_PER_HOUR": "100000"}
P95_LIMIT_MS = 2000
ONE_OFF = ("sign in", "sign-in page")  # once per reviewer, not part of the steady load

sys.path.insert(0, str(HERE))
from photos import SIZES, ensure_photos  # noqa: E402
from prepare import prepare  # noqa: E402


def ready():
    try:
        with urllib.request.urlopen(READY_URL, timeout=3) as response:
            return response.status == 200
    except Exception:  # any failure: not ready
        return False


def start_stack(tag):
    env = {**os.environ, **LOAD_ENV}
    name = f"var/load/prod-{tag}.log"  # one per run: a later run must not overwrite an error's traceback
    log = open(BASE_DIR / name, "w")  # kept open as long as the stack runs
    process = subprocess.Popen(
        [PYTHON, str(BASE_DIR / "deploy" / "prod.py"), "--no-setup"], cwd=BASE_DIR, env=env, stdout=log, stderr=log
    )
    for _ in range(120):
        if ready():
            return process
        if process.poll() is not None:
            raise SystemExit(f"deploy/prod.py exited with {process.returncode}: see {name}")
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"the stack did not become ready in 60 s: see {name}")


# CPU from /proc: a process's own time, and for the parents that reap children (postmaster, gunicorn's
# arbiter, nginx's master) the time of the children they reaped (cutime + cstime).


def _stat(pid):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    ppid, utime, stime, cutime, cstime = int(fields[1]), *(int(fields[i]) for i in (11, 12, 13, 14))
    return ppid, utime + stime, cutime + cstime


def _children():
    tree = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(entry.name)):
            tree.setdefault(stat[0], []).append(int(entry.name))
    return tree


def _group_ticks(root, tree, depth=0):
    """Own time of root and of every live descendant, plus the children root reaped."""
    stat = _stat(root)
    if stat is None or depth > 5:
        return 0
    total = stat[1] + (stat[2] if depth == 0 else 0)
    return total + sum(_group_ticks(child, tree, depth + 1) for child in tree.get(root, []))


def _postmaster():
    for candidate in Path("/var/run/postgresql").glob("*.pid"):
        return int(candidate.read_text().split()[0])
    return None


def _redis_pid():
    try:
        info = subprocess.run(["redis-cli", "info", "server"], capture_output=True, text=True, timeout=5).stdout
        return int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("process_id")))
    except Exception:  # no redis-cli or no Redis
        return None


def _system_busy():
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)  # busy (all but idle and iowait), total


def cpu_snapshot():
    state = json.loads(STATE_FILE.read_text())
    tree = _children()
    groups = {
        "gunicorn": state["gunicorn"],
        "db_worker": state["db_worker"],
        "nginx": state["nginx"],
        "postgres": _postmaster(),
        "redis": _redis_pid(),
    }
    ticks = {name: _group_ticks(pid, tree) if pid else 0 for name, pid in groups.items()}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # Locust, once it has exited and been reaped
    ticks["locust (client)"] = (children.ru_utime + children.ru_stime) * CLK_TCK
    busy, total = _system_busy()
    return {"at": time.monotonic(), "ticks": ticks, "system_busy": busy, "system_total": total}


def cpu_between(before, after):
    seconds = after["at"] - before["at"]
    used = {name: (after["ticks"][name] - before["ticks"][name]) / CLK_TCK for name in after["ticks"]}
    system = (after["system_busy"] - before["system_busy"]) / max(1, after["system_total"] - before["system_total"])
    return seconds, used, system * (os.cpu_count() or 1)


def read_stats(prefix):
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            rows[row["Name"]] = {
                "type": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    failures = []
    with open(f"{prefix}_failures.csv", newline="") as rows_file:
        for row in csv.DictReader(rows_file):
            failures.append({"name": row["Name"], "error": row["Error"][:300], "count": int(row["Occurrences"])})
    return rows, failures


def run_step(applicants, seconds, photos, think, tag, members, readers_per_applicant=2):
    readers, others = readers_per_applicant * applicants, applicants // 2 + 1
    mix = f"applicants={applicants},readers={readers},selfcheck={others},status={others}"
    users = applicants + readers + 2 * others + 2
    prefix = RESULTS / f"load-{tag}-{applicants}"
    members_file = BASE_DIR / "var" / "load" / f"members-step-{applicants}.json"
    members_file.write_text(json.dumps(members, ensure_ascii=False))  # people no other step uses
    env = {**os.environ, "LOAD_MIX": mix, "LOAD_PHOTOS": photos, "LOAD_THINK": think, "LOAD_MEMBERS": str(members_file)}
    command = [
        str(Path(PYTHON).with_name("locust")), "-f", str(HERE / "locustfile.py"), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    before = cpu_snapshot()
    try:
        _, errors = process.communicate(timeout=seconds + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    after = cpu_snapshot()
    wall, used, system_cpus = cpu_between(before, after)
    stats, failures = read_stats(prefix)
    return {
        "applicants": applicants,
        "users": users,
        "mix": mix,
        "seconds": seconds,
        "wall": wall,
        "cpu_seconds": used,
        "system_cpus_busy": system_cpus,
        "stats": stats,
        "failures": failures,
        "locust_stderr": errors.decode("utf-8", "replace")[-1500:],
    }


def summarise(step):
    stats = step["stats"]
    total = stats.get("Aggregated", {})
    steady = {name: row for name, row in stats.items() if name != "Aggregated" and not name.endswith(ONE_OFF)}
    worst_p95 = max((row["p95"] for row in steady.values()), default=0)
    server = sum(seconds for name, seconds in step["cpu_seconds"].items() if name != "locust (client)")
    submitted = stats.get("apply 5 submit", {}).get("requests", 0) - stats.get("apply 5 submit", {}).get("failures", 0)
    return {
        "applicants": step["applicants"],
        "users": step["users"],
        "rps": total.get("rps", 0),
        "requests": total.get("requests", 0),
        "failures": total.get("failures", 0),
        "worst_p95": worst_p95,
        "submissions": submitted,
        "submissions_per_hour": submitted * 3600 / step["wall"],
        "server_cpu_cores": server / step["wall"],
        "server_cpu_ms_per_request": 1000 * server / max(1, total.get("requests", 0)),
        "server_cpu_s_per_submission": None,
        "system_cpus_busy": step["system_cpus_busy"],
        "ok": total.get("failures", 0) == 0 and worst_p95 < P95_LIMIT_MS,
    }


def print_tables(steps):
    print("\n| applicants | users | req/s | failures | worst p95 ms | submissions/h | server CPU cores | "
          "CPU ms/request | machine busy (of 2) | within 2 s, no error |")  # fmt: skip
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|:-:|")
    for step in steps:
        s = summarise(step)
        print(
            f"| {s['applicants']} | {s['users']} | {s['rps']:.1f} | {s['failures']} | {s['worst_p95']:.0f} | "
            f"{s['submissions_per_hour']:.0f} | {s['server_cpu_cores']:.2f} | {s['server_cpu_ms_per_request']:.1f} | "
            f"{s['system_cpus_busy']:.2f} | {'yes' if s['ok'] else 'no'} |"
        )
    for step in steps:
        print(f"\n{step['applicants']} applicants ({step['mix']}), {step['wall']:.0f} s:")
        print("| request | count | fail | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|--:|--:|--:|--:|--:|--:|")
        for name, row in step["stats"].items():
            print(
                f"| {name} | {row['requests']} | {row['failures']} | {row['rps']:.2f} | {row['p50']:.0f} | "
                f"{row['p95']:.0f} | {row['p99']:.0f} |"
            )
        cpu = ", ".join(f"{name} {seconds:.1f}" for name, seconds in step["cpu_seconds"].items() if seconds)
        print(f"CPU seconds: {cpu}")
        for failure in step["failures"][:8]:
            print(f"  failure ×{failure['count']}: {failure['name']}: {failure['error']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="2,4,8,16", help="applicants per step, comma-separated")
    parser.add_argument("--step-seconds", type=int, default=40)
    parser.add_argument("--photos", choices=tuple(SIZES), default="full")
    parser.add_argument("--think", default="1,3", help="seconds between an applicant's steps: min,max")
    parser.add_argument("--readers-per-applicant", type=int, default=2)
    parser.add_argument("--tag", default=time.strftime("%Y%m%d-%H%M%S"))
    args = parser.parse_args()
    steps = [int(part) for part in args.steps.split(",")]
    if max(steps) > 400 or args.step_seconds > 300 or len(steps) > 8:
        raise SystemExit("bounded: at most 8 steps, 400 applicants and 300 s a step")
    RESULTS.mkdir(parents=True, exist_ok=True)
    ensure_photos(args.photos)
    stack = None
    if not ready():
        print("starting deploy/prod.py --no-setup (stopped at the end)", flush=True)
        stack = start_stack(args.tag)
    elif "ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR" not in json.loads(STATE_FILE.read_text()).get("env", {}):
        print("warning: the running stack keeps the per-client SMS cap (20 an hour from 127.0.0.1); start it with "
              "ONE_TIME_CODE_MAX_PER_CLIENT_PER_HOUR=100000 or let this script start it", flush=True)  # fmt: skip
    try:
        # Each applicant submits at most every ~10 s: enough members for every step, with room.
        # Flows an applicant can finish in a step: five thinks and six requests each, at the shortest.
        shortest_flow = 5 * float(args.think.split(",")[0]) + 3
        per_applicant = int(args.step_seconds / shortest_flow) + 2
        needed = sum(n * per_applicant for n in steps)
        print(f"preparing {needed} members and the reviewers", flush=True)
        print(prepare(members=needed, reviewers=2), flush=True)
        members = json.loads((BASE_DIR / "var" / "load" / "members.json").read_text(encoding="utf-8"))
        results = []
        for applicants in steps:
            print(f"step: {applicants} applicants for {args.step_seconds} s", flush=True)
            mine, members = members[: applicants * per_applicant], members[applicants * per_applicant :]
            step = run_step(
                applicants, args.step_seconds, args.photos, args.think, args.tag, mine, args.readers_per_applicant
            )
            results.append(step)
            time.sleep(3)
    finally:
        if stack is not None:
            stack.send_signal(signal.SIGTERM)
            stack.wait(timeout=40)
    summary = [summarise(step) for step in results]
    knee = max((s["applicants"] for s in summary if s["ok"]), default=None)
    out = {"tag": args.tag, "photos": args.photos, "think": args.think, "steps": results, "summary": summary,
           "argv": sys.argv[1:],
           "knee_applicants": knee, "machine": {"cpus": os.cpu_count(), "loadavg": os.getloadavg()}}  # fmt: skip
    (RESULTS / f"load-{args.tag}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print_tables(results)
    print(f"\nknee: {knee} applicants (largest step with every steady request's p95 < 2 s and no failure)")
    print(f"results: {RESULTS / f'load-{args.tag}.json'}")


if __name__ == "__main__":
    main()
