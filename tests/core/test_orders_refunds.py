"""Refunds: exact prorated amounts, shipping with the last item, idempotency, limits."""

import asyncio

import pytest

from qunshang.catalog.models import Sku
from qunshang.errors import InvalidInput
from qunshang.ledger import service as ledger
from qunshang.ledger.models import Posting
from qunshang.orders import jobs as order_jobs
from qunshang.orders import refunds
from qunshang.orders.models import Order, OrderLine, Refund

from .test_orders_support import Discount, Recorder, buyer, pay, place, sku, staff, status_of


async def _paid(client, quantity=3, price=400, stock=10):
    """3 × 400 with 200 off the line: 1000 paid for the goods, plus 1000 shipping."""
    tea = await sku(price=price, stock=stock)
    headers = await buyer()
    order = await place(client, headers, tea.id, quantity)
    await pay(client, headers, order["id"])
    return order, tea


async def _refund(client, order_id, body, key, headers):
    return await client.post(f"/api/orders/{order_id}/refunds", json=body, headers=headers | {"Idempotency-Key": key})


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
async def shop(make_app, recorder):
    async with make_app(extra_plugins=[Discount(200), recorder]) as client:
        yield client


async def test_unit_by_unit_refunds_add_up_to_exactly_what_was_paid(shop, recorder):
    order, _ = await _paid(shop)
    assert (order["lines"][0]["total"], order["shipping_fee"], order["total"]) == (1000, 1000, 2000)
    line_id = order["lines"][0]["id"]
    finance = await staff("finance")
    amounts = []
    for i in range(3):
        r = await _refund(shop, order["id"], {"lines": [{"line_id": line_id, "quantity": 1}]}, f"r{i}", finance)
        assert r.status_code == 201, r.text
        amounts.append((r.json()["amount"], r.json()["shipping_amount"]))
    assert amounts == [(333, 0), (334, 0), (1333, 1000)]
    assert sum(a for a, _ in amounts) == order["total"]
    assert await status_of(order["id"]) == "refunded"
    line = await OrderLine.get(id=line_id)
    assert (line.refunded_quantity, line.refunded_amount) == (3, 1000)
    assert (await Order.get(id=order["id"])).refunded_amount == 2000
    assert await ledger.balance("platform:sales") == 0 and await ledger.balance("platform:cash:sandbox") == 0
    assert await ledger.check() == []
    assert [amount for _, amount in recorder.of("order_refunded")] == [333, 334, 1333]
    over = await _refund(shop, order["id"], {"lines": [{"line_id": line_id, "quantity": 1}]}, "r9", finance)
    assert over.status_code == 409 and over.json()["error"]["code"] == "invalid_state"


async def test_a_full_refund_returns_everything_and_may_restock(shop):
    order, tea = await _paid(shop)
    r = await _refund(shop, order["id"], {"restock": True, "reason": "破损"}, "all", await staff("operator"))
    assert r.status_code == 201, r.text
    assert (r.json()["amount"], r.json()["shipping_amount"], r.json()["restock"]) == (2000, 1000, True)
    assert r.json()["lines"] == [{"line_id": order["lines"][0]["id"], "quantity": 3, "amount": 1000}]
    assert await status_of(order["id"]) == "refunded"
    sku_row = await Sku.get(id=tea.id)
    assert (sku_row.stock, sku_row.sold) == (10, 0)
    reversal = await Posting.get(key=f"refund:{r.json()['id']}")
    assert reversal.kind == "reversal" and reversal.ref == f"order:{order['id']}"


async def test_a_full_refund_after_a_partial_one_returns_the_rest(shop):
    order, tea = await _paid(shop)
    finance = await staff("finance")
    line_id = order["lines"][0]["id"]
    partial = await _refund(shop, order["id"], {"lines": [{"line_id": line_id, "quantity": 2}]}, "a", finance)
    assert partial.json()["amount"] == 667 and await status_of(order["id"]) == "paid"
    rest = await _refund(shop, order["id"], {}, "b", finance)
    assert rest.json()["amount"] == 1333 and await status_of(order["id"]) == "refunded"
    assert (await Sku.get(id=tea.id)).stock == 7  # no restock asked


async def test_over_refunds_are_refused_with_nothing_written(shop):
    order, _ = await _paid(shop)
    finance = await staff("finance")
    line_id = order["lines"][0]["id"]
    r = await _refund(shop, order["id"], {"lines": [{"line_id": line_id, "quantity": 4}]}, "x", finance)
    assert r.status_code == 409 and r.json()["error"]["code"] == "over_refund"
    r = await _refund(shop, order["id"], {"lines": [{"line_id": line_id, "quantity": 2}, {"line_id": line_id, "quantity": 2}]}, "y", finance)
    assert r.status_code == 409
    assert await Refund.all().count() == 0 and (await Order.get(id=order["id"])).refunded_amount == 0


@pytest.mark.parametrize("lines", [[{"line_id": 1, "quantity": 0}], [{"line_id": 1, "quantity": "1"}],
                                   [{"line_id": 1, "quantity": 1.0}], [{"line_id": 1, "quantity": -1}], []])
async def test_bad_refund_lines_are_invalid_input(shop, lines):
    order, _ = await _paid(shop)
    r = await _refund(shop, order["id"], {"lines": lines}, "k", await staff("finance"))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


async def test_a_line_of_another_order_is_not_found(shop):
    first, _ = await _paid(shop)
    second = await place(shop, await buyer("b@x.cn"), first["lines"][0]["sku_id"])
    body = {"lines": [{"line_id": second["lines"][0]["id"], "quantity": 1}]}
    r = await _refund(shop, first["id"], body, "k", await staff("finance"))
    assert r.status_code == 404


async def test_a_retried_refund_refunds_once(shop, recorder):
    order, _ = await _paid(shop)
    finance = await staff("finance")
    body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]}
    first = await _refund(shop, order["id"], body, "retry-me", finance)
    again = await _refund(shop, order["id"], body, "retry-me", finance)
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    other = await _refund(shop, order["id"], {}, "retry-me", finance)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert await Refund.all().count() == 1 and len(recorder.of("order_refunded")) == 1
    assert await Posting.filter(kind="reversal").count() == 1


async def test_concurrent_retries_refund_once(shop):
    order, _ = await _paid(shop)
    finance = await staff("finance")
    body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]}
    responses = await asyncio.gather(*[_refund(shop, order["id"], body, "same", finance) for _ in range(5)])
    assert sorted(r.status_code for r in responses) == [200] * 4 + [201]
    assert await Refund.all().count() == 1 and (await Order.get(id=order["id"])).refunded_amount == 333


async def test_concurrent_different_refunds_never_exceed_the_line(shop):
    order, _ = await _paid(shop)
    finance = await staff("finance")
    body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 2}]}
    responses = await asyncio.gather(*[_refund(shop, order["id"], body, f"k{i}", finance) for i in range(4)])
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409]
    line = await OrderLine.get(id=order["lines"][0]["id"])
    assert line.refunded_quantity == 2 and await ledger.check() == []


async def test_concurrent_refunds_that_fit_all_succeed(shop):
    order, _ = await _paid(shop)
    finance = await staff("finance")
    body = {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]}
    responses = await asyncio.gather(*[_refund(shop, order["id"], body, f"unit-{i}", finance) for i in range(3)])
    assert [r.status_code for r in responses] == [201] * 3
    assert sorted(r.json()["amount"] for r in responses) == [333, 334, 1333]
    assert await status_of(order["id"]) == "refunded" and await ledger.check() == []


async def test_a_refund_needs_a_key_permission_and_a_paid_order(shop):
    order, _ = await _paid(shop)
    url = f"/api/orders/{order['id']}/refunds"
    finance = await staff("finance")
    r = await shop.post(url, json={}, headers=finance)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
    assert (await _refund(shop, order["id"], {}, "k", await buyer("someone@x.cn"))).status_code == 403
    unpaid = await place(shop, await buyer("c@x.cn"), order["lines"][0]["sku_id"])
    r = await _refund(shop, unpaid["id"], {}, "k", finance)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"
    assert (await _refund(shop, 999, {}, "k", finance)).status_code == 404


async def test_no_refund_once_the_after_sales_window_closed(shop, clock):
    order, _ = await _paid(shop)
    operator = await staff("operator")
    await shop.post(f"/api/orders/{order['id']}/ship", json={"carrier": "SF", "tracking_number": "1"}, headers=operator)
    clock.advance(days=10)
    await order_jobs.auto_complete(shop.runtime)
    r = await _refund(shop, order["id"], {"lines": [{"line_id": order["lines"][0]["id"], "quantity": 1}]}, "in-window", operator)
    assert r.status_code == 201
    clock.advance(days=7)
    await order_jobs.close_after_sales(shop.runtime)
    r = await _refund(shop, order["id"], {}, "too-late", operator)
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_state"


async def test_the_service_refuses_a_missing_key(shop):
    order, _ = await _paid(shop)
    with pytest.raises(InvalidInput):
        await refunds.refund(shop.runtime, order["id"], key=None)
