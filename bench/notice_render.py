"""CPU of an uncached notice render against a bare Wagtail page at the same depth, in one process.

    .venv/bin/python bench/notice_render.py               # 300 requests each, about 30 s
    .venv/bin/python bench/notice_render.py --requests 1000

Development-like settings (config.settings.dev, DEBUG off, the page cache off, a throwaway SQLite
database with the 2022 content of `load_demo`), Django's test client, `time.process_time()` per
request, medians. Measured, interleaved so that outside load hits all alike:

* `/healthz/`: a bare Django view through the same middleware;
* `/notices/bare/`: a bare Wagtail `Page` (Wagtail's own `wagtailcore/page.html`, no site chrome),
  a sibling of the notice, so Wagtail's routing, site lookup and privacy check are the same;
* `/notices/2022/`: the notice, uncached;
* `/`: the home page, uncached.

The notice's own cost is its time minus the bare Wagtail page's. Writes bench/results/notice_render.json.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

PATHS = ("/healthz/", "/notices/bare/", "/notices/2022/", "/")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    from apply_flow import setup_django

    with tempfile.TemporaryDirectory(prefix="notice-render-bench-") as tmp:
        setup_django(tmp)
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from wagtail.models import Page

        from notices.models import NoticeIndexPage

        settings.PAGE_CACHE_ENABLED = False
        index = NoticeIndexPage.objects.get()
        index.add_child(instance=Page(title="空白页", slug="bare"))
        client = Client()
        for path in PATHS:
            for _ in range(20):
                assert client.get(path).status_code == 200, path
        samples = {path: [] for path in PATHS}
        for _ in range(args.requests):
            for path in PATHS:
                started = time.process_time()
                client.get(path)
                samples[path].append((time.process_time() - started) * 1000)
        queries = {}
        for path in PATHS:
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries[path] = len(captured)

    medians = {path: statistics.median(values) for path, values in samples.items()}
    bare, wagtail = medians["/healthz/"], medians["/notices/bare/"]
    print(f"{'path':<18}{'ms CPU':>9}{'× bare view':>13}{'SQL':>6}")
    for path in PATHS:
        print(f"{path:<18}{medians[path]:>9.2f}{medians[path] / bare:>13.0f}{queries[path]:>6}")
    notice = medians["/notices/2022/"]
    print(f"\nthe notice beyond a bare Wagtail page: {notice - wagtail:.2f} ms ({notice / wagtail:.2f}× the bare page)")
    out = ROOT / "bench" / "results" / "notice_render.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps(
            {"medians_ms": medians, "queries": queries, "requests": args.requests, "at": time.strftime("%F %H:%M UTC")},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
