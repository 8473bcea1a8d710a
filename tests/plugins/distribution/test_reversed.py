"""Commissions a refund takes back whole end ``reversed`` (never settled); partly taken back
ones keep their status and show the reversed amount — on the earner's page, the console list
and the CSV, in both languages."""

import csv
import io

import pytest

from qunshang.ledger import service as ledger
from qunshang.orders import refunds
from qunshang.orders.models import Order, OrderLine, OrderStatus
from qunshang.plugins.distribution import jobs
from qunshang.plugins.distribution.models import Commission, CommissionStatus
from qunshang.plugins.distribution.service import settlement
from tests.core.console.conftest import sign_in, staff

from .site import log_in, world
from .support import buy, chain, settings, sku


async def _statuses(order_id: int) -> list[tuple[int, str, int]]:
    rows = await Commission.filter(order_id=order_id).order_by("level").values_list("level", "status", "reversed_amount")
    return [(level, str(status), back) for level, status, back in rows]


async def test_a_full_refund_before_settlement_reverses_the_commissions_for_good(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 2)  # B 4000, A 2000
        line = await OrderLine.get(order_id=order["id"])
        await refunds.refund(client.runtime, order["id"], key="r1", lines=[{"line_id": line.id, "quantity": 1}])
        assert await _statuses(order["id"]) == [(1, "pending", 2000), (2, "pending", 1000)]
        await refunds.refund(client.runtime, order["id"], key="r2")
        assert await _statuses(order["id"]) == [(1, "reversed", 4000), (2, "reversed", 2000)]
        # even marked due by a stray path, settlement never settles a reversed commission
        await Commission.filter(order_id=order["id"]).update(due=True)
        await Order.filter(id=order["id"]).update(status=OrderStatus.CLOSED)
        assert await jobs.settle(client.runtime) == 0
        assert await settlement.settle_batch(client.runtime, order_id=order["id"]) == (0, 0)
        assert {s for _, s, _ in await _statuses(order["id"])} == {"reversed"}
        assert await ledger.wallet(b.id) == {"pending": 0, "available": 0}
        assert await ledger.check() == []


async def test_a_full_refund_after_settlement_reverses_available_commissions(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 2)
        await Order.filter(id=order["id"]).update(status=OrderStatus.PAID)
        await settlement.settle_order(client.runtime, await Order.get(id=order["id"]))
        await refunds.refund(client.runtime, order["id"], key="r1")
        assert await _statuses(order["id"]) == [(1, "reversed", 4000), (2, "reversed", 2000)]
        assert await ledger.wallet(b.id) == {"pending": 0, "available": 0}
        assert await Commission.filter(status=CommissionStatus.REVERSED).count() == 2
        assert await ledger.check() == []


@pytest.mark.parametrize(("lang", "label"), [("en", "Reversed by a refund"), ("zh-CN", "已因退款冲回")])
async def test_reversed_commissions_are_labelled_for_earners_and_operators(make_app, lang, label):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        await refunds.refund(client.runtime, w.order.id, key="r1")
        mine = await Commission.get(order_id=w.order.id, earner_id=w.b.id)
        assert mine.status == CommissionStatus.REVERSED
        headers = {"Accept-Language": lang}
        await log_in(client, "13900000002")
        earnings = (await client.get("/distribution/earnings", headers=headers)).text
        assert f'<span class="tag">{label}</span>' in earnings
        detail = (await client.get(f"/distribution/earnings/{mine.id}", headers=headers)).text
        assert {"en": "Taken back entirely by a refund", "zh-CN": "已因退款全额冲回"}[lang] in detail
        await client.post("/logout", headers=await client.form_headers())
        await staff("finance@example.com", roles=["finance"])
        assert (await sign_in(client, "finance@example.com")).status_code == 303
        listing = (await client.get("/console/distribution/commissions?status=reversed", headers=headers)).text
        assert listing.count("<tr><td>") == 2 and f'<span class="tag reversed">{label}</span>' in listing
        assert f'<option value="reversed" selected>{label}</option>' in listing
        r = await client.get("/console/distribution/commissions.csv?status=reversed")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        status, back, amount = (rows[0].index(k) for k in ("status", "reversed_amount", "amount"))
        assert sorted((row[status], row[back], row[amount]) for row in rows[1:]) == [
            ("reversed", "1000", "1000"), ("reversed", "2000", "2000")]
