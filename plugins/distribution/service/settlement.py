"""Settlement: pending commissions become available once the order's after-sales window
closes, and refunds take commissions back in proportion.

``after_sales_closed`` marks the order's commissions due and settles them at once; the
``distribution.settle`` job marks commissions of orders closed by any other path and settles
everything due in batches. A batch is set-based: one ``UPDATE`` picks up to ``settle_batch``
due commissions, one grouped ``SELECT`` sums them per earner, and one ledger posting moves
each earner's sum ``member:<id>:pending → member:<id>:available``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from tortoise.expressions import Subquery
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from qunshang.errors import Conflict
from qunshang.ledger import service as ledger
from qunshang.money import prorate
from qunshang.orders.models import Order, OrderLine, OrderStatus, Refund

from ..models import Commission, CommissionStatus, Settlement
from . import grades

if TYPE_CHECKING:
    from qunshang.runtime import Runtime


async def mark_due(order_id: int | None = None) -> int:
    """Mark pending commissions due: of one order, or of every closed order."""
    query = Commission.filter(status=CommissionStatus.PENDING, due=False)
    if order_id is not None:
        query = query.filter(order_id=order_id)
    else:
        query = query.filter(order_id__in=Subquery(Order.filter(status=OrderStatus.CLOSED).values("id")))
    return await query.update(due=True)


async def settle_batch(runtime: Runtime, *, order_id: int | None = None, limit: int | None = None) -> tuple[int, int]:
    """Settle up to ``limit`` due commissions (of ``order_id`` when given); return
    ``(commissions, amount)``. Runs in its own transaction, or the caller's."""
    limit = limit or runtime.settings("distribution").settle_batch
    now = runtime.now()
    async with in_transaction():
        due = Commission.filter(status=CommissionStatus.PENDING, due=True)
        if order_id is not None:
            due = due.filter(order_id=order_id)
        if not await due.exists():
            return 0, 0
        settlement = await Settlement.create(created_at=now)
        picked = Subquery(due.order_by("id").limit(limit).values("id"))
        count = await Commission.filter(id__in=picked, status=CommissionStatus.PENDING).update(
            status=CommissionStatus.AVAILABLE, due=False, settlement_id=settlement.id, settled_at=now
        )
        sums = await (
            Commission.filter(settlement_id=settlement.id)
            .annotate(earned=Sum("amount"), back=Sum("reversed_amount"))
            .group_by("earner_id")
            .values("earner_id", "earned", "back")
        )
        net = {r["earner_id"]: int(r["earned"] or 0) - int(r["back"] or 0) for r in sums}
        entries = []
        for member_id, amount in sorted(net.items()):
            if amount:
                entries += [(ledger.member_account(member_id, "pending"), -amount),
                            (ledger.member_account(member_id, "available"), amount)]
        total = sum(net.values())
        if entries:
            await ledger.post(f"distribution:settlement:{settlement.id}", "distribution.settlement", entries, at=now,
                              memo=f"{count} commissions settled")
        await Settlement.filter(id=settlement.id).update(count=count, amount=total)
        buyers = await Commission.filter(settlement_id=settlement.id).distinct().values_list("buyer_id", flat=True)
        await grades.upgrade_around(runtime, list(buyers))
    return count, total


async def settle_order(runtime: Runtime, order: Order) -> tuple[int, int]:
    """``after_sales_closed``: settle the order's commissions; grades are evaluated even when
    the order paid none (the buyer's own sales still count)."""
    await mark_due(order.id)
    settled = await settle_batch(runtime, order_id=order.id, limit=10_000)
    if not settled[0]:
        await grades.upgrade_around(runtime, [order.member_id])
    return settled


async def sweep(runtime: Runtime, max_batches: int = 20) -> int:
    """The settlement job: mark commissions of closed orders due, settle due ones in batches."""
    await mark_due()
    settled = 0
    for _ in range(max_batches):
        count, _amount = await settle_batch(runtime)
        settled += count
        if not count:
            break
    return settled


async def reverse_for_refund(runtime: Runtime, order: Order, refund: Refund) -> int:
    """Take back each commission of the refunded lines in proportion to the units refunded
    so far (cumulative, so partial refunds add up to exactly the commission). Pending money
    comes out of ``pending``, settled money out of ``available`` — which may go negative
    when it was already withdrawn; later earnings then repay it first. A commission taken
    back whole becomes ``reversed`` (terminal: never settled), a partly taken back one keeps
    its status and shows its ``reversed_amount``."""
    line_ids = {part["line_id"] for part in refund.lines}
    if not line_ids:
        return 0
    lines = {line.id: line for line in await OrderLine.filter(id__in=list(line_ids))}
    entries: dict[str, int] = defaultdict(int)
    for c in await Commission.filter(order_line_id__in=list(line_ids)):
        line = lines[c.order_line_id]
        target = prorate(c.amount, line.refunded_quantity, line.quantity)
        delta = target - c.reversed_amount
        if delta <= 0:
            continue
        whole = {"status": CommissionStatus.REVERSED, "due": False} if target == c.amount else {}
        changed = await Commission.filter(id=c.id, reversed_amount=c.reversed_amount, status=c.status).update(
            reversed_amount=target, **whole
        )
        if not changed:  # settled or reversed meanwhile: let the refund be retried
            raise Conflict()
        bucket = "available" if c.status == CommissionStatus.AVAILABLE else "pending"
        entries[ledger.member_account(c.earner_id, bucket)] -= delta
        entries[ledger.SALES] += delta
    posting = [(code, amount) for code, amount in sorted(entries.items()) if amount]
    if posting:
        await ledger.post(f"distribution:refund:{refund.id}", "distribution.reversal", posting, at=runtime.now(),
                          memo=f"commissions reversed by a refund of order {order.number}", ref=f"order:{order.id}")
    return entries[ledger.SALES]
