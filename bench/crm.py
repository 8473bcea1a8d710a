"""CRM figures: lead assignment throughput and the performance report.

1. Assign 10,000 inbound leads under least-loaded with capacity caps (100 salespeople capped
   at 90 each: the last 1,000 leads find everyone full and stay in the pool), each lead through
   the real service (``assignment.assign``: candidates, conditional capacity reservation,
   conditional claim, history, each lead its own transaction): leads/s.
2. The performance report over 100,000 paid orders, 1,000 salespeople and 30,000 customers
   (``reports.performance``, the real service): time and statement count, against the same
   figures computed by one hand-written SQL aggregate over the orders and refunds tables (the
   service reads its own ``crm_sale`` credits); ``ratio`` = hand-written time / service
   time (≥ 0.5 is the target). The two results are compared row by row.

    .venv/bin/python bench/crm.py [--database postgres://…] [--leads 10000] [--orders 100000]

Without ``--database`` a fresh SQLite file in a temporary folder is used. The database is
migrated first and must be empty (use a scratch PostgreSQL database). The fixture data is
written with set-based bulk inserts; only the measured calls go through the services.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from _common import Statements, bulk_members
from qunshang import db
from qunshang.app import build_runtime, runtime_lifespan
from qunshang.config import Config
from qunshang.members.models import MemberRole
from qunshang.orders.models import Order, OrderStatus
from qunshang.plugins.crm.models import AssignKind, Assignment, Customer, FollowUp, FollowUpKind, Sale, Salesperson
from qunshang.plugins.crm.service import access, assignment, followups, reports, sql

NOW = datetime(2026, 4, 1, tzinfo=timezone.utc)
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def _salespeople(prefix: str, n: int, capacity: int | None) -> list[int]:
    ids = await bulk_members(prefix, n, 5000)
    await MemberRole.bulk_create([MemberRole(member_id=i, role="salesperson") for i in ids], batch_size=5000)
    await Salesperson.bulk_create([Salesperson(member_id=i, code=f"B{i:09d}", capacity=capacity, created_at=T0) for i in ids],
                                  batch_size=5000)
    return ids


async def leads(runtime, n: int) -> None:
    sellers = await _salespeople("seller", 100, 90)
    ids = await bulk_members("lead", n, 5000)
    await Customer.bulk_create([Customer(member_id=i, source="link", registered_at=T0) for i in ids], batch_size=5000)
    start = time.perf_counter()
    assigned = 0
    for member_id in ids:
        if await assignment.assign(runtime, member_id) is not None:
            assigned += 1
    elapsed = time.perf_counter() - start
    loads = await Salesperson.filter(member_id__in=sellers).values_list("load", flat=True)
    print(f"  {n:,} leads in {elapsed:.2f} s: {n / elapsed:,.0f} leads/s ({elapsed * 1000 / n:.2f} ms per lead);"
          f" assigned {assigned:,}, left in the pool {n - assigned:,}; loads min {min(loads)} max {max(loads)} (cap 90)")
    assert max(loads) <= 90 and assigned == min(n, 9000) and sum(loads) == assigned


HAND = """
WITH na AS (SELECT to_owner_id AS sp, COUNT(DISTINCT customer_id) AS n FROM crm_assignment
            WHERE at >= ? AND at < ? AND kind <> 'release' AND to_owner_id IS NOT NULL GROUP BY to_owner_id),
fu AS (SELECT salesperson_id AS sp, COUNT(*) AS n FROM crm_followup WHERE at >= ? AND at < ? GROUP BY salesperson_id),
od AS (SELECT f.salesperson_id AS sp, COUNT(*) AS n FROM crm_followup f WHERE f.due_by > ? AND f.due_by <= ? AND NOT EXISTS (
        SELECT 1 FROM crm_followup g WHERE g.customer_id = f.customer_id AND g.id > f.id AND g.at < f.due_by) GROUP BY f.salesperson_id),
ord AS (SELECT c.owner_id AS sp, COUNT(*) AS n, SUM(o.total - COALESCE(r.amount, 0)) AS gmv
        FROM orders_order o JOIN crm_customer c ON c.member_id = o.member_id
        LEFT JOIN (SELECT order_id, SUM(amount) AS amount FROM orders_refund GROUP BY order_id) r ON r.order_id = o.id
        WHERE o.paid_at >= ? AND o.paid_at < ? AND c.owner_id IS NOT NULL GROUP BY c.owner_id),
cv AS (SELECT first_owner_id AS sp, COUNT(*) AS r, COUNT(first_order_at) AS k FROM crm_customer
       WHERE registered_at >= ? AND registered_at < ? AND first_owner_id IS NOT NULL GROUP BY first_owner_id)
SELECT s.member_id AS salesperson_id, COALESCE(na.n, 0) AS new_customers, COALESCE(fu.n, 0) AS follow_ups,
       COALESCE(od.n, 0) AS overdue, COALESCE(ord.n, 0) AS orders, COALESCE(ord.gmv, 0) AS gmv,
       COALESCE(cv.r, 0) AS registered, COALESCE(cv.k, 0) AS converted
FROM crm_salesperson s LEFT JOIN na ON na.sp = s.member_id LEFT JOIN fu ON fu.sp = s.member_id
LEFT JOIN od ON od.sp = s.member_id LEFT JOIN ord ON ord.sp = s.member_id LEFT JOIN cv ON cv.sp = s.member_id
ORDER BY s.member_id
"""


async def report(runtime, orders: int, salespeople: int = 1000, customers: int = 30_000) -> None:
    sellers = await _salespeople("rep", salespeople - await Salesperson.all().count(), None)
    sellers = list(await Salesperson.all().order_by("member_id").values_list("member_id", flat=True))
    ids = await bulk_members("cust", customers, 5000)
    days = (NOW - T0).days
    rows = []
    for n, member_id in enumerate(ids):
        owner = sellers[n % len(sellers)]
        rows.append(Customer(member_id=member_id, owner_id=owner, first_owner_id=owner, owned_at=T0 + timedelta(days=n % days), source="link",
                             registered_at=T0 + timedelta(days=n % days, minutes=n % 1440),
                             next_follow_up_at=T0 + timedelta(days=(n * 7) % (days + 30))))
    await Customer.bulk_create(rows, batch_size=5000)
    await Assignment.bulk_create([Assignment(customer_id=r.member_id, to_owner_id=r.owner_id, kind=AssignKind.RULE, at=r.owned_at)
                                  for r in rows], batch_size=5000)
    planned = []
    for i in range(50_000):  # every follow-up plans the next one 1-4 days later: some are kept, some overdue
        at = T0 + timedelta(minutes=i * 7)
        next_at = at + timedelta(days=1 + i % 4)
        planned.append(FollowUp(customer_id=rows[i % customers].member_id, salesperson_id=rows[i % customers].owner_id,
                                kind=FollowUpKind.CALL, at=at, next_at=next_at, due_by=followups.day_bounds(runtime, next_at)[1]))
    await FollowUp.bulk_create(planned, batch_size=5000)
    batch = []
    for i in range(orders):
        at = T0 + timedelta(minutes=(i * 13) % (days * 1440))
        batch.append(Order(number=f"B{i:09d}", member_id=ids[(i * 7) % customers], status=OrderStatus.PAID, subtotal=10000 + i % 5000,
                           total=10000 + i % 5000, placed_at=at, expires_at=at, paid_at=at))
        if len(batch) == 10_000:
            await Order.bulk_create(batch)
            batch = []
    if batch:
        await Order.bulk_create(batch)
    await sql.run(Sale, """INSERT INTO crm_sale (order_id, customer_id, owner_id, total, refunded, paid_at)
                           SELECT o.id, o.member_id, c.owner_id, o.total, 0, o.paid_at FROM orders_order o
                           JOIN crm_customer c ON c.member_id = o.member_id""", [])  # as order_paid credits them
    await sql.run(Customer, """UPDATE crm_customer SET first_order_at = (SELECT MIN(o.paid_at) FROM orders_order o
                               WHERE o.member_id = crm_customer.member_id)""", [])
    owner = await bulk_members("boss", 1, 5000)
    await MemberRole.create(member_id=owner[0], role="operator")
    scope = await access.scope_of(runtime, owner[0])
    period = reports.period(runtime, date(2026, 1, 1), date(2026, 3, 31))
    await reports.performance(runtime, scope, period)  # warm
    runs = 5
    with Statements() as q:
        start = time.perf_counter()
        for _ in range(runs):
            result = await reports.performance(runtime, scope, period)
        service = (time.perf_counter() - start) / runs
    params = [period.start, period.end, period.start, period.end, period.start, min(period.end, runtime.now()), period.start, period.end,
              period.start, period.end]
    await sql.rows(Customer, HAND, params)  # warm
    with Statements() as h:
        start = time.perf_counter()
        for _ in range(runs):
            hand = await sql.rows(Customer, HAND, params)
        handwritten = (time.perf_counter() - start) / runs
    ours = {r["salesperson_id"]: tuple(r[m] for m in reports.METRICS) for r in result["salespeople"]}
    theirs = {r["salesperson_id"]: tuple(int(r[m]) for m in reports.METRICS) for r in hand}
    assert ours == theirs, "the service and the hand-written aggregate disagree"
    total = result["totals"]
    print(f"  data: {orders:,} paid orders, {len(sellers):,} salespeople, {customers:,} owned customers, 50,000 follow-ups"
          f" (overdue {total['overdue']:,})")
    print(f"  service  reports.performance: {service * 1000:8.1f} ms, {q.count // runs} statements"
          f" (orders {total['orders']:,}, GMV {total['gmv']:,} fen)")
    print(f"  hand-written single aggregate: {handwritten * 1000:8.1f} ms, {h.count // runs} statement")
    print(f"  ratio (hand-written time / service time): {handwritten / service:.2f}x; results identical")


async def main(args: argparse.Namespace) -> None:
    url = args.database or f"sqlite://{Path(tempfile.mkdtemp(prefix='qs-bench-')) / 'bench.sqlite3'}"
    config = Config(database={"url": url}, jobs={"in_process": False},
                    plugins={"enabled": ["crm"], "crm": {"strategy": "least_loaded", "default_capacity": 500}})
    runtime = build_runtime(config, clock=lambda: NOW)
    await db.migrate(runtime)
    async with runtime_lifespan(runtime):
        print(f"database: {url.split('@')[-1]}")
        print("1. lead assignment (least-loaded, capped)")
        await leads(runtime, args.leads)
        print("2. performance report")
        await report(runtime, args.orders)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="a scratch database URL (default: a new SQLite file)")
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=100_000)
    asyncio.run(main(parser.parse_args()))
