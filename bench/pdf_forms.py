"""Benchmark Annex 3 PDFs: a filled form rendered on its own against the bundle's time per form.

One run builds a throwaway SQLite database (test settings: fast hashing, in-memory caches,
immediate tasks; none of that touches rendering), creates `--forms` reviewed applications of
西湖区总工会 with opinions at every level, then measures, in one process:

* single: one filled form as the admin's form.pdf view makes it (fetch the application, render,
  write the PDF), `--singles` times after `--warmup` unmeasured renders; the median is reported;
* bundle: the background task for all the applications (chunks of `--chunk` forms, one HTML
  document of values layers per chunk over the blank form laid out once, pages joined into one
  PDF with the blank form drawn under each, progress written after each chunk, file stored),
  its time divided by the number of forms;
* unshared: for comparison, single renders that parse the stylesheet and load the fonts afresh.

    .venv/bin/python bench/pdf_forms.py [--forms 500] [--singles 15] [--chunk 40] [--chunks 10,25,40,100]

See bench/README.md for the figures and how to read them.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "pdf_forms.json"
TARGET_RATIO = 0.25


def parse_args():
    """Command-line options; the defaults are the ones the README figures were taken with."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", type=int, default=500, help="applications in the bundle (default 500)")
    parser.add_argument("--singles", type=int, default=15, help="measured single renders (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured single renders first (default 3)")
    parser.add_argument("--chunk", type=int, default=None, help="forms per HTML document (default: the task's)")
    parser.add_argument("--chunks", default="", help="also time the bundle with these chunk sizes, e.g. 10,25,100")
    parser.add_argument("--unshared", type=int, default=5, help="single renders without shared assets (default 5)")
    return parser.parse_args()


def setup_django(tmp):
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        SMS_FILE=str(tmp / "sms.jsonl"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_applications(count):
    """`count` applications of 西湖区总工会, approved by the unit and the city, with every field filled."""
    from django.db import transaction
    from django.utils import timezone

    from applications.core.crypto import keyed_hash
    from applications.models import Application, ApplicationEvent, ReviewUnit, SkillLevel
    from applications.programme.demo import ensure_campaign_2022

    campaign = ensure_campaign_2022()
    unit = ReviewUnit.objects.get(name="西湖区总工会")
    senior, technician = SkillLevel.objects.get(code="senior_worker"), SkillLevel.objects.get(code="technician")
    now = timezone.now()
    with transaction.atomic():
        applications = []
        for n in range(count):
            birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=n * 7)
            body = f"330106{birth:%Y%m%d}{n % 1000:03d}"
            id_number = body + "X"
            applications.append(
                Application(
                    campaign=campaign,
                    reference=f"B{n:09d}",
                    channel="individual",
                    state="approved",
                    unit=unit,
                    name=["王建国", "李秀英", "张伟", "刘洋", "陈静"][n % 5] + str(n),
                    gender="male" if n % 2 else "female",
                    education="college",
                    occupation="数控车工",
                    previous_level=senior,
                    previous_level_obtained_on=datetime.date(2017, 6, 30),
                    new_level=technician,
                    certificate_number=f"S0000330100{n:011d}",
                    certificate_issued_on=datetime.date(2022, 3, 15),
                    id_number=id_number,
                    id_hash=keyed_hash(id_number),
                    birth_date=birth,
                    mobile=f"139{n:08d}",
                    bank_card=f"62220212020{n:08d}",
                    bank_branch="中国工商银行股份有限公司杭州西湖支行",
                    employer=f"杭州精密机械制造有限公司第{n}分公司",
                    is_migrant=bool(n % 3),
                    hukou_place="安徽省阜阳市" if n % 3 else "",
                    years_in_hangzhou=6 if n % 3 else None,
                    grassroots_union="杭州精密机械制造有限公司工会",
                    grassroots_opinion="情况属实，同意推荐。",
                    amount=600,
                    window="current",
                )
            )
        Application.objects.bulk_create(applications)
        applications = list(Application.objects.filter(campaign=campaign).order_by("pk"))
        events = []
        for application in applications:
            events.append(
                ApplicationEvent(
                    application=application,
                    actor_label="西湖区审核员",
                    from_state="submitted",
                    to_state="unit_approved",
                    opinion="经审核，符合奖励条件，同意上报。",
                    created_at=now,
                )
            )
            events.append(
                ApplicationEvent(
                    application=application,
                    actor_label="市总工会职工服务中心",
                    from_state="unit_approved",
                    to_state="approved",
                    opinion="审核通过，准予发放。",
                    created_at=now,
                )
            )
        ApplicationEvent.objects.bulk_create(events)
    return campaign, unit, [application.pk for application in applications]


def single_render(pk):
    """What the form.pdf view does, without the HTTP layer: fetch the application, render, write."""
    from applications.documents import pdf
    from applications.models import Application

    application = Application.objects.select_related("campaign", "unit", "new_level", "previous_level").get(pk=pk)
    return pdf.filled_form_pdf(application)


def clocks():
    """Wall time and this process's CPU time: the machine is shared, CPU time moves less with other work."""
    return time.perf_counter(), time.process_time()


def since(start):
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


def time_singles(ids, count, warmup):
    for pk in ids[:warmup]:
        single_render(pk)
    samples = []
    for pk in ids[warmup : warmup + count]:
        start = clocks()
        content = single_render(pk)
        samples.append(since(start))
    return samples, len(content)


def single_phases(ids, count):
    """Median CPU milliseconds of a single render's phases: data, layout (render_document), PDF writing."""
    from applications.documents import pdf
    from applications.models import Application

    phases = []
    for pk in ids[:count]:
        start = time.process_time()
        application = Application.objects.select_related("campaign", "unit", "new_level", "previous_level").get(pk=pk)
        form = pdf.filled_form(application)
        loaded = time.process_time()
        document = pdf.render_document([form])
        laid_out = time.process_time()
        pdf.write_pdf([document])
        written = time.process_time()
        phases.append((loaded - start, laid_out - loaded, written - laid_out))
    return [statistics.median(phase[i] for phase in phases) * 1000 for i in range(3)]


def time_unshared(ids, count):
    """Single renders that parse the stylesheet and load the fonts each time (what sharing saves)."""
    from applications.documents import pdf

    samples = []
    for pk in ids[:count]:
        pdf._assets.cache_clear()
        start = clocks()
        single_render(pk)
        samples.append(since(start))
    pdf._assets.cache_clear()
    return samples


def time_bundle(campaign, unit, chunk_size):
    """The task as the worker runs it: claim, render in chunks with progress, join, store, mark done."""
    from applications.documents import bundles
    from applications.models import DocumentBundle

    bundle = DocumentBundle.objects.create(
        kind=DocumentBundle.Kind.APPLICATION_FORMS, campaign=campaign, unit=unit, states="approved"
    )
    start = clocks()
    bundles.build_bundle.call(bundle.pk, chunk_size=chunk_size or bundles.CHUNK_SIZE)
    elapsed = since(start)
    bundle.refresh_from_db()
    assert bundle.state == "done", bundle.error
    return elapsed, bundle


def page_count(path):
    import subprocess

    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        tmp = Path(tmp)
        setup_django(tmp)
        from applications.documents import bundles

        if args.forms < args.warmup + args.singles:
            raise SystemExit("--forms must be at least --warmup + --singles")
        print(f"creating {args.forms} applications …", flush=True)
        campaign, unit, ids = make_applications(args.forms)

        print("single renders …", flush=True)
        singles, single_size = time_singles(ids, args.singles, args.warmup)

        phases = single_phases(ids, args.singles)

        print(f"bundle of {len(ids)} …", flush=True)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        bundle_time, bundle = time_bundle(campaign, unit, args.chunk)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        total, bundle_size, pages = bundle.total, bundle.file.size, page_count(bundle.file.path)
        chunk = args.chunk or bundles.CHUNK_SIZE

        sweep = []
        for size in [int(value) for value in args.chunks.split(",") if value.strip()]:
            print(f"bundle with chunks of {size} …", flush=True)
            sweep.append((size, time_bundle(campaign, unit, size)[0]))

        unshared = []
        if args.unshared:
            print("single renders without shared stylesheet and fonts …", flush=True)
            unshared = time_unshared(ids, args.unshared)

    single = [statistics.median(sample[i] for sample in singles) for i in (0, 1)]
    per_form = [bundle_time[i] / total for i in (0, 1)]
    ratio = [per_form[i] / single[i] for i in (0, 1)]

    def row(label, seconds, each):
        print(
            f"{label:44} {seconds[0]:8.2f} {each[0] * 1000:8.1f} {each[0] / single[0]:7.1%}"
            f" {seconds[1]:8.2f} {each[1] * 1000:8.1f} {each[1] / single[1]:7.1%}"
        )

    print()
    print(f"{'':44} {'wall s':>8} {'ms/form':>8} {'/single':>7} {'CPU s':>8} {'ms/form':>8} {'/single':>7}")
    row(f"single filled form (median of {len(singles)})", single, single)
    if unshared:
        median = [statistics.median(sample[i] for sample in unshared) for i in (0, 1)]
        row("single, stylesheet and fonts not shared", median, median)
    row(f"bundle of {total} (chunks of {chunk})", bundle_time, per_form)
    for size, seconds in sweep:
        row(f"  bundle, chunks of {size}", seconds, [seconds[i] / total for i in (0, 1)])
    print()
    print(
        f"single, CPU ms: data {phases[0]:.1f}, layout {phases[1]:.1f}, PDF writing {phases[2]:.1f} "
        "(mostly subsetting and compressing the CJK fonts, paid once per document)"
    )
    for name, value in zip(("wall", "CPU"), ratio, strict=True):
        verdict = "met" if value <= TARGET_RATIO else "missed"
        print(f"bundle per form / single ({name} time): {value:.3f} (target ≤ {TARGET_RATIO}: {verdict})")
    print(f"bundle: {pages} pages, {bundle_size / 1e6:.1f} MB; single form {single_size / 1e3:.0f} kB")
    print(f"peak RSS {rss_after / 1024:.0f} MB (before the bundle {rss_before / 1024:.0f} MB)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "date": datetime.date.today().isoformat(),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
                "forms": total,
                "chunk": chunk,
                "single_wall_cpu": singles,
                "single_median_wall_cpu": single,
                "single_phases_cpu_ms": phases,
                "unshared_wall_cpu": unshared,
                "bundle_wall_cpu": bundle_time,
                "bundle_per_form_wall_cpu": per_form,
                "ratio_wall_cpu": ratio,
                "bundle_pages": pages,
                "bundle_bytes": bundle_size,
                "single_bytes": single_size,
                "peak_rss_kb": rss_after,
                "rss_before_bundle_kb": rss_before,
                "chunk_sweep": sweep,
            },
            indent=2,
        )
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
