"""The Annex 4 export as the city service center downloads it: 50,000 applications from the database to .xlsx.

    .venv/bin/python bench/export_view.py                  # temporary SQLite, about a minute
    .venv/bin/python bench/export_view.py --database-url postgres://postgres@127.0.0.1:5432/bench_scratch

Fills a throwaway database as `review_list.py` does (the 2022 campaign, `--applications` spread over
the units and states), then, in-process with Django's test client, requests the export of every
application of the campaign (all units, all states) and reads the whole file, `--rounds` times.
Baselines in the same run, given the same number of rows already in memory (`excel_export.py`'s
rows): the same writer (`annex_tables.write_summary_table`), so that ratio is what the database,
the decryption of the ID and card numbers and the view add; and XlsxWriter writing every cell
through its public methods (`tests/documents/xlsxwriter_reference.py`, the writer before
2026-12-01), so that ratio holds on a machine of any speed. Reports wall-clock and CPU seconds.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="a scratch database the run may fill (default: temporary SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        run(args, args.database_url or f"sqlite:///{tmp}/bench.sqlite3")


def timed(call):
    started, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - started, time.process_time() - cpu, result


def run(args, database_url):
    import review_list

    review_list.setup_django(database_url)
    import excel_export
    from django.test import Client
    from django.urls import reverse

    from applications.models import Application

    users, _last_id, _unit = review_list.fill(args.applications)
    campaign_year = Application.objects.values_list("campaign__year", flat=True).first()
    count = Application.objects.filter(campaign__year=campaign_year).count()
    client = Client()
    client.force_login(users["city"])
    url = reverse("applications_export_summary_xlsx")
    params = {"year": campaign_year, "state": "all"}

    def export():
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code
        return sum(len(chunk) for chunk in response.streaming_content)

    def writer(name):
        def write():
            with tempfile.TemporaryFile() as out:
                return excel_export.write(name, out, count)

        return write

    runs = {"view": export, "writer": writer("xlsxwriter"), "cell by cell": writer("xlsxwriter_methods")}
    samples = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, call in runs.items():
            samples[name].append(timed(call))
    wall = {name: statistics.median(s[0] for s in runs_) for name, runs_ in samples.items()}
    cpu = {name: statistics.median(s[1] for s in runs_) for name, runs_ in samples.items()}
    size = samples["view"][-1][2]
    print(f"{count} rows ({database_url.split(':')[0]}), median of {args.rounds}:")
    print(f"  export view:                  {wall['view']:.2f} s, CPU {cpu['view']:.2f} s, file {size / 1e6:.1f} MB")
    print(f"  writer only:                  {wall['writer']:.2f} s, CPU {cpu['writer']:.2f} s")
    print(f"  XlsxWriter cell by cell:      {wall['cell by cell']:.2f} s, CPU {cpu['cell by cell']:.2f} s")
    print(f"  view / writer: {wall['view'] / wall['writer']:.2f}")
    print(f"  view / XlsxWriter cell by cell: {wall['view'] / wall['cell by cell']:.2f}")
    print(f"  aim: the view within 6 s: {'yes' if wall['view'] <= 6 else 'NO'}")


if __name__ == "__main__":
    main()
