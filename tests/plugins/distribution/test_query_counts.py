"""Statement counts that must not grow: commissions of an order whatever the chain above the
buyer, and the list pages whatever the number of rows (no query per row)."""

from qunshang.orders.models import Order
from qunshang.plugins.distribution.models import Commission
from qunshang.plugins.distribution.service import commissions
from qunshang.testing import bearer
from tests.core.console.conftest import sign_in, staff
from tests.core.test_orders_support import place

from .site import log_in, pay, world
from .support import QueryCounter, distributor, settings, sku


async def _commission_cost(client, buyer, tea) -> int:
    placed = await place(client, await bearer(buyer), tea.id)
    order = await Order.get(id=placed["id"])
    with QueryCounter() as q:
        made = await commissions.create_for_order(client.runtime, order)
    assert [c.level for c in made] == [1, 2]
    return q.count


async def test_commissions_of_an_order_cost_the_same_whatever_the_chain_above(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        tea = await sku()
        short = await distributor(client.runtime, "s0")
        for i in range(1, 3):
            short = await distributor(client.runtime, f"s{i}", short)
        long = await distributor(client.runtime, "l0")
        for i in range(1, 15):
            long = await distributor(client.runtime, f"l{i}", long)
        for buyer in (short, long):  # the earners' ledger accounts are created by their first order
            await _commission_cost(client, buyer, tea)
        assert await _commission_cost(client, short, tea) == await _commission_cost(client, long, tea)


async def _page_cost(client, path: str) -> int:
    with QueryCounter() as q:
        r = await client.get(path)
    assert r.status_code == 200, r.text
    return q.count


async def test_list_pages_cost_the_same_for_one_row_and_many(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        tea = (await w.product.skus.all())[0]
        await log_in(client, "13900000002")
        few = {p: await _page_cost(client, p) for p in ("/distribution/earnings", "/distribution/team")}
        for _ in range(5):
            await pay(client.runtime, w.c, tea)
        assert await Commission.filter(earner_id=w.b.id).count() == 6
        assert {p: await _page_cost(client, p) for p in few} == few
        await staff("finance@example.com", roles=["finance"])
        assert (await sign_in(client, "finance@example.com")).status_code == 303
        console = ("/console/distribution/commissions", "/console/distribution/withdrawals")
        many = {p: await _page_cost(client, p) for p in console}
        await Commission.filter(order_id__not=w.order.id).delete()
        assert {p: await _page_cost(client, p) for p in console} == many
