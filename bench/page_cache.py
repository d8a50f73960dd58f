"""Benchmark the public page cache: the notice page cached and uncached against a bare Django view.

One run builds a throwaway database with the demo content, serves it with gunicorn under the
production settings (page cache in a dedicated Redis database) and measures requests per second
for ``/healthz/`` (a bare view through the same middleware), ``/notices/2022/`` from the page
cache, and ``/notices/2022/`` with the page cache disabled (gunicorn restarted with
``PAGE_CACHE_URL=dummycache://``). It also counts the SQL queries an uncached render makes.

    .venv/bin/python bench/page_cache.py [--seconds N] [--workers N] [--database-url URL]

See bench/README.md for the figures and how to read them.
"""

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "page_cache.json"
PYTHON = sys.executable
BARE, NOTICE = "/healthz/", "/notices/2022/"
QUERY_PATHS = [NOTICE, "/notices/2022/quota-table/", "/", BARE]
DEFAULT_CACHE_DB, PAGE_CACHE_DB = 14, 15
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_args():
    """Command-line options; the defaults are the ones the README figures were taken with."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per URL and round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per server; medians reported")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds per URL before the first round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections (default 8)")
    parser.add_argument("--database-url", help="a database the run may overwrite (default: a temporary SQLite file)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server (databases 14 and 15 are used)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument(
        "--page-cache",
        choices=["redis", "locmem"],
        default="redis",
        help="where the cached run keeps pages: redis (the production set-up, default) or locmem (each worker's "
        "own memory: for comparison only, since a purge would not reach the other workers)",
    )
    return parser.parse_args()


def _bench_key(name):
    """A key production settings accept (64 hex characters), fixed so a --database-url database can be reused.

    Public, as it is in the source: for benchmarks only, never for a site.
    """
    return "bench-only-" + hashlib.sha256(f"hz-portal benchmark {name}".encode()).hexdigest()


def bench_env(args, tmp, page_cache_url):
    """Environment for manage.py, gunicorn and the in-process query count: production settings.

    `dummycache://` turns the page cache off altogether (both its shared and in-process layers).
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=_bench_key("SECRET_KEY"),
        FIELD_ENCRYPTION_KEY=_bench_key("FIELD_ENCRYPTION_KEY"),
        FIELD_HASH_KEY=_bench_key("FIELD_HASH_KEY"),
        SMS_BACKEND="console",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        CACHE_URL=f"{args.redis}/{DEFAULT_CACHE_DB}",
        PAGE_CACHE_URL=page_cache_url,
        PAGE_CACHE_ENABLED=str(page_cache_url != "dummycache://"),
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
    )
    return env


def manage(env, *command):
    """Run a manage.py command quietly; show its output only if it fails."""
    done = subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def prepare_site(env):
    """Migrate, load the demo content and collect static files (the page links to hashed names)."""
    print("preparing the database and static files …", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo", "--no-demo-campaign")
    manage(env, "collectstatic", "--noinput")


def redis_db(args, db):
    """A client for one database of the benchmark's Redis server."""
    import redis

    return redis.Redis.from_url(f"{args.redis}/{db}")


def flush_redis(args):
    """Empty the two Redis databases the benchmark uses (default cache and page cache)."""
    for db in (DEFAULT_CACHE_DB, PAGE_CACHE_DB):
        redis_db(args, db).flushdb()


def free_port():
    """A localhost port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(base, path):
    """Status and body of one GET request."""
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return response.status, response.read()


@contextmanager
def gunicorn(env, workers):
    """Serve config.wsgi with gunicorn sync workers on a free port; yield (base URL, master pid)."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", "--worker-class=sync", "--log-level=warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wait_until_up(base, server, timeout=30):
    """Poll the bare view until gunicorn answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            if get(base, BARE)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not answer in time")


def server_cpu_seconds(master_pid, args):
    """CPU seconds used so far by the gunicorn workers and by Redis (the work done per request)."""
    workers = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, …
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == master_pid:
            workers += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    info = redis_db(args, 0).info("cpu")
    return workers, info["used_cpu_user"] + info["used_cpu_sys"]


def find_wrk(allow_install):
    """Path of wrk; installed from Debian when missing and running as root."""
    if not shutil.which("wrk") and allow_install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get …", flush=True)
        apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": apt_env}
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet).returncode:
            subprocess.run(["apt-get", "update", "-qq"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], **quiet)
    return shutil.which("wrk")


def run_wrk(url, seconds, connections):
    """Requests per second from one wrk run (one client thread) and the count of failed responses."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(failed.group(1)) if failed else 0,
    }


def run_python_client(url, seconds, connections):
    """Fallback load generator: one thread per connection, HTTP/1.1 keep-alive where the server allows it."""
    host, port = url.split("/")[2].split(":")
    path = "/" + url.split("/", 3)[3]
    counts, deadline = [0, 0], time.monotonic() + seconds

    def worker():
        connection = HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < deadline:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            counts[response.status != 200] += 1  # list item updates are atomic under the GIL
            if response.will_close:
                connection.close()

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"rps": counts[0] / (time.monotonic() - started), "requests": sum(counts), "errors": counts[1]}


def measure(url, seconds, args, master_pid):
    """One load run against url, with the server CPU (gunicorn workers, Redis) it cost."""
    load = run_wrk if args.client == "wrk" else run_python_client
    before = server_cpu_seconds(master_pid, args)
    result = load(url, seconds, args.connections)
    after = server_cpu_seconds(master_pid, args)
    if result["errors"]:
        sys.exit(f"{url}: {result['errors']} responses were not 200")
    result["cpu_seconds"] = {"gunicorn": after[0] - before[0], "redis": after[1] - before[1]}
    return result


def serve_and_measure(env, args, paths):
    """Start gunicorn with env; warm each path up, then measure the paths in alternating rounds."""
    flush_redis(args)
    with gunicorn(env, args.workers) as (base, master_pid):
        for path in paths:
            if get(base, path)[0] != 200:
                sys.exit(f"{path} did not answer 200")
            measure(base + path, args.warmup, args, master_pid)
        samples = {path: [] for path in paths}
        for round_number in range(1, args.rounds + 1):
            for path in paths:
                samples[path].append(measure(base + path, args.seconds, args, master_pid))
                print(f"  round {round_number} {path:<16} {samples[path][-1]['rps']:8.1f} req/s", flush=True)
    page_cache_entries = redis_db(args, PAGE_CACHE_DB).dbsize()
    return {path: aggregate(runs) for path, runs in samples.items()}, page_cache_entries


def aggregate(runs):
    """Median requests per second over the rounds, and server CPU milliseconds per request."""
    requests = sum(run["requests"] for run in runs)
    cpu = {part: sum(run["cpu_seconds"][part] for run in runs) * 1000 / requests for part in ("gunicorn", "redis")}
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "rps_rounds": [round(run["rps"], 1) for run in runs],
        "requests": requests,
        "cpu_ms_per_request": {**cpu, "total": cpu["gunicorn"] + cpu["redis"]},
    }


def count_queries(env):
    """SQL queries per anonymous uncached render, in-process with the same settings and database.

    The first request of a fresh process also fills Wagtail's caches, so both the first and a
    repeated (steady-state, what busy gunicorn workers see) request are counted.
    """
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    counts, statements = {}, {}
    for path in QUERY_PATHS:
        runs = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                if client.get(path).status_code != 200:
                    sys.exit(f"{path} did not answer 200 in-process")
            runs.append(captured)
        counts[path] = {"first": len(runs[0]), "repeat": len(runs[1])}
        statements[path] = [query["sql"] for query in runs[1].captured_queries]
    connection.close()
    return counts, statements


def machine(args):
    """What the figures were measured on."""
    import gunicorn as gunicorn_package

    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout if args.client == "wrk" else ""
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "gunicorn": f"{gunicorn_package.__version__}, {args.workers} sync workers",
        "client": f"{wrk.split('[')[0].strip() or 'python threads'}, {args.connections} connections, same CPUs",
        "load_average": {"start": args.load_average_at_start, "end": os.getloadavg()},
    }


def summarise(cached_run, uncached_run, queries):
    """The figures the README quotes: each notice run against the bare view of the same server."""
    rows = {
        "bare": cached_run[BARE],
        "notice_cached": cached_run[NOTICE],
        "bare_page_cache_off": uncached_run[BARE],
        "notice_uncached": uncached_run[NOTICE],
    }
    ratio = {
        "cached_to_bare_rps": rows["notice_cached"]["rps"] / rows["bare"]["rps"],
        "uncached_to_bare_rps": rows["notice_uncached"]["rps"] / rows["bare_page_cache_off"]["rps"],
        "cached_to_bare_cpu": cpu_ms(rows["bare"]) / cpu_ms(rows["notice_cached"]),
        "uncached_to_bare_cpu": cpu_ms(rows["bare_page_cache_off"]) / cpu_ms(rows["notice_uncached"]),
    }
    return {"results": rows, "ratio": ratio, "queries": queries}


def cpu_ms(row):
    """Server CPU milliseconds per request (gunicorn workers plus Redis)."""
    return row["cpu_ms_per_request"]["total"]


def print_table(summary):
    """A short human-readable report."""
    labels = {
        "bare": "/healthz/ (bare view)",
        "notice_cached": "/notices/2022/ cached",
        "bare_page_cache_off": "/healthz/ (page cache off)",
        "notice_uncached": "/notices/2022/ uncached",
    }
    print(f"\n{'':<28} {'req/s':>9} {'of bare':>8} {'server CPU ms/req':>18} {'of bare':>8}")
    for name, row in summary["results"].items():
        bare = summary["results"]["bare" if name in ("bare", "notice_cached") else "bare_page_cache_off"]
        rps_share, cpu_share = row["rps"] / bare["rps"], cpu_ms(bare) / cpu_ms(row)
        print(f"{labels[name]:<28} {row['rps']:>9.1f} {rps_share:>8.0%} {cpu_ms(row):>18.3f} {cpu_share:>8.0%}")
    print("\nSQL queries per uncached anonymous request (first request of a process / repeated):")
    for path, count in summary["queries"].items():
        print(f"  {path:<28} {count['first']:>3} / {count['repeat']}")


def run(args, tmp):
    """Everything that needs the temporary directory: build, serve, measure, count."""
    page_cache_url = f"{args.redis}/{PAGE_CACHE_DB}" if args.page_cache == "redis" else "locmemcache://pages"
    cached_env = bench_env(args, tmp, page_cache_url)
    uncached_env = bench_env(args, tmp, "dummycache://")
    flush_redis(args)
    prepare_site(cached_env)
    print(f"{args.client}, {args.workers} sync workers, {args.seconds}s per URL per round")
    print(f"page cache {page_cache_url}:")
    cached_run, cached_entries = serve_and_measure(cached_env, args, [BARE, NOTICE])
    print("page cache disabled (PAGE_CACHE_ENABLED=False):")
    uncached_run, uncached_entries = serve_and_measure(uncached_env, args, [BARE, NOTICE])
    if (args.page_cache == "redis" and cached_entries < 1) or uncached_entries:
        sys.exit(f"Redis page cache entries: {cached_entries} cached run, {uncached_entries} uncached; expected ≥1, 0")
    flush_redis(args)
    queries, statements = count_queries(uncached_env)
    flush_redis(args)
    return summarise(cached_run, uncached_run, queries), statements


def main():
    """Build the site, measure both server set-ups, count queries, report, clean up."""
    args = parse_args()
    args.load_average_at_start = os.getloadavg()
    if args.client != "python":
        found = find_wrk(allow_install=True)
        if args.client == "wrk" and not found:
            sys.exit("wrk not found")
        args.client = "wrk" if found else "python"
    with tempfile.TemporaryDirectory(prefix="bench-page-cache-") as tmp:
        summary, statements = run(args, Path(tmp))
    print_table(summary)
    report = {"machine": machine(args), "page_cache": args.page_cache, "seconds": args.seconds, "rounds": args.rounds}
    report.update(summary)
    report["notice_queries"] = statements[NOTICE]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
