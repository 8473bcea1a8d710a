"""Settlement after the after-sales window, the batch sweep, and refunds before and after it."""

from qunshang.ledger import service as ledger
from qunshang.orders import refunds
from qunshang.orders.models import Order, OrderLine, OrderStatus
from qunshang.plugins.distribution import jobs
from qunshang.plugins.distribution.models import Commission, CommissionStatus, Settlement
from qunshang.plugins.distribution.service import settlement, withdrawals

from .support import buy, chain, close, earned, settings, sku


async def test_closing_the_after_sales_window_makes_commissions_available(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 2)
        assert await ledger.wallet(b.id) == {"pending": 4000, "available": 0}
        await close(client.runtime, order["id"])
        assert await ledger.wallet(b.id) == {"pending": 0, "available": 4000}
        assert await ledger.wallet(a.id) == {"pending": 0, "available": 2000}
        assert set(await Commission.filter(order_id=order["id"]).values_list("status", flat=True)) == {"available"}
        assert await ledger.check() == []
        assert await jobs.settle(client.runtime) == 0  # nothing left for the sweep


async def test_the_sweep_settles_closed_orders_in_set_based_batches(make_app):
    async with make_app(enabled=["distribution"], settings=settings(settle_batch=3)) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        orders = [await buy(client, c, tea.id) for _ in range(4)]
        open_order = await buy(client, c, tea.id)
        # closed by a path that bypassed the hook (e.g. while the plugin was disabled)
        await Order.filter(id__in=[o["id"] for o in orders]).update(status=OrderStatus.CLOSED)
        assert await jobs.settle(client.runtime) == 8
        assert await Settlement.all().count() == 3  # 3 + 3 + 2
        assert await ledger.wallet(b.id) == {"pending": 2000, "available": 8000}
        assert await Commission.filter(order_id=open_order["id"], status=CommissionStatus.PENDING).count() == 2
        assert await ledger.check() == []


async def test_refunds_before_settlement_reverse_pending_commissions_in_proportion(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 3)  # B 6000, A 3000
        line = await OrderLine.get(order_id=order["id"])
        await refunds.refund(client.runtime, order["id"], key="r1", lines=[{"line_id": line.id, "quantity": 1}])
        assert await ledger.wallet(b.id) == {"pending": 4000, "available": 0}
        assert await ledger.wallet(a.id) == {"pending": 2000, "available": 0}
        await refunds.refund(client.runtime, order["id"], key="r2")  # the rest
        assert await ledger.wallet(b.id) == {"pending": 0, "available": 0}
        assert await ledger.wallet(a.id) == {"pending": 0, "available": 0}
        rows = await Commission.filter(order_id=order["id"]).values_list("amount", "reversed_amount")
        assert all(amount == back for amount, back in rows)
        assert await ledger.check() == []


async def test_odd_amounts_reverse_exactly_over_partial_refunds(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=3333)).id, 3)  # B: 20% of 9999 = 1999.8 → 2000
        line = await OrderLine.get(order_id=order["id"])
        seen = []
        for i in range(3):
            await refunds.refund(client.runtime, order["id"], key=f"r{i}", lines=[{"line_id": line.id, "quantity": 1}])
            seen.append((await ledger.wallet(b.id))["pending"])
        assert seen == [1333, 667, 0]


async def test_refund_after_settlement_and_withdrawal_leaves_a_negative_wallet_that_later_earnings_repay(make_app):
    async with make_app(enabled=["distribution"], settings=settings(withdrawal_min=1)) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id, 2)  # B 4000 pending
        await Order.filter(id=order["id"]).update(status=OrderStatus.PAID)
        await settlement.settle_order(client.runtime, await Order.get(id=order["id"]))  # settled early (still refundable)
        w = await withdrawals.request(client.runtime, b.id, 4000)
        await withdrawals.approve(client.runtime, w.id, reviewer_id=a.id)
        assert await withdrawals.balances(b.id) == {"pending": 0, "available": 0, "withdrawn": 4000, "withdrawing": 0}
        line = await OrderLine.get(order_id=order["id"])
        await refunds.refund(client.runtime, order["id"], key="r1", lines=[{"line_id": line.id, "quantity": 1}])
        assert await ledger.wallet(b.id) == {"pending": 0, "available": -2000}
        later = await buy(client, c, tea.id, 3)  # B earns 6000
        await close(client.runtime, later["id"])
        assert await ledger.wallet(b.id) == {"pending": 0, "available": 4000}  # 2000 repaid first
        assert await earned(later["id"]) == {b.id: 6000, a.id: 3000}
        assert await ledger.check() == []
