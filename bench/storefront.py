"""The storefront's listing page against the pages one would otherwise write, and what a page costs.

1. A: bench/minimal_page.py — Litestar + Tortoise + Jinja2 by hand: one query, one template.
   B: Qunshang's listing page ``/search`` (default theme, zh-CN, a fan signed in by token, every
   built-in plugin enabled: sessions, auth, CSRF, slots, the price hook). Target B/A >= 0.8.
2. A: bench/django_page — Django templates + Django ORM, same rows, same uvicorn and workers
   (Django is installed into the benchmark's own virtualenv, never the project's).
   B: the same Qunshang page. Target B/A >= 3.
3. A: a bare JSON hello (the minimal app's ``/healthz``). B: Qunshang's listing for an anonymous
   visitor, served from the page cache (``qunshang.web.pagecache``). Target B/A >= 0.5.

Then p50/p99 latency of each page (one connection, sequential) and the queries per page
(counted in-process from Tortoise's query log): listing and home pages must take at most 3.

    .venv/bin/python bench/storefront.py [--workers 2] [--duration 10] [--rounds 3] [--skip-django]
"""

from __future__ import annotations

import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from _common import BENCH, Target, builtin_plugins, compare, options, qunshang_env, run, seed, serve, workspace

PAGE = "/search"
DJANGO_VENV = Path(tempfile.gettempdir()) / "qunshang-bench-django-venv"
DJANGO_REQUIREMENTS = ["django>=5.0,<6", "uvicorn>=0.30", "babel>=2.14"]


def django_python() -> str:
    """The benchmark virtualenv's Python, with Django installed (created on first use)."""
    python = DJANGO_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {DJANGO_VENV} with {', '.join(DJANGO_REQUIREMENTS)}…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(DJANGO_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        *DJANGO_REQUIREMENTS], check=True)
    return str(python)


def cards(target: Target) -> int:
    r = httpx.get(target.url, headers=target.headers, timeout=10)
    r.raise_for_status()
    return r.text.count('class="card"')


def latency(target: Target, requests: int = 300) -> str:
    with httpx.Client(headers=target.headers, timeout=10) as client:
        for _ in range(20):
            client.get(target.url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(target.url).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100)
    return f"p50 {cuts[49]:6.2f} ms  p99 {cuts[98]:6.2f} ms"


async def _query_counts(url: str, token: str) -> dict[str, int]:
    from qunshang.app import build_runtime, create_app, runtime_lifespan
    from qunshang.config import Config

    runtime = build_runtime(Config(database={"url": url}, plugins={"enabled": builtin_plugins()},
                                   jobs={"in_process": False}, app={"secret_key": "bench-secret-key-0123456789"}))
    app = create_app(runtime=runtime)
    counted: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = counted.append  # type: ignore[method-assign]
    db_log = logging.getLogger("tortoise.db_client")
    counts = {}
    async with runtime_lifespan(runtime):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            for who, headers in (("member", {"Authorization": f"Bearer {token}"}), ("visitor", {})):
                for path in ("/", PAGE):
                    await client.get(path, headers=headers)  # warm caches
                    db_log.addHandler(handler)
                    db_log.setLevel(logging.DEBUG)
                    counted.clear()
                    await client.get(path, headers={**headers, "Accept-Language": "zh-CN"})
                    db_log.removeHandler(handler)
                    counts[f"{path} ({who})"] = sum(
                        1 for r in counted if r.getMessage().lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))
                    )
    return counts


def main() -> None:
    skip_django = "--skip-django" in sys.argv
    if skip_django:
        sys.argv.remove("--skip-django")  # the shared options() knows nothing of it
    args = options(__doc__)
    with workspace() as folder:
        seeded = seed(folder, args.products)
        member = {"Authorization": f"Bearer {seeded.token}", "Accept-Language": "zh-CN"}
        visitor = {"Accept-Language": "zh-CN"}
        env = qunshang_env(seeded.url, builtin_plugins())
        with (
            serve("minimal page", "minimal_page:create_app", env={"BENCH_DATABASE_URL": seeded.url}, cwd=folder,
                  workers=args.workers, app_dir=BENCH) as minimal,
            serve("qunshang", "qunshang.app:app_factory", env=env, cwd=folder, workers=args.workers) as real,
        ):
            qs_member = Target("qunshang listing, member, all plugins", real, member, PAGE)
            qs_visitor = Target("qunshang listing, anonymous", real, visitor, PAGE)
            hand = Target("minimal Litestar + Tortoise + Jinja2", minimal, visitor, PAGE)
            hello = Target("bare JSON hello", minimal, {}, "/healthz")
            assert cards(qs_member) == cards(hand) == 24, "the pages do not show the same 24 products"
            print("\n== 1. listing page vs a hand-written Litestar + Jinja2 page ==")
            compare(hand, qs_member, args, target_ratio=0.8)
            if not skip_django:
                with serve("django", "django_page.app:create_app", env={"BENCH_DATABASE_PATH": seeded.url.removeprefix("sqlite://")},
                           cwd=folder, workers=args.workers, app_dir=BENCH, python=django_python()) as django:
                    dj = Target("Django templates + ORM", django, visitor, PAGE)
                    assert cards(dj) == 24, "the Django page does not show 24 products"
                    print("\n== 2. listing page vs the same page in Django ==")
                    compare(dj, qs_member, args, target_ratio=3.0)
                    print(f"\nlatency  {dj.label:<44} {latency(dj)}")
            print("\n== 3. anonymous listing vs a bare JSON hello ==")
            compare(hello, qs_visitor, args, target_ratio=0.5)
            print()
            for t in (hand, qs_member, qs_visitor, hello):
                print(f"latency  {t.label:<44} {latency(t)}")
        print("\nqueries per page (target <= 3):")
        for page, n in asyncio.run(_query_counts(seeded.url, seeded.token)).items():
            print(f"  {page:<24} {n}  {'ok' if n <= 3 else 'TOO MANY'}")


if __name__ == "__main__":
    os.chdir(BENCH.parent)
    run(main)
