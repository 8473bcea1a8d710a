"""Import products from a generated CSV through the console's streaming importer.

    .venv/bin/python bench/console_import.py [--rows 100000] [--tracemalloc]

Writes the CSV (one product with one SKU a row, Chinese titles, a few bad rows) and a fresh
SQLite database in a temporary folder, imports with ``qunshang.console.csvio.import_products``
and prints rows/s and the process's resident memory at each tenth of the file and at its peak:
the figures must stay flat as the file grows (the importer streams; it never holds the file).
``--tracemalloc`` also traces Python allocations (exact, but several times slower).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from qunshang import db
from qunshang.app import build_runtime
from qunshang.config import Config
from qunshang.console import csvio

BAD_EVERY = 1000  # one malformed row per thousand: the error path is exercised too


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(csvio.COLUMNS)
        for i in range(rows):
            price = "bad" if i % BAD_EVERY == BAD_EVERY - 1 else f"{10 + i % 500}.90"
            writer.writerow([f"西湖龙井 {i}", "明前特级，手工炒制", "published", f"BENCH-{i}", "250克", price, i % 100])


async def run(rows: int, trace: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="qs-import-") as tmp:
        folder = Path(tmp)
        source = folder / "products.csv"
        write_csv(source, rows)
        size = source.stat().st_size
        runtime = build_runtime(Config(database={"url": f"sqlite://{folder / 'bench.sqlite3'}"}, app={"secret_key": "b" * 20}))
        await db.migrate(runtime)
        await db.connect(runtime)
        samples: list[tuple[int, float]] = []
        marks = iter(range(1, 11))
        next_mark = next(marks)

        def progress(done: int) -> None:
            nonlocal next_mark
            if next_mark and done >= size * next_mark / 10:
                traced = tracemalloc.get_traced_memory()[0] / 2**20 if trace else None
                samples.append((next_mark * 10, rss_mib(), traced))
                next_mark = next(marks, 0)

        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            with source.open("rb") as fh:
                report = await csvio.import_products(fh, progress)
        finally:
            await db.disconnect()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
        print(f"file: {rows} rows, {size / 2**20:.1f} MiB ({report.encoding})")
        print(f"created {report.created}, rejected {report.rejected} in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s"
              + (" (under tracemalloc, which slows Python down)" if trace else ""))
        print("RSS at % of file: " + ", ".join(f"{pct}%={rss:.0f}" for pct, rss, _ in samples) + " MiB")
        if trace:
            print("traced at % of file: " + ", ".join(f"{pct}%={t:.1f}" for pct, _, t in samples) + " MiB")
            print(f"traced peak: {peak:.1f} MiB")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--tracemalloc", dest="trace", action="store_true")
    options = parser.parse_args()
    asyncio.run(run(options.rows, options.trace))


if __name__ == "__main__":
    main()
