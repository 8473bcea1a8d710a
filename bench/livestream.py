"""Livestream (直播带货): a live flash sale under a burst, and one push fanned out to many viewers.

Flash sale: the real app (``qunshang.app:app_factory`` with the livestream plugin, uvicorn with
``--workers`` workers) runs a live session with a live sale of 100 units reserved from a SKU of
500; 2,000 members each send one ``POST /api/livestream/sessions/{id}/orders`` at once (at most
``--concurrency`` connections in flight, no retries), first on SQLite, then on PostgreSQL (the
database ``qs_bench_live``, recreated and dropped at the end), each in a child process. Printed:
units sold (must be exactly 100), oversold (must be 0: sale, orders and the SKU's counters must
agree), orders/s and the p99 latency of all 2,000 requests.

Fan-out: one uvicorn process (SQLite), ``--viewers`` viewers (default 1,000) hold the session's
server-sent event stream open (raw sockets, so the load generator stays light); the host pushes a
product once. Printed: p50/p99 delivery latency (from sending the push to each viewer reading the
event) and the server's resident memory per open connection.

    .venv/bin/python bench/livestream.py [--concurrency 500] [--viewers 1000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
from _common import Server, qunshang_env, serve, workspace
from flash_sale import recreate_postgres

BUYERS = 2000
CAP = 100
STOCK = 500
LANE = 5  # connections per httpx client (httpx slows down with many connections in one pool)
POSTGRES = "postgres://postgres@127.0.0.1:5432/qs_bench_live"
ADDRESS = {"name": "张三", "phone": "13800138000", "region": "浙江省杭州市西湖区", "detail": "文三路 1 号"}


@dataclass
class Live:
    session_id: int
    sale_id: int
    sku_id: int
    product_ids: list[int]
    host_token: str
    tokens: list[str]


async def seed(url: str, buyers: int) -> Live:
    """Migrate, then a host, buyers with API tokens, two products, a live session with a sale."""
    import secrets

    from qunshang import db
    from qunshang.app import build_runtime
    from qunshang.catalog import service as catalog
    from qunshang.catalog.models import ProductStatus
    from qunshang.config import Config
    from qunshang.members.models import ApiToken, Member, MemberRole
    from qunshang.plugins.livestream.models import LiveSession, Room, SessionStatus
    from qunshang.plugins.livestream.service import rooms, sales
    from qunshang.web.auth import token_digest

    runtime = build_runtime(Config(database={"url": url}, plugins={"enabled": ["livestream"]}))
    await db.migrate(runtime)
    await db.connect(runtime)
    products = [await catalog.create_product(title=f"直播茶 {i}", status=ProductStatus.PUBLISHED,
                                             skus=[catalog.SkuInput(f"LIVE-{i}", 990, STOCK)]) for i in range(2)]
    sku = (await products[0].skus.all())[0]
    host = await Member.create(login="host@bench.example", password_hash="!", display_name="host")
    await MemberRole.create(member=host, role="host")
    await Member.bulk_create([Member(login=f"b{i:04d}@bench.example", password_hash="!", display_name=f"b{i}")
                              for i in range(buyers)])
    ids = await Member.filter(login__startswith="b", login__endswith="@bench.example").order_by("id").values_list("id", flat=True)
    tokens = [f"qs_{secrets.token_urlsafe(24)}" for _ in range(len(ids) + 1)]
    await ApiToken.bulk_create([ApiToken(member_id=m, name="bench", token_hash=token_digest(t), prefix=t[:8])
                                for m, t in zip([host.id, *ids], tokens)])
    now = datetime.now(timezone.utc)
    room = await Room.create(title="Bench room", host_id=host.id, created_at=now)
    session = await LiveSession.create(room_id=room.id, title="Bench live", status=SessionStatus.LIVE, started_at=now,
                                       scheduled_start=now, scheduled_end=now + timedelta(hours=2))
    await rooms.push(runtime, session, products[0].id)
    sale = await sales.open_sale(runtime, session, sku_id=sku.id, live_price=500, cap=CAP, per_member_limit=1,
                                 ends_at=now + timedelta(hours=1))
    return Live(session.id, sale.id, sku.id, [p.id for p in products], tokens[0], tokens[1:])


# ----------------------------------------------------------------------------- flash sale


async def burst(server: Server, live: Live, concurrency: int) -> tuple[dict[int, int], float, list[float]]:
    body = {"sku_id": live.sku_id, "quantity": 1, "address": ADDRESS}
    lanes = max(1, concurrency // LANE)
    limits = httpx.Limits(max_connections=LANE, max_keepalive_connections=LANE)
    clients = [httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=120) for _ in range(lanes)]
    statuses: dict[int, int] = {}
    latencies: list[float] = []

    async def buyer(lane: int, token: str) -> None:
        started = time.perf_counter()
        try:
            r = await clients[lane].post(f"/api/livestream/sessions/{live.session_id}/orders", json=body,
                                         headers={"Authorization": f"Bearer {token}"})
            code = r.status_code
        except httpx.HTTPError:
            code = 0
        latencies.append(time.perf_counter() - started)
        statuses[code] = statuses.get(code, 0) + 1

    try:
        started = time.perf_counter()
        await asyncio.gather(*(buyer(i % lanes, t) for i, t in enumerate(live.tokens)))
        seconds = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return statuses, seconds, latencies


async def flash(backend: str, url: str, folder: Path, args: argparse.Namespace) -> bool:
    from qunshang import db
    from qunshang.catalog.models import Sku
    from qunshang.orders.models import OrderLine
    from qunshang.orders.models import Order
    from qunshang.plugins.livestream.models import LiveSale

    live = await seed(url, BUYERS)
    try:
        env = qunshang_env(url, ["livestream"])
        with serve("qunshang-live", "qunshang.app:app_factory", env=env, cwd=folder, workers=args.workers) as server:
            statuses, seconds, latencies = await burst(server, live, args.concurrency)
        sale = await LiveSale.get(id=live.sale_id)
        sold = sum(await OrderLine.filter(sku_id=live.sku_id).values_list("quantity", flat=True))
        sku = await Sku.get(id=live.sku_id)
        buyers = await Order.filter(lines__sku_id=live.sku_id).values_list("member_id", flat=True)
        per_member = max(Counter(buyers).values(), default=0)
        created = statuses.get(201, 0)
        oversold = max(0, sold - CAP, created - CAP, (sale.cap - sale.remaining) - CAP)
        consistent = sold == created == sale.cap - sale.remaining and sku.stock == STOCK - CAP and sku.sold == sold
        p99 = statistics.quantiles(latencies, n=100)[98] * 1000
        print(f"{backend:<8} flash sale: {BUYERS} buyers, cap {CAP}: sold {sold}  oversold {oversold}  "
              f"refused {statuses.get(409, 0)}  other {BUYERS - created - statuses.get(409, 0)}  "
              f"{created / seconds:6.1f} orders/s  {BUYERS / seconds:7.1f} req/s  p99 {p99:7.1f} ms  "
              f"({seconds:.2f} s; most units one member got: {per_member} (limit 1); counters agree: {consistent})", flush=True)
        return sold == CAP and oversold == 0 and consistent and per_member <= 1
    finally:
        await db.disconnect()


# ----------------------------------------------------------------------------- fan-out


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def viewer(host: str, port: int, path: str, connected: asyncio.Event, counter: list[int], total: int,
                 received: list[float]) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    while b"connected" not in (line := await reader.readline()):
        if not line:
            raise ConnectionError("the event stream closed before it was connected")
    counter[0] += 1
    if counter[0] == total:
        connected.set()

    async def listen() -> None:
        while line := await reader.readline():
            if line.startswith(b"data: ") and b'"pinned"' in line:
                received.append(time.perf_counter())
                return

    asyncio.get_running_loop().create_task(listen())
    return reader, writer


async def fanout(folder: Path, args: argparse.Namespace) -> bool:
    from qunshang import db

    url = f"sqlite://{folder / 'fanout.sqlite3'}"
    live = await seed(url, 0)
    await db.disconnect()
    # every simulated viewer connects from 127.0.0.1: lift the per-address stream limit
    env = {**qunshang_env(url, ["livestream"]), "QUNSHANG_PLUGINS__LIVESTREAM__STREAMS_PER_ADDRESS": str(args.viewers + 10)}
    with serve("qunshang-fanout", "qunshang.app:app_factory", env=env, cwd=folder, workers=1) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        path = f"/live/{live.session_id}/events"
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            await http.get(path.replace("/events", ""))  # warm the page's imports and caches
        before = rss_kib(server.process.pid)
        connected, counter, received = asyncio.Event(), [0], []
        sockets = []
        for start in range(0, args.viewers, 100):  # connect in waves, as viewers arrive
            sockets += await asyncio.gather(*(viewer(host, int(port), path, connected, counter, args.viewers, received)
                                              for _ in range(start, min(start + 100, args.viewers))))
        await asyncio.wait_for(connected.wait(), 120)
        await asyncio.sleep(1.0)
        after = rss_kib(server.process.pid)
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as http:
            sent = time.perf_counter()
            r = await http.post(f"/api/livestream/sessions/{live.session_id}/push", json={"product_id": live.product_ids[1]},
                                headers={"Authorization": f"Bearer {live.host_token}"})
            assert r.status_code == 200, r.text
            deadline = time.monotonic() + 60
            while len(received) < args.viewers and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        for _reader, writer in sockets:
            writer.close()
    delays = sorted((t - sent) * 1000 for t in received)
    p50, p99 = statistics.median(delays), statistics.quantiles(delays, n=100)[98] if len(delays) > 1 else delays[0]
    print(f"fan-out: {args.viewers} SSE viewers, one push: delivered {len(delays)}  p50 {p50:6.1f} ms  "
          f"p99 {p99:6.1f} ms  last {delays[-1]:6.1f} ms  server memory {(after - before) / args.viewers:5.1f} KiB "
          f"per connection (RSS {before / 1024:.0f} → {after / 1024:.0f} MiB)", flush=True)
    return len(delays) == args.viewers


# ----------------------------------------------------------------------------- driver


def child(part: str, database: str, args: argparse.Namespace) -> bool:
    """Each database (and the fan-out) in its own process: Tortoise keeps one dialect per process."""
    command = [sys.executable, __file__, "--only", part, "--database", database, "--workers", str(args.workers),
               "--concurrency", str(args.concurrency), "--viewers", str(args.viewers)]
    return subprocess.run(command).returncode == 0


async def only(args: argparse.Namespace) -> int:
    with workspace() as folder:
        if args.only == "fanout":
            return 0 if await fanout(folder, args) else 1
        url = args.database or f"sqlite://{folder / 'live.sqlite3'}"
        return 0 if await flash(args.only, url, folder, args) else 1


def main(args: argparse.Namespace) -> int:
    print(f"uvicorn {args.workers} workers for the flash sale, <= {args.concurrency} connections in flight", flush=True)
    results = [child("sqlite", "", args)]
    if args.postgres:
        try:
            asyncio.run(recreate_postgres(args.postgres))
        except (OSError, asyncio.TimeoutError) as exc:
            print(f"postgres skipped: {args.postgres} is not reachable ({exc})")
        else:
            try:
                results.append(child("postgres", args.postgres, args))
            finally:
                asyncio.run(recreate_postgres(args.postgres, drop_only=True))
    results.append(child("fanout", "", args))
    if not all(results):
        print("WRONG: a run failed, sold other than exactly the cap, or a viewer missed the push")
    return 0 if all(results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for the flash sale (default 2)")
    parser.add_argument("--concurrency", type=int, default=500, help="connections in flight at most (default 500)")
    parser.add_argument("--viewers", type=int, default=1000, help="SSE viewers for the fan-out (default 1000)")
    parser.add_argument("--postgres", default=POSTGRES, help=f"PostgreSQL database to (re)create (default {POSTGRES})")
    parser.add_argument("--no-postgres", dest="postgres", action="store_const", const=None, help="SQLite only")
    parser.add_argument("--only", choices=["sqlite", "postgres", "fanout"], help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` blocks: stop the servers
    options = parser.parse_args()
    sys.exit(asyncio.run(only(options)) if options.only else main(options))
