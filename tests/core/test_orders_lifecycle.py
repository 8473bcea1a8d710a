"""The order state machine and its jobs, with the injected clock."""

import asyncio
from datetime import timedelta

from qunshang import hookimpl, jobs
from qunshang.jobs.models import JobSchedule
from qunshang.catalog.models import Sku
from qunshang.orders import jobs as order_jobs
from qunshang.orders.models import OrderEvent

from .test_orders_support import Recorder, buyer, pay, place, sku, staff, status_of

SHIP = {"carrier": "SF", "tracking_number": "SF1234567890"}


async def _stock(sku_id):
    return (await Sku.get(id=sku_id)).stock


async def _shipped(client, stock=5):
    tea = await sku(stock=stock)
    headers = await buyer()
    order = await place(client, headers, tea.id, 2)
    await pay(client, headers, order["id"])
    operator = await staff("operator")
    r = await client.post(f"/api/orders/{order['id']}/ship", json=SHIP, headers=operator)
    assert r.status_code == 200, r.text
    return headers, order, tea


async def test_the_buyer_cancels_an_unpaid_order_and_stock_returns(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        tea = await sku(stock=5)
        headers = await buyer()
        order = await place(client, headers, tea.id, 2)
        r = await client.post(f"/api/orders/{order['id']}/cancel", headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["cancelled_at"]
        assert await _stock(tea.id) == 5 and (await Sku.get(id=tea.id)).sold == 0
        assert recorder.of("order_cancelled") == [(order["id"], "buyer")]
        again = await client.post(f"/api/orders/{order['id']}/cancel", headers=headers)
        assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_state"
        assert await _stock(tea.id) == 5


async def test_staff_cancel_with_orders_cancel_only(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        tea = await sku(stock=5)
        order = await place(client, await buyer(), tea.id)
        assert (await client.post(f"/api/orders/{order['id']}/cancel", headers=await staff("finance"))).status_code == 404
        r = await client.post(f"/api/orders/{order['id']}/cancel", headers=await staff("operator"))
        assert r.status_code == 200 and recorder.of("order_cancelled") == [(order["id"], "staff")]


async def test_a_paid_order_cannot_be_cancelled(client):
    tea = await sku(stock=5)
    headers = await buyer()
    order = await place(client, headers, tea.id)
    await pay(client, headers, order["id"])
    r = await client.post(f"/api/orders/{order['id']}/cancel", headers=headers)
    assert r.status_code == 409 and await status_of(order["id"]) == "paid"
    assert r.json()["error"]["message"] == "订单当前状态为 paid，无法执行此操作。"


async def test_shipping_needs_payment_and_permission(client):
    tea = await sku(stock=5)
    headers = await buyer()
    order = await place(client, headers, tea.id)
    operator = await staff("operator")
    url = f"/api/orders/{order['id']}/ship"
    assert (await client.post(url, json=SHIP, headers=operator)).status_code == 409
    await pay(client, headers, order["id"])
    assert (await client.post(url, json=SHIP, headers=headers)).status_code == 403
    assert (await client.post(url, json=SHIP | {"tracking_number": "<b>x</b>"}, headers=operator)).status_code == 400
    r = await client.post(url, json=SHIP, headers=operator)
    assert r.status_code == 200 and r.json()["status"] == "shipped" and r.json()["tracking_number"] == "SF1234567890"
    assert (await client.post(url, json=SHIP, headers=operator)).status_code == 409
    assert (await client.post("/api/orders/999/ship", json=SHIP, headers=operator)).status_code == 404


async def test_the_buyer_confirms_receipt_and_the_after_sales_window_starts(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order, _ = await _shipped(client)
        r = await client.post(f"/api/orders/{order['id']}/receive", headers=headers)
        assert r.status_code == 200 and r.json()["status"] == "completed"
        assert r.json()["after_sales_ends_at"] == (clock() + timedelta(days=7)).isoformat().replace("+00:00", "Z")
        assert recorder.of("order_completed") == [order["id"]]
        assert (await client.post(f"/api/orders/{order['id']}/receive", headers=headers)).status_code == 409
        events = [e["status"] for e in r.json()["events"]]
        assert events == ["placed", "paid", "shipped", "completed"]


async def test_unpaid_orders_are_cancelled_after_the_timeout(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder], config={"orders": {"unpaid_timeout_minutes": 15}}) as client:
        tea = await sku(stock=5)
        headers = await buyer()
        old = await place(client, headers, tea.id, 2)
        clock.advance(minutes=10)
        young = await place(client, headers, tea.id, 1)
        paid = await place(client, headers, tea.id, 1)
        await pay(client, headers, paid["id"])
        clock.advance(minutes=5)
        all_jobs = jobs.all_jobs(client.runtime)
        assert {"orders.cancel_unpaid", "orders.auto_complete", "orders.close_after_sales"} <= set(all_jobs)
        assert "orders.cancel_unpaid" in await jobs.run_due(client.runtime, all_jobs, "test")
        assert [await status_of(o["id"]) for o in (old, young, paid)] == ["cancelled", "placed", "paid"]
        assert await _stock(tea.id) == 3
        assert recorder.of("order_cancelled") == [(old["id"], "timeout")]
        clock.advance(minutes=11)
        assert await order_jobs.cancel_unpaid(client.runtime) == 1
        assert await status_of(young["id"]) == "cancelled" and await _stock(tea.id) == 4
        assert await order_jobs.cancel_unpaid(client.runtime) == 0


async def test_two_workers_cancel_each_order_once(client, clock):
    tea = await sku(stock=20)
    headers = await buyer()
    orders = [await place(client, headers, tea.id, 2) for _ in range(5)]
    clock.advance(minutes=31)
    moved = await asyncio.gather(order_jobs.cancel_unpaid(client.runtime), order_jobs.cancel_unpaid(client.runtime))
    assert sum(moved) == 5
    assert await _stock(tea.id) == 20
    assert await OrderEvent.filter(status="cancelled").count() == len(orders)


async def test_shipped_orders_complete_automatically(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        _, order, _ = await _shipped(client)
        clock.advance(days=9, hours=23)
        assert await order_jobs.auto_complete(client.runtime) == 0
        clock.advance(hours=1)
        assert await order_jobs.auto_complete(client.runtime) == 1
        assert await status_of(order["id"]) == "completed" and recorder.of("order_completed") == [order["id"]]
        event = await OrderEvent.get(order_id=order["id"], status="completed")
        assert event.note == "auto" and event.actor_id is None


async def test_the_after_sales_window_closes_once(make_app, clock):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        headers, order, _ = await _shipped(client)
        await client.post(f"/api/orders/{order['id']}/receive", headers=headers)
        clock.advance(days=6)
        assert await order_jobs.close_after_sales(client.runtime) == 0
        clock.advance(days=1)
        all_jobs = jobs.all_jobs(client.runtime)
        await jobs.run_due(client.runtime, all_jobs, "test")
        await jobs.run_due(client.runtime, all_jobs, "test")
        clock.advance(minutes=2)
        await jobs.run_due(client.runtime, all_jobs, "test")
        assert await status_of(order["id"]) == "closed"
        assert recorder.of("after_sales_closed") == [order["id"]]


class FailingClose:
    @hookimpl
    def after_sales_closed(self, order):
        raise RuntimeError("settlement down")


async def test_a_failing_close_is_retried_later(make_app, clock):
    async with make_app(extra_plugins=[FailingClose()]) as client:
        headers, order, _ = await _shipped(client)
        await client.post(f"/api/orders/{order['id']}/receive", headers=headers)
        clock.advance(days=8)
        await jobs.run_due(client.runtime, jobs.all_jobs(client.runtime), "test")
        assert await status_of(order["id"]) == "completed"
        row = await JobSchedule.get(name="orders.close_after_sales")
        assert "1 orders failed" in row.last_error
