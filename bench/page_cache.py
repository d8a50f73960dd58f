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
import json
import os
import platform
import re
import shutil
import signal
import socket
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
DUMMY_CACHE = "dummycache://"


def parse_args():
    """Command-line options; the defaults are the ones the README figures were taken with."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per URL (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds before each measurement")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent client connections (default 8)")
    parser.add_argument("--database-url", help="a database the run may overwrite (default: a temporary SQLite file)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server (databases 14 and 15 are used)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    return parser.parse_args()


def bench_env(args, tmp, page_cache_url):
    """Environment for manage.py, gunicorn and the in-process query count: production settings."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="bench-only-secret-key-not-for-production-use-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        CACHE_URL=f"{args.redis}/14",
        PAGE_CACHE_URL=page_cache_url,
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


def flush_redis(args):
    """Empty the two Redis databases the benchmark uses (14: default cache, 15: page cache)."""
    import redis

    for db in (14, 15):
        redis.Redis.from_url(f"{args.redis}/{db}").flushdb()


def page_cache_keys(args):
    """How many entries the page cache holds (to check that the cached run really is cached)."""
    import redis

    return redis.Redis.from_url(f"{args.redis}/15").dbsize()


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
    """Serve config.wsgi with gunicorn sync workers on a free port; yield its base URL."""
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}"]
    command += [f"--workers={workers}", "--worker-class=sync", "--log-level=warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base
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


def find_wrk(allow_install):
    """Path of wrk; installed from Debian when missing and running as root."""
    if not shutil.which("wrk") and allow_install and os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk with apt-get …", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, **quiet)
    return shutil.which("wrk")


def run_wrk(url, seconds, connections):
    """Requests per second from one wrk run (one client thread); errors if any response failed."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
        "latency_p50": re.search(r"50%\s+(\S+)", output).group(1),
        "latency_p99": re.search(r"99%\s+(\S+)", output).group(1),
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


def measure(base, path, args, client):
    """Warm up, then measure one URL for args.seconds with the chosen load generator."""
    load = run_wrk if client == "wrk" else run_python_client
    load(base + path, args.warmup, args.connections)
    result = load(base + path, args.seconds, args.connections)
    if result["errors"]:
        sys.exit(f"{path}: {result['errors']} responses were not 200")
    print(f"  {path:<16} {result['rps']:8.1f} req/s", flush=True)
    return result


def serve_and_measure(env, args, client, paths):
    """Start gunicorn with env, measure each path, stop it; also report the page-cache size."""
    with gunicorn(env, args.workers) as base:
        for path in paths:
            status, body = get(base, path)
            if status != 200:
                sys.exit(f"{path} answered {status}")
        results = {path: measure(base, path, args, client) for path in paths}
    results["page_cache_keys"] = page_cache_keys(args)
    return results


def count_queries(env):
    """SQL queries per anonymous uncached render, in-process with the same settings and database.

    The first request of a fresh process also fills Wagtail's site-root cache, so both the first
    and a repeated (steady-state, what gunicorn workers see) request are counted.
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
                assert client.get(path).status_code == 200, path
            runs.append(captured)
        counts[path] = {"first": len(runs[0]), "repeat": len(runs[1])}
        statements[path] = [query["sql"] for query in runs[1].captured_queries]
    connection.close()
    return counts, statements


def machine(client, workers, connections):
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout if client == "wrk" else ""
    import gunicorn as gunicorn_package

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "gunicorn": gunicorn_package.__version__,
        "gunicorn_workers": f"{workers} sync",
        "client": (wrk.split("[")[0].strip() or client) + f", 1 thread, {connections} connections",
    }


def summarise(cached_run, uncached_run, queries):
    """The figures the README quotes: rps, ratios to the bare view of the same server, query counts."""
    bare, cached = cached_run[BARE]["rps"], cached_run[NOTICE]["rps"]
    bare_again, uncached = uncached_run[BARE]["rps"], uncached_run[NOTICE]["rps"]
    return {
        "rps": {"bare": bare, "notice_cached": cached, "bare_second_server": bare_again, "notice_uncached": uncached},
        "ratio": {"cached_to_bare": cached / bare, "uncached_to_bare": uncached / bare_again},
        "queries": queries,
        "page_cache_keys": {"cached_run": cached_run["page_cache_keys"], "uncached_run": uncached_run["page_cache_keys"]},
    }


def print_table(summary):
    """A short human-readable report."""
    rps, ratio = summary["rps"], summary["ratio"]
    print("\n{:<40} {:>10} {:>9}".format("", "req/s", "of bare"))
    print(f"{'/healthz/ (bare view)':<40} {rps['bare']:>10.1f} {1:>9.0%}")
    print(f"{'/notices/2022/ cached':<40} {rps['notice_cached']:>10.1f} {ratio['cached_to_bare']:>9.0%}")
    print(f"{'/healthz/ (page cache off)':<40} {rps['bare_second_server']:>10.1f} {1:>9.0%}")
    print(f"{'/notices/2022/ uncached':<40} {rps['notice_uncached']:>10.1f} {ratio['uncached_to_bare']:>9.0%}")
    print("\nSQL queries per uncached anonymous request (first request of a process / repeated):")
    for path, count in summary["queries"].items():
        print(f"  {path:<30} {count['first']:>3} / {count['repeat']}")


def main():
    """Build the site, measure both server set-ups, count queries, report, clean up."""
    args = parse_args()
    client = args.client if args.client == "python" else ("wrk" if find_wrk(args.client != "python") else "python")
    if args.client == "wrk" and client != "wrk":
        sys.exit("wrk not found")
    with tempfile.TemporaryDirectory(prefix="bench-page-cache-") as tmp:
        cached_env = bench_env(args, Path(tmp), f"{args.redis}/15")
        uncached_env = bench_env(args, Path(tmp), DUMMY_CACHE)
        flush_redis(args)
        prepare_site(cached_env)
        flush_redis(args)
        print(f"page cache in Redis ({client}, {args.workers} sync workers, {args.seconds}s per URL):")
        cached_run = serve_and_measure(cached_env, args, client, [BARE, NOTICE])
        print("page cache disabled (PAGE_CACHE_URL=dummycache://):")
        uncached_run = serve_and_measure(uncached_env, args, client, [BARE, NOTICE])
        flush_redis(args)
        queries, statements = count_queries(uncached_env)
        flush_redis(args)
    summary = summarise(cached_run, uncached_run, queries)
    print_table(summary)
    details = {"runs": {"cached": cached_run, "uncached": uncached_run}, "notice_queries": statements[NOTICE]}
    report = {"machine": machine(client, args.workers, args.connections), "seconds": args.seconds, **summary, **details}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
