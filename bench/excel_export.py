"""Benchmark the filled Annex 4 export (汇总表) with four Excel writers: time and peak memory.

The writers: openpyxl's default mode (the baseline: the whole sheet in memory until saved),
openpyxl's write-only mode, XlsxWriter's constant_memory mode with every cell written through its
public methods (`tests/documents/xlsxwriter_reference.py`, what the portal did until 2026-12-01),
and what the portal uses: the same XlsxWriter workbook with the rows written by
`spreadsheets._Rows` (`annex_tables.write_summary_table`, the function the export view calls).
The two openpyxl writers below produce the same sheet (layout, text formats, quote prefixes, print
setup); the run checks that all four files hold the same cells before measuring.

Each measurement runs in a fresh Python process, so one writer's memory never counts against
another: once for the time and the process's peak resident memory (ru_maxrss), and once more
under tracemalloc for the peak of Python's own allocations (tracemalloc slows a run down, so it
is not timed). The rows are made in memory, one at a time, from made-up applications: no database,
no decryption; the figures are the writer's.

    .venv/bin/python bench/excel_export.py [--rows 8000 50000] [--rounds 3]

See bench/README.md for the figures and how to read them.
"""

import argparse
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from applications.documents import (  # noqa: E402  (after the path is set)
    annex_tables,
    spreadsheets,
)
from tests.documents import xlsxwriter_reference  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "excel_export.json"
WRITERS = ("openpyxl", "openpyxl_write_only", "xlsxwriter_methods", "xlsxwriter")
LABELS = {
    "openpyxl": "openpyxl, default mode",
    "openpyxl_write_only": "openpyxl, write-only mode",
    "xlsxwriter_methods": "XlsxWriter, constant_memory, cell by cell (before)",
    "xlsxwriter": "XlsxWriter, constant_memory, rows by `_Rows` (used)",
}
CAMPAIGN = SimpleNamespace(year=2022, is_demo=False)
UNIT = "西湖区总工会"
EXPORTED = "导出：2022-12-01 10:00 bench"
LEVELS = [SimpleNamespace(name=name) for name in ("高级工", "技师", "高级技师")]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[8000, 50000], help="row counts (default 8000 50000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per writer and size; medians reported")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the (slow) tracemalloc runs")
    parser.add_argument("--child", nargs=3, metavar=("WRITER", "ROWS", "MODE"), help=argparse.SUPPRESS)
    return parser.parse_args()


def applications(count):
    """`count` made-up applications, one at a time, like a queryset's iterator; a few formula-like values."""
    for n in range(count):
        yield SimpleNamespace(
            name=f"申请人{n}" if n % 997 else "=1+1",
            gender="male" if n % 3 else "female",
            employer=f"杭州测试精工有限公司第{n % 400}分公司",
            id_number=f"3301021980{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}{'X' if n % 11 == 0 else n % 10}",
            occupation=("车工", "钳工", "电工", "焊工")[n % 4],
            new_level=LEVELS[n % 3],
            certificate_number=f"S{n:012d}" if n % 499 else "-2",
            mobile=f"138{n:08d}",
            bank_card=f"6222021202{n:09d}",
            bank_branch="中国工商银行杭州西湖支行",
        )


# The same sheet with openpyxl, for comparison.


def write_openpyxl(out, layout, rows, *, write_only):
    """`layout` and `rows` as `spreadsheets.write_table` writes them, with openpyxl; returns the row count.

    Cell styles are named styles, registered once and assigned by name: the cheapest way to style
    many openpyxl cells (assigning font, border and alignment to each cell took twice as long).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet(layout.sheet_name) if write_only else workbook.active
    sheet.title = layout.sheet_name
    columns = layout.columns
    width = len(columns)
    last = get_column_letter(width)
    thin = Side(style="thin")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)

    def named(name, *, size=11, bold=False, border=None, number_format="General", quote=False, **alignment):
        style = NamedStyle(name=name, number_format=number_format)
        style.font = Font(name=spreadsheets.FONT, size=size, bold=bold)
        style.alignment = Alignment(vertical="center", **alignment)
        if border:
            style.border = border
        workbook.add_named_style(style)
        return name

    title_style = named("title", size=16, bold=True, horizontal="center")
    left_style, right_style = named("left", horizontal="left"), named("right", horizontal="right")
    note_style = named("note", size=10, horizontal="left", wrap_text=True)
    header_style = named("header", size=10, bold=True, border=ruled, horizontal="center", wrap_text=True)
    body = []
    for index, column in enumerate(columns):
        number_format = spreadsheets.TEXT_FORMAT if column.text else column.number_format or "General"
        options = dict(size=10, border=ruled, number_format=number_format, horizontal=column.align, wrap_text=True)
        body.append(named(f"body{index}", **options))
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width

    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = spreadsheets.PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "3:3"
    sheet.print_options.horizontalCentered = True
    for side, inches in spreadsheets.MARGINS_INCHES.items():
        setattr(sheet.page_margins, side, inches)
    sheet.oddFooter.left.text = EXPORTED  # layout.footer, part by part
    sheet.oddFooter.center.text = annex_tables.PAGE_NUMBERS
    sheet.freeze_panes = "A4"
    split = width // 2
    for cell_range in (f"A1:{last}1", f"A2:{get_column_letter(split)}2", f"{get_column_letter(split + 1)}2:{last}2"):
        sheet.merged_cells.add(cell_range)

    row_number = 0

    def cell(value, col, style):
        target = WriteOnlyCell(sheet) if write_only else sheet.cell(row=row_number, column=col + 1)
        if isinstance(value, int | float) and columns[col].text:
            value = str(value)
        target.value = value
        if isinstance(value, str):
            target.data_type = "s"  # never "f", whatever the text starts with
        target.style = style
        if spreadsheets.looks_like_formula(value):
            target.quotePrefix = True
        return target

    def add(values_and_styles):
        nonlocal row_number
        row_number += 1
        cells = [cell(value, col, style) if style else None for col, (value, style) in enumerate(values_and_styles)]
        if write_only:
            sheet.append(cells)

    add([(layout.title, title_style)])
    add([(layout.caption_left, left_style)] + [(None, None)] * (split - 1) + [(layout.caption_right, right_style)])
    add([(title, header_style) for title in layout.titles])
    count = 0
    for values in rows:
        add([(values[col], body[col]) for col in range(width)])
        count += 1
    for note in layout.notes:
        sheet.merged_cells.add(f"A{row_number + 1}:{last}{row_number + 1}")
        add([(note, note_style)])
    workbook.save(out)
    return count


def write(writer, out, count):
    rows = applications(count)
    if writer == "xlsxwriter":
        return annex_tables.write_summary_table(out, CAMPAIGN, rows, unit_name=UNIT, exported=EXPORTED)
    layout = annex_tables.summary_layout(CAMPAIGN, UNIT, exported=EXPORTED)
    if writer == "xlsxwriter_methods":
        return xlsxwriter_reference.write_table(out, layout, annex_tables.summary_rows(rows))
    return write_openpyxl(out, layout, annex_tables.summary_rows(rows), write_only=(writer == "openpyxl_write_only"))


# One measurement, in a child process.


def child(writer, count, mode):
    import openpyxl  # noqa: F401  (both libraries loaded before the baseline, whichever writes)
    import xlsxwriter  # noqa: F401

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryFile() as out:
        if mode == "memory":
            tracemalloc.start()
            write(writer, out, count)
            _current, peak = tracemalloc.get_traced_memory()
            print(json.dumps({"peak_traced": peak}))
            return
        started, cpu_started = time.perf_counter(), time.process_time()
        written = write(writer, out, count)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = out.tell()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"seconds": seconds, "cpu": cpu, "maxrss": maxrss_kb * 1024, "rss_before": before * 1024, "bytes": size}
    print(json.dumps({**figures, "rows": written}))


def measure(writer, count, mode):
    output = subprocess.run(
        [sys.executable, __file__, "--child", writer, str(count), mode],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def check_same_cells(count=300):
    """Every writer's file holds the same values, types and number formats; returns the cell count compared."""
    from openpyxl import load_workbook

    grids = {}
    for writer in WRITERS:
        out = io.BytesIO()
        write(writer, out, count)
        sheet = load_workbook(io.BytesIO(out.getvalue())).active
        grids[writer] = [
            [(c.value, c.data_type, c.number_format if c.value is not None else None, c.quotePrefix) for c in row]
            for row in sheet.iter_rows(min_row=1, max_row=count + 5, max_col=11)
        ]
        assert not any(kind == "f" for row in grids[writer] for _v, kind, _f, _q in row), writer
    baseline = grids["xlsxwriter"]
    for writer, grid in grids.items():
        for row_a, row_b in zip(grid, baseline, strict=True):
            for a, b in zip(row_a, row_b, strict=True):
                if a[0] is not None or b[0] is not None:
                    assert a == b, (writer, a, b)
    return sum(len(row) for row in baseline)


def run(args):
    cells = check_same_cells()
    print(f"Same cells in all four files ({cells} compared, 300 rows).", flush=True)
    results = {"machine": machine(), "rows": {}}
    for count in args.rows:
        timed = {writer: [] for writer in WRITERS}
        for round_ in range(args.rounds):
            turn = round_ % len(WRITERS)
            order = WRITERS[turn:] + WRITERS[:turn]  # rotate, so drift hits each one alike
            for writer in order:
                timed[writer].append(measure(writer, count, "time"))
                print(f"  {count} rows, {writer}: {timed[writer][-1]['seconds']:.2f} s", flush=True)
        figures = {}
        for writer in WRITERS:
            runs = timed[writer]
            figures[writer] = {
                "seconds": statistics.median(run["seconds"] for run in runs),
                "samples": [round(run["seconds"], 3) for run in runs],
                "cpu": statistics.median(run["cpu"] for run in runs),
                "maxrss": max(run["maxrss"] for run in runs),
                "rss_growth": max(run["maxrss"] - run["rss_before"] for run in runs),
                "bytes": runs[0]["bytes"],
            }
            if not args.no_tracemalloc:
                figures[writer]["peak_traced"] = measure(writer, count, "memory")["peak_traced"]
        results["rows"][count] = figures
        print_table(count, figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nWritten to {RESULTS.relative_to(ROOT)}.")


def print_table(count, figures):
    base = figures["openpyxl"]
    write_only = figures["openpyxl_write_only"]
    print(f"\n{count} rows (median of {len(base['samples'])}):")
    print(
        "| writer | time s | of default | CPU s | of default | peak traced MB | of default "
        "| RSS growth MB | max RSS MB | of default |"
    )
    print("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |")
    for writer in WRITERS:
        f = figures[writer]
        traced = f.get("peak_traced")
        print(
            f"| {LABELS[writer]} | {f['seconds']:.2f} | {f['seconds'] / base['seconds']:.0%} | "
            f"{f['cpu']:.2f} | {f['cpu'] / base['cpu']:.0%} | "
            + (f"{traced / 1e6:.1f} | {traced / base['peak_traced']:.0%} | " if traced else "– | – | ")
            + f"{f['rss_growth'] / 2**20:.0f} | {f['maxrss'] / 2**20:.0f} | {f['maxrss'] / base['maxrss']:.0%} |"
        )
    xw = figures["xlsxwriter"]
    line = (
        f"XlsxWriter vs openpyxl write-only: time {xw['seconds'] / write_only['seconds']:.0%}, "
        f"CPU {xw['cpu'] / write_only['cpu']:.0%}"
    )
    if xw.get("peak_traced"):
        line += f", peak traced memory {xw['peak_traced'] / write_only['peak_traced']:.0%}"
    print(line + f", max RSS {xw['maxrss'] / write_only['maxrss']:.0%}; file {xw['bytes'] / 1e6:.2f} MB")
    before = figures["xlsxwriter_methods"]
    print(
        f"Rows by `_Rows` vs XlsxWriter cell by cell: time {xw['seconds'] / before['seconds']:.0%}, "
        f"CPU {xw['cpu'] / before['cpu']:.0%}"
    )


def machine():
    import openpyxl
    import xlsxwriter

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "openpyxl": openpyxl.__version__,
        "xlsxwriter": xlsxwriter.__version__,
        "lxml": openpyxl.LXML,
        "load": os.getloadavg(),
    }


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.child:
        writer_name, rows, mode = arguments.child
        child(writer_name, int(rows), mode)
    else:
        run(arguments)
