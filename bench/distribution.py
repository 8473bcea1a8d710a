"""Distribution figures: commission creation per paid order, team queries, settlement.

1. Commission creation for a paid order in a 3-level chain: SQL statements per order (must
   not grow with the size of the team above the buyer) and orders/s.
2. Team size / summary (also with the valid_days expiry filter) of a member with 100,000 downline members vs one with 10: time and
   statement count (closure table: the count is the same, the time grows with the index scan).
3. Settling 100,000 due commissions in set-based batches: seconds, commissions/s, ledger
   postings and entries/s.

    .venv/bin/python bench/distribution.py [--database postgres://…] [--orders 300] [--team 100000] [--commissions 100000]

Without ``--database`` a fresh SQLite file in a temporary folder is used. The database is
migrated first and must be empty (use a scratch PostgreSQL database).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from tortoise.transactions import in_transaction

from _common import Statements, bulk_members
from qunshang import db
from qunshang.app import build_runtime, runtime_lifespan
from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.config import Config
from qunshang.ledger import service as ledger
from qunshang.orders.models import Order, OrderLine, OrderStatus
from qunshang.plugins.distribution.models import Commission, Settlement, TreePath
from qunshang.plugins.distribution.service import commissions, distributors, settlement, team, tree


NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)


async def _paid_order(buyer_id: int, sku, number: str) -> Order:
    order = await Order.create(number=number, member_id=buyer_id, subtotal=20000, discount=3000, shipping_fee=1000,
                               total=18000, placed_at=NOW, expires_at=NOW, paid_at=NOW, status=OrderStatus.PAID)
    await OrderLine.create(order_id=order.id, sku_id=sku.id, product_id=sku.product_id, title="Tea", unit_price=10000,
                           quantity=2, discount=3000, total=17000)
    return order


async def _grow(root_id: int, size: int, first_id: int) -> None:
    """A team of ``size`` below ``root_id`` written straight into the closure table: 100 direct
    members, the rest spread below them (ids are synthetic: the closure has no foreign keys)."""
    direct = list(range(first_id, first_id + min(100, size)))
    rows = [TreePath(ancestor_id=d, descendant_id=d, depth=0) for d in direct]
    rows += [TreePath(ancestor_id=root_id, descendant_id=d, depth=1) for d in direct]
    for i, member in enumerate(range(first_id + len(direct), first_id + size)):
        parent = direct[i % len(direct)]
        rows += [TreePath(ancestor_id=member, descendant_id=member, depth=0),
                 TreePath(ancestor_id=parent, descendant_id=member, depth=1),
                 TreePath(ancestor_id=root_id, descendant_id=member, depth=2)]
    await TreePath.bulk_create(rows, batch_size=5000)


async def commission_creation(runtime, orders: int, big_team: int) -> None:
    tea = await catalog.create_product(title="Tea", status=ProductStatus.PUBLISHED,
                                       skus=[catalog.SkuInput("BENCH-1", 10000, 10**6)])
    sku = (await tea.skus.all())[0]
    a, b, c, buyer = await bulk_members("chain", 4)
    for member_id in (a, b, c):
        await distributors.ensure(runtime, member_id, "designated")
    await tree.attach(b, a)
    await tree.attach(c, b)
    await tree.attach(buyer, c)
    async with in_transaction():  # the first order also creates the earners' ledger accounts
        await commissions.create_for_order(runtime, await _paid_order(buyer, sku, "warm-up"))
    counts = []
    for label in ("small team", f"{big_team:,}-member team"):
        if label != "small team":
            await _grow(a, big_team, 50_000_000)
        order = await _paid_order(buyer, sku, f"probe-{label[:5]}")
        with Statements() as q:
            async with in_transaction():
                made = await commissions.create_for_order(runtime, order)
        counts.append(q.count)
        print(f"  statements per paid order ({label} above the buyer): {q.count} ({len(made)} commissions)")
    prepared = [await _paid_order(buyer, sku, f"bench-{i}") for i in range(orders)]
    start = time.perf_counter()
    for order in prepared:
        async with in_transaction():
            await commissions.create_for_order(runtime, order)
    elapsed = time.perf_counter() - start
    print(f"  orders/s (commissions of 3 levels, each order its own transaction): {orders / elapsed:,.0f}"
          f" ({elapsed * 1000 / orders:.2f} ms per order)")
    assert counts[0] == counts[1], "statements per order grew with the team size"


async def team_queries(size: int) -> None:
    small_root, big_root = await bulk_members("root", 2)
    await _grow(small_root, 10, 10_000_000)
    await _grow(big_root, size, 20_000_000)
    for root, label in ((small_root, "10"), (big_root, f"{size:,}")):
        expiring = lambda member_id: team.summary(member_id, now=NOW)  # noqa: E731 - valid_days: expired bindings left out
        for name, call in (("team_size", team.team_size), ("summary", team.summary), ("summary (valid_days)", expiring)):
            await call(root)  # warm
            runs = 5
            with Statements() as q:
                start = time.perf_counter()
                for _ in range(runs):
                    result = await call(root)
                elapsed = (time.perf_counter() - start) / runs
            found = result if isinstance(result, int) else result["team_size"]
            print(f"  {name:20} of a member with {label:>7} downline: {elapsed * 1000:8.2f} ms,"
                  f" {q.count // runs} statements (team_size={found:,})")


async def settling(runtime, n: int, earners: int = 1000) -> None:
    rows = [
        Commission(order_id=90_000_000 + i // 2, order_line_id=90_000_000 + i, buyer_id=1, earner_id=1 + i % earners,
                   level=1, base=10000, rate_bp=1000, amount=1000, due=True, explanation={}, created_at=NOW)
        for i in range(n)
    ]
    await Commission.bulk_create(rows, batch_size=5000)
    batches = 0
    start = time.perf_counter()
    settled = 0
    while True:
        count, _ = await settlement.settle_batch(runtime)
        if not count:
            break
        settled += count
        batches += 1
    elapsed = time.perf_counter() - start
    postings = await Settlement.all().count()
    entries = 2 * earners * postings
    print(f"  settled {settled:,} commissions of {earners:,} earners in {elapsed:.2f} s: {settled / elapsed:,.0f} commissions/s,"
          f" {postings} ledger postings of {entries // postings:,} entries ({entries / elapsed:,.0f} entries/s),"
          f" batches of {runtime.settings('distribution').settle_batch:,}")
    problems = await ledger.check()
    print(f"  ledger check after settlement: {'ok' if not problems else problems[:3]}")


async def main(args: argparse.Namespace) -> None:
    url = args.database or f"sqlite://{Path(tempfile.mkdtemp(prefix='qs-bench-')) / 'bench.sqlite3'}"
    config = Config(
        database={"url": url}, jobs={"in_process": False},
        plugins={"enabled": ["distribution"],
                 "distribution": {"levels": 3, "compliance": "cn-law", "rates_bp": [2000, 1000, 500]}},
    )
    runtime = build_runtime(config)
    await db.migrate(runtime)
    async with runtime_lifespan(runtime):
        print(f"database: {url.split('@')[-1]}")
        print("1. commission creation")
        await commission_creation(runtime, args.orders, args.team)
        print("2. team queries (closure table)")
        await team_queries(args.team)
        print("3. settlement")
        await settling(runtime, args.commissions)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="a scratch database URL (default: a new SQLite file)")
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--team", type=int, default=100_000)
    parser.add_argument("--commissions", type=int, default=100_000)
    asyncio.run(main(parser.parse_args()))
