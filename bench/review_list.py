"""Benchmark the review list with many applications: time and SQL queries per page.

One run builds a throwaway database (a temporary SQLite file, or the scratch database given by
``--database-url``, which it migrates and fills and does not drop), loads the 2022 campaign and
its 23 units, adds ``--applications`` applications spread over the units and states, and then
requests the review list (``/admin/applications/application/``) in-process with Django's test
client as the city service center and as the 西湖区 reviewer: the first page, a deep page, a state
filter, a unit filter, a name search and an exact ID number search. For each it reports the median
time of ``--repeat`` requests and the number of SQL queries, which must not grow with the data.

    .venv/bin/python bench/review_list.py [--applications 50000] [--repeat 5] [--database-url URL]

The figures are in bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "review_list.json"
LIST = "/admin/applications/application/"
SLOWEST = 3  # the slowest statements of each case go into the JSON report


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=50_000, help="applications to create (default 50000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per case; the median is reported")
    parser.add_argument("--database-url", help="a scratch database the run may fill (default: temporary SQLite)")
    return parser.parse_args()


def setup_django(database_url):
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.conf import settings

    # force_login cannot present an authenticator code; the list's cost does not depend on it.
    settings.STAFF_OTP_REQUIRED = False


def fill(count):
    """The 2022 content, two staff accounts and `count` applications made with bulk_create."""
    from django.core.management import call_command
    from django.db import connection
    from stdnum.cn import ric

    from applications.core.constants import ApplicationState as S
    from applications.core.crypto import keyed_hash
    from applications.models import Application, Campaign, ReviewUnit, SkillLevel
    from applications.programme.staff import create_staff

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--no-demo-campaign", verbosity=0)
    campaign = Campaign.objects.get(year=2022)
    units = list(ReviewUnit.objects.order_by("sort_order"))
    level = SkillLevel.objects.get(code="technician")
    states = [S.SUBMITTED, S.SUBMITTED, S.UNIT_APPROVED, S.APPROVED, S.PAID, S.REJECTED]
    city = create_staff("bench-city", "city_service_center", password="bench-only-pw-1")[0]
    xihu = create_staff("bench-xihu", "unit_reviewer", password="bench-only-pw-1", unit_name="西湖区总工会")[0]
    Application.objects.filter(campaign=campaign).delete()
    start = time.perf_counter()
    batch, last_id = [], ""
    for n in range(count):
        birth = datetime.date(1970, 1, 1) + datetime.timedelta(days=n % 12000)
        body = f"330{n // 12000 % 1000:03d}{birth:%Y%m%d}{n % 1000:03d}"
        last_id = body + ric.calc_check_digit(body + "0")
        submitted = datetime.datetime(2022, 10, 1, tzinfo=datetime.UTC) + datetime.timedelta(minutes=n)
        batch.append(
            Application(
                campaign=campaign,
                reference=f"B{n:09d}",
                channel="individual" if n % 3 else "unit",
                state=states[n % len(states)],
                unit=units[n % len(units)],
                name=f"申请人{n}",
                gender="male",
                education="senior",
                occupation="车工",
                new_level=level,
                certificate_number=f"S{n:012d}",
                certificate_issued_on=datetime.date(2022, 3, 1),
                id_number=last_id,
                id_hash=keyed_hash(last_id),
                birth_date=birth,
                mobile=f"138{n:08d}",
                bank_card=f"6222021202{n:09d}",
                bank_branch="中国工商银行杭州西湖支行",
                employer=f"杭州测试精工有限公司{n % 500}",
                grassroots_union=f"杭州测试精工有限公司{n % 500}工会",
                amount=600,
                window="current",
                submitted_at=submitted,
            )
        )
        if len(batch) == 2000:
            Application.objects.bulk_create(batch)
            batch = []
    Application.objects.bulk_create(batch)
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have after a day of use
        cursor.execute("ANALYZE")
    print(f"created {count} applications in {time.perf_counter() - start:.0f} s", flush=True)
    xihu_unit = ReviewUnit.objects.get(name="西湖区总工会")
    return {"city": city, "xihu": xihu}, last_id, xihu_unit.pk


def measure(client, path, params, repeat):
    """Median seconds and query count of GET `path` (one unmeasured request first)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(path, params)
    assert response.status_code == 200, (path, params, response.status_code)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            client.get(path, params)
            times.append(time.perf_counter() - start)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:SLOWEST]
    return statistics.median(times), len(queries.captured_queries), slowest


def run(args, database_url):
    setup_django(database_url)
    from django.test import Client

    users, last_id, xihu_unit = fill(args.applications)
    cases = [
        ("第1页", {}),
        ("第200页", {"p": "200"}),
        ("按状态筛选", {"state__exact": "submitted"}),
        ("按单位筛选", {"unit__id__exact": str(xihu_unit)}),
        ("按姓名搜索", {"q": "申请人4999"}),
        ("按身份证号精确搜索", {"q": last_id}),
    ]
    rows = []
    for who, user in users.items():
        client = Client()
        client.force_login(user)
        for label, params in cases:
            if who == "xihu" and "unit__id__exact" in params:
                continue
            seconds, queries, slowest = measure(client, LIST, params, args.repeat)
            rows.append(
                {
                    "user": who,
                    "case": label,
                    "ms": round(seconds * 1000, 1),
                    "queries": queries,
                    "slowest_sql": [{"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in slowest],
                }
            )
            print(f"{who:5} {label:12} {seconds * 1000:8.1f} ms {queries:3d} queries", flush=True)
    return rows


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-list-") as tmp:
        database_url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        rows = run(args, database_url)
    vendor = database_url.split(":", 1)[0]
    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "database": vendor,
        "applications": args.applications,
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
