"""Benchmark the payment transfer file: openpyxl's write-only mode against its default mode.

Both modes go through the same function the portal uses, `applications.payments.files.write_transfer_file`
(header with the batch figures, six columns, card numbers and references as text cells, formula-like
text neutralised), with `--rows` rows generated in memory (no database). Each measurement runs in
a fresh child process, so one mode's memory cannot hide the other's:

* time: wall-clock seconds to write the workbook into memory (`BytesIO`), rows already built, and
  the CPU seconds of the process meanwhile (steadier than wall-clock time on a shared machine);
* peak RSS: the child's maximum resident set size during the write, minus its size just before;
* peak Python heap: `tracemalloc`'s peak during a second, separate write (tracemalloc slows
  Python down, so that write is not timed).

Rounds alternate the two modes; medians are reported, with default / write-only as the ratio.
openpyxl serialises XML with lxml when it can import it, and with a pure-Python writer otherwise;
the figures say which (`PYTHONPATH=<dir with lxml>` measures the other case without installing it).

    .venv/bin/python bench/transfer_file.py [--rows 8000] [--rounds 5]

See bench/README.md for the figures and how to read them.
"""

import argparse
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "transfer_file.json"
MODES = ("write_only", "default")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌宇浩"
BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "杭州银行", "浙商银行", "招商银行")
PLACES = (
    "杭州西湖",
    "杭州拱墅",
    "杭州上城",
    "杭州滨江",
    "杭州萧山",
    "杭州余杭",
    "杭州临平",
    "杭州钱塘",
    "富阳",
    "临安",
)


def parse_args():
    """Command-line options; the defaults are the ones the README figures were taken with."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=8000, help="rows in the transfer file (default 8000)")
    parser.add_argument("--rounds", type=int, default=5, help="measurements per mode, alternating (default 5)")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    return parser.parse_args()


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def make_rows(count, seed=2022):
    """`count` transfer rows like the real ones: Chinese names, 19-digit cards, branches, 500/600/800 yuan."""
    from stdnum import luhn

    from applications.payments.files import TransferRow

    rng = random.Random(seed)
    rows = []
    for n in range(count):
        body = f"622202{rng.randrange(10**12):012d}"
        rows.append(
            TransferRow(
                name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                bank_card=body + luhn.calc_check_digit(body),
                bank_branch=f"{rng.choice(BANKS)}{rng.choice(PLACES)}支行",
                amount=rng.choice((500, 500, 600, 800)),
                reference=f"HZ2022{n:06d}",
            )
        )
    return rows


def write(rows, mode):
    """One transfer file of `rows` in `mode`, as bytes."""
    import datetime

    from applications.payments.files import write_transfer_file

    out = io.BytesIO()
    write_transfer_file(
        out,
        number="2022-001",
        campaign_name="2022年度杭州市职工高技能人才奖励",
        count=len(rows),
        total=sum(row.amount for row in rows),
        rows=iter(rows),
        exported_at=datetime.datetime(2022, 12, 20, 10, 0, tzinfo=datetime.UTC),
        write_only=mode == "write_only",
    )
    return out.getvalue()


def child(mode, count):
    """Measure one mode in this fresh process and print the figures as JSON."""
    setup_django()
    import openpyxl  # loaded before the baseline, as it would be in a running site

    rows = make_rows(count)
    write(rows[:10], mode)  # imports and first-use costs outside the measurement
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open("/proc/self/status") as status:
        rss_kb = int(next(line.split()[1] for line in status if line.startswith("VmRSS:")))
    started, cpu_started = time.perf_counter(), time.process_time()
    content = write(rows, mode)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    write(rows, mode)
    _current, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "mode": mode,
                "rows": count,
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "rss_before_mb": rss_kb / 1024,
                "peak_rss_growth_mb": (peak_kb - max(before_kb, rss_kb)) / 1024,
                "peak_heap_mb": heap_peak / 1024 / 1024,
                "bytes": len(content),
                "openpyxl": openpyxl.__version__,
                "lxml": openpyxl.LXML,
            }
        )
    )


def check_same_content(count):
    """Both modes must write the same cells (values and number formats), or the comparison is void."""
    from openpyxl import load_workbook

    rows = make_rows(min(count, 500))
    sheets = [load_workbook(io.BytesIO(write(rows, mode))).active for mode in MODES]
    cells = [
        [(cell.value, cell.number_format) for row in sheet.iter_rows() for cell in row if cell.value is not None]
        for sheet in sheets
    ]
    if cells[0] != cells[1]:
        sys.exit("the two modes wrote different cells")
    return len(cells[0])


def measure(mode, count):
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--rows", str(count)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def summarise(samples):
    summary = {}
    for mode in MODES:
        runs = [sample for sample in samples if sample["mode"] == mode]
        summary[mode] = {
            key: statistics.median(run[key] for run in runs)
            for key in ("seconds", "cpu_seconds", "peak_rss_growth_mb", "peak_heap_mb", "bytes")
        }
    summary["lxml"] = all(sample["lxml"] for sample in samples)
    fast, slow = summary["write_only"], summary["default"]
    # An RSS growth under 1 MB is within the noise of page-sized allocations: no ratio is taken of it.
    summary["ratio_default_to_write_only"] = {
        key: slow[key] / fast[key] if fast[key] >= (1 if key == "peak_rss_growth_mb" else 1e-9) else None
        for key in ("seconds", "cpu_seconds", "peak_rss_growth_mb", "peak_heap_mb")
    }
    return summary


def print_table(summary, count):
    ratio = summary["ratio_default_to_write_only"]
    print(f"\nTransfer file, {count} rows (medians; openpyxl {'with' if summary['lxml'] else 'without'} lxml)")
    print(f"{'':24} {'seconds':>9} {'CPU s':>9} {'peak RSS +MB':>13} {'peak heap MB':>13} {'file KB':>9}")
    for mode, label in (("write_only", "openpyxl write-only"), ("default", "openpyxl default")):
        row = summary[mode]
        print(
            f"{label:24} {row['seconds']:9.3f} {row['cpu_seconds']:9.3f} {row['peak_rss_growth_mb']:13.1f}"
            f" {row['peak_heap_mb']:13.1f} {row['bytes'] / 1024:9.0f}"
        )
    rss = f"{ratio['peak_rss_growth_mb']:12.1f}×" if ratio["peak_rss_growth_mb"] else f"{'(< 1 MB)':>13}"
    print(
        f"{'default / write-only':24} {ratio['seconds']:8.2f}× {ratio['cpu_seconds']:8.2f}× {rss}"
        f" {ratio['peak_heap_mb']:12.1f}×"
    )


def main():
    args = parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    setup_django()
    cells = check_same_content(args.rows)
    load_start = os.getloadavg()
    samples = []
    for round_number in range(args.rounds):
        for mode in MODES if round_number % 2 == 0 else reversed(MODES):
            samples.append(measure(mode, args.rows))
            print(
                f"round {round_number + 1} {mode:10} {samples[-1]['seconds']:.3f} s"
                f" +{samples[-1]['peak_rss_growth_mb']:.1f} MB RSS, {samples[-1]['peak_heap_mb']:.1f} MB heap",
                flush=True,
            )
    summary = summarise(samples)
    print_table(summary, args.rows)
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "rows": args.rows,
                "rounds": args.rounds,
                "cells_compared": cells,
                "summary": summary,
                "samples": samples,
                "machine": {
                    "nproc": os.cpu_count(),
                    "cpu": cpu,
                    "python": platform.python_version(),
                    "openpyxl": samples[0]["openpyxl"],
                    "load_average": {"start": load_start, "end": os.getloadavg()},
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
