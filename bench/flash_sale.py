"""Flash sale (秒杀): 500 buyers, one request each, race for the last 100 units.

A: bench/minimal_flash.py — one conditional UPDATE in a transaction, nothing else.
B: the real app (``qunshang.app:create_app``): bearer-token authentication, validation,
   server-side pricing, the stock update, the order with its lines and event, order hooks.

Both are served by uvicorn with 2 workers (``--workers``), first on SQLite (a file), then on
PostgreSQL (the database ``qs_bench_flash``, recreated, dropped at the end); each database is
benched in a child process. Before each run the stock is reset to 100; then 500 members fire
one ``POST /api/orders`` each with their own API token (at most ``--concurrency`` in flight, no
retries). Each run must end with exactly 100 orders and nothing oversold; it prints requests/s
over all 500 attempts, orders/s, the p99 latency and the servers' CPU time per request (the
load generator shares the machine, so this is the steadier figure). A and B alternate (A B,
B A, A B) for ``--rounds`` rounds after one warm-up run each. The last line is the ``ratio`` of
median throughput B/A (target >= 0.8), the lower of the two databases.

    .venv/bin/python bench/flash_sale.py [--rounds 3] [--concurrency 100] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from _common import BENCH, Server, qunshang_env, serve, server_cpu_seconds, workspace

STOCK = 100
BUYERS = 500
TARGET = 0.8
LANE = 5  # connections per httpx client
POSTGRES = "postgres://postgres@127.0.0.1:5432/qs_bench_flash"
ADDRESS = {"name": "张三", "phone": "13800138000", "region": "浙江省杭州市西湖区", "detail": "文三路 1 号"}


@dataclass
class Run:
    ok: int
    sold_out: int
    errors: int
    seconds: float
    latencies: list[float]
    cpu_us: float | None = None  # the server's CPU time per request (all workers), None without /proc
    oversold: int = 0

    @property
    def rps(self) -> float:
        return BUYERS / self.seconds

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000

    @property
    def correct(self) -> bool:
        return self.ok == STOCK and self.oversold == 0 and self.errors == 0


@dataclass
class Shop:
    """The seeded database, as the bench process sees it (to reset and check between runs)."""

    url: str
    sku_id: int
    product_id: int
    tokens: list[str]


async def seed(url: str) -> Shop:
    from qunshang import db
    from qunshang.app import build_runtime
    from qunshang.catalog import service as catalog
    from qunshang.catalog.models import ProductStatus
    from qunshang.config import Config
    from qunshang.members.models import ApiToken, Member
    from qunshang.web.auth import token_digest

    runtime = build_runtime(Config(database={"url": url}))
    await db.migrate(runtime)
    await db.connect(runtime)
    product = await catalog.create_product(
        title="秒杀 Flash-sale tea", status=ProductStatus.PUBLISHED, skus=[catalog.SkuInput("FLASH-1", 990, STOCK)]
    )
    sku = (await product.skus.all())[0]
    await Member.bulk_create([
        Member(login=f"buyer{i:03d}@bench.example", password_hash="!", display_name=f"buyer{i:03d}") for i in range(BUYERS)
    ])
    member_ids = await Member.filter(login__endswith="@bench.example").order_by("id").values_list("id", flat=True)
    tokens = [f"qs_{secrets.token_urlsafe(24)}" for _ in member_ids]
    await ApiToken.bulk_create([
        ApiToken(member_id=m, name="bench", token_hash=token_digest(t), prefix=t[:8]) for m, t in zip(member_ids, tokens)
    ])
    return Shop(url, sku.id, product.id, tokens)


async def reset(shop: Shop) -> None:
    from qunshang.catalog.models import Product, Sku
    from qunshang.orders.models import Order, OrderEvent, OrderLine

    for model in (OrderEvent, OrderLine, Order):
        await model.all().delete()
    await Sku.filter(id=shop.sku_id).update(stock=STOCK, sold=0)
    await Product.filter(id=shop.product_id).update(stock=STOCK)


async def check(shop: Shop, run: Run, counts_orders: bool) -> None:
    """Oversold = units sold beyond the stock, by the SKU's counters and (for B) order rows."""
    from qunshang.catalog.models import Sku
    from qunshang.orders.models import Order

    sku = await Sku.get(id=shop.sku_id)
    orders = await Order.all().count() if counts_orders else run.ok
    run.oversold = max(0, sku.sold - STOCK, -sku.stock, orders - STOCK)
    if sku.stock + sku.sold != STOCK or orders != run.ok:
        run.errors += 1  # the counters disagree with what the buyers were told


async def fire(server: Server, shop: Shop, concurrency: int) -> Run:
    """Every buyer posts once. httpx slows down sharply with many connections in one pool
    (100 in one client: ~100 req/s even on /healthz), so the load is spread over small
    clients of ``LANE`` connections each."""
    body = {"lines": [{"sku_id": shop.sku_id, "quantity": 1}], "address": ADDRESS}
    lanes = max(1, concurrency // LANE)
    per_lane = max(1, concurrency // lanes)
    limits = httpx.Limits(max_connections=per_lane, max_keepalive_connections=per_lane)
    clients = [httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=60) for _ in range(lanes)]
    gates = [asyncio.Semaphore(per_lane) for _ in range(lanes)]
    latencies: list[float] = []
    statuses: list[int] = []

    async def buyer(lane: int, token: str) -> None:
        async with gates[lane]:
            started = time.perf_counter()
            try:
                r = await clients[lane].post("/api/orders", json=body, headers={"Authorization": f"Bearer {token}"})
                statuses.append(r.status_code)
            except httpx.HTTPError:
                statuses.append(0)
            latencies.append(time.perf_counter() - started)

    try:
        cpu_before, started = server_cpu_seconds(server.process.pid), time.perf_counter()
        await asyncio.gather(*(buyer(i % lanes, t) for i, t in enumerate(shop.tokens)))
        seconds, cpu_after = time.perf_counter() - started, server_cpu_seconds(server.process.pid)
    finally:
        for client in clients:
            await client.aclose()
    ok, sold_out = statuses.count(201), statuses.count(409)
    cpu_us = None if cpu_before is None else (cpu_after - cpu_before) / len(statuses) * 1e6
    return Run(ok, sold_out, len(statuses) - ok - sold_out, seconds, latencies, cpu_us)


async def bench(backend: str, url: str, folder: Path, args: argparse.Namespace) -> tuple[float, bool]:
    from qunshang import db

    shop = await seed(url)
    minimal_env = {"BENCH_DATABASE_URL": db.database_url(url)}  # the same pragmas / pool size as the app
    correct = True
    try:
        with (
            serve("minimal", "minimal_flash:create_app", env=minimal_env, cwd=folder, workers=args.workers, app_dir=BENCH) as a,
            serve("qunshang", "qunshang.app:create_app", env=qunshang_env(url, []), cwd=folder, workers=args.workers) as b,
        ):
            labels = {a.name: "A minimal conditional UPDATE", b.name: "B qunshang POST /api/orders"}
            for server in (a, b):  # warm-up: imports, connections, caches
                await reset(shop)
                await fire(server, shop, args.concurrency)
            figures: dict[str, list[float]] = {a.name: [], b.name: []}
            cpu: dict[str, list[float]] = {a.name: [], b.name: []}
            for round_no in range(args.rounds):
                for server in (a, b) if round_no % 2 == 0 else (b, a):
                    await reset(shop)
                    run = await fire(server, shop, args.concurrency)
                    await check(shop, run, counts_orders=server is b)
                    correct &= run.correct
                    figures[server.name].append(run.rps)
                    if run.cpu_us is not None:
                        cpu[server.name].append(run.cpu_us)
                    print(
                        f"{backend:<8} round {round_no + 1}  {labels[server.name]:<30} orders {run.ok:3d}  "
                        f"oversold {run.oversold}  sold out {run.sold_out:3d}  errors {run.errors}  "
                        f"{run.rps:7.1f} req/s  {run.ok / run.seconds:6.1f} orders/s  p99 {run.p99_ms:7.1f} ms"
                        + (f"  {run.cpu_us:5.0f} µs CPU/req" if run.cpu_us is not None else "")
                        + ("" if run.correct else "  WRONG"),
                        flush=True,
                    )
            ratio = statistics.median(figures[b.name]) / statistics.median(figures[a.name])
            cpu_text = ""
            if cpu[a.name] and cpu[b.name]:
                cpu_a, cpu_b = statistics.median(cpu[a.name]), statistics.median(cpu[b.name])
                cpu_text = f" (server CPU per request: A {cpu_a:.0f} µs, B {cpu_b:.0f} µs, A/B {cpu_a / cpu_b:.3f})"
            print(f"{backend:<8} median A {statistics.median(figures[a.name]):7.1f} req/s, "
                  f"B {statistics.median(figures[b.name]):7.1f} req/s{cpu_text}, B/A {ratio:.3f}", flush=True)
            return ratio, correct
    finally:
        await db.disconnect()


async def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import asyncpg

    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")), timeout=3)
    try:
        name = parts.path.lstrip("/")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def run_backend(backend: str, url: str, args: argparse.Namespace) -> tuple[float | None, bool]:
    """Bench one database in a child process (Tortoise keeps one database dialect per process)."""
    command = [sys.executable, __file__, "--only", backend, "--database", url, "--rounds", str(args.rounds),
               "--workers", str(args.workers), "--concurrency", str(args.concurrency)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    ratio = None
    try:
        for line in child.stdout:
            print(line, end="", flush=True)
            if found := re.search(r"B/A (\d+\.\d+)$", line):
                ratio = float(found.group(1))
        child.wait()
    finally:
        if child.poll() is None:  # interrupted: the child stops its servers on SIGTERM
            child.terminate()
            child.wait()
    return ratio, child.returncode == 0


async def only(args: argparse.Namespace) -> int:
    with workspace() as folder:
        url = args.database or f"sqlite://{folder / 'flash.sqlite3'}"
        _ratio, correct = await bench(args.only, url, folder, args)
    return 0 if correct else 1


def main(args: argparse.Namespace) -> int:
    print(f"{BUYERS} buyers, {STOCK} units, one request each, <= {args.concurrency} in flight; "
          f"uvicorn {args.workers} workers per server", flush=True)
    results = {"sqlite": run_backend("sqlite", "", args)}
    if args.postgres:
        try:
            asyncio.run(recreate_postgres(args.postgres))
        except (OSError, asyncio.TimeoutError) as exc:
            print(f"postgres skipped: {args.postgres} is not reachable ({exc})")
        else:
            try:
                results["postgres"] = run_backend("postgres", args.postgres, args)
            finally:
                asyncio.run(recreate_postgres(args.postgres, drop_only=True))
    ratios = {name: ratio for name, (ratio, _) in results.items() if ratio is not None}
    correct = all(ok for _, ok in results.values()) and len(ratios) == len(results)
    if ratios:
        worst = min(ratios.values())
        detail = ", ".join(f"{name} {value:.3f}" for name, value in ratios.items())
        verdict = "meets" if worst >= TARGET else "MISSES"
        print(f"ratio {worst:.3f} (B/A median req/s, lower of {detail}; {verdict} the target >= {TARGET})")
    if not correct:
        print("WRONG: a run failed or did not sell exactly the stock")
    return 0 if correct else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server (default 2)")
    parser.add_argument("--concurrency", type=int, default=100, help="requests in flight at most (default 100)")
    parser.add_argument("--postgres", default=POSTGRES, help=f"PostgreSQL database to (re)create (default {POSTGRES})")
    parser.add_argument("--no-postgres", dest="postgres", action="store_const", const=None, help="SQLite only")
    parser.add_argument("--only", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)  # the child's part
    parser.add_argument("--database", help=argparse.SUPPRESS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` blocks: stop the servers
    options = parser.parse_args()
    sys.exit(asyncio.run(only(options)) if options.only else main(options))
