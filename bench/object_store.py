"""Benchmark the private store: a copy written and read back through SeaweedFS's S3 gateway against the disk.

The same storage code the portal uses (`applications.core.storage.storage_from_url`, and
`applications.core.downloads.open_private` for reading, as the copy view streams it), once with an
empty PRIVATE_STORAGE_URL (a folder on this disk) and once with a bucket of a SeaweedFS started on
loopback for the run (tests/operations/seaweed.py). A "copy" is `--size` bytes of random data
(about what an ID card photo weighs once the portal has re-encoded it). Rounds alternate the two
stores so outside load hits both; medians of the per-copy wall-clock times are reported, with the
object store's time as a multiple of the disk's.

    .venv/bin/python bench/object_store.py [--copies 40] [--size 600000] [--rounds 3]

Figures: bench/README.md and the README ("Running past one machine"). Written to
bench/results/object_store.json (git-ignored).
"""

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "object_store.json"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _read_all(handle):
    """Read in 64 KB blocks, as the copy view's FileResponse does."""
    try:
        return b"".join(iter(lambda: handle.read(64 * 1024), b""))
    finally:
        handle.close()


def measure(storage_url, folder, payloads):
    """Seconds per copy to save, to read back in full, and to delete, through the portal's storage code."""
    from django.core.files.base import ContentFile

    from applications.core import storage as storage_module
    from applications.core.downloads import open_private

    storage = storage_module.storage_from_url(storage_url, folder)
    storage_module._private_storage._wrapped = storage  # what open_private reads through
    saved, read, deleted = [], [], []
    for number, payload in enumerate(payloads):
        started = time.perf_counter()
        name = storage.save(f"2026/HZBENCH{number:05d}/id_front.jpg", ContentFile(payload))
        saved.append(time.perf_counter() - started)
        started = time.perf_counter()
        body = _read_all(open_private(name)[0])
        read.append(time.perf_counter() - started)
        assert body == payload
        started = time.perf_counter()
        storage.delete(name)
        deleted.append(time.perf_counter() - started)
    return {"save": saved, "read": read, "delete": deleted}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--size", type=int, default=600_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from tests.operations.seaweed import seaweed

    payloads = [secrets.token_bytes(args.size) for _ in range(args.copies)]
    samples = {"disk": {"save": [], "read": [], "delete": []}, "s3": {"save": [], "read": [], "delete": []}}
    with tempfile.TemporaryDirectory(prefix="hz-bench-store-") as scratch, seaweed(Path(scratch) / "weed") as store:
        url, _bucket = store.new_bucket("bench")
        measure(url, scratch, payloads[:3])  # warm-up: connections, the bucket's first volumes
        measure("", str(Path(scratch) / "disk"), payloads[:3])
        for _ in range(args.rounds):
            for name, storage_url in (("disk", ""), ("s3", url)):
                for step, values in measure(storage_url, str(Path(scratch) / "disk"), payloads).items():
                    samples[name][step] += values
    medians = {
        name: {step: round(statistics.median(values) * 1000, 2) for step, values in steps.items()}
        for name, steps in samples.items()
    }
    ratios = {step: round(medians["s3"][step] / medians["disk"][step], 1) for step in medians["disk"]}
    print(f"{args.copies} copies × {args.rounds} rounds, {args.size / 1e6:.2f} MB each; median ms per copy")
    print(f"{'':8}{'save':>10}{'read':>10}{'delete':>10}")
    for name in ("disk", "s3"):
        print(f"{name:8}" + "".join(f"{medians[name][step]:>10}" for step in ("save", "read", "delete")))
    print(f"{'s3/disk':8}" + "".join(f"{ratios[step]:>9}×" for step in ("save", "read", "delete")))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"args": vars(args), "median_ms": medians, "ratio": ratios, "machine": platform.platform()}, indent=2
        )
    )


if __name__ == "__main__":
    main()
