"""Live flash sales: reservation from the SKU, the live price only through the room while the
sale is open, per-member limits, return of unsold units; bursts on SQLite and PostgreSQL."""

import asyncio
from datetime import timedelta

from qunshang.catalog.models import Product, Sku
from qunshang.orders.models import Order
from qunshang.plugins.livestream.models import LiveSale
from qunshang.plugins.livestream.service import sales

from .support import ADDRESS, API, buy_body, host, product, pushed_sale, viewer


async def test_opening_reserves_the_cap_from_the_sku_and_closing_returns_the_unsold(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=10)
        assert (await Sku.get(id=sku.id)).stock == 40 and (await Product.get(id=sku.product_id)).stock == 40
        _, buyer = await viewer()
        bought = await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id, 2), headers=buyer)
        assert bought.status_code == 201, bought.text
        assert bought.json()["total"] - bought.json()["shipping_fee"] == 1200  # 2 × the live price 600
        assert (await Sku.get(id=sku.id)).stock == 40, "live units come from the reserve, not the SKU"
        closed = await client.post(f"{API}/sessions/{session_id}/sales/{sale['id']}/close", headers=headers)
        assert closed.json() == {"returned": 8}
        assert (await Sku.get(id=sku.id)).stock == 48 and (await Product.get(id=sku.product_id)).stock == 48
        again = await client.post(f"{API}/sessions/{session_id}/sales/{sale['id']}/close", headers=headers)
        assert again.status_code == 409


async def test_open_sale_validation(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=5)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=3)
        url = f"{API}/sessions/{session_id}/sales"
        ends = (clock() + timedelta(minutes=10)).isoformat()
        base = {"sku_id": sku.id, "live_price": 500, "cap": 1, "per_member_limit": 1, "ends_at": ends}
        twice = await client.post(url, json=base, headers=headers)
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "live_sale_open"
        await client.post(f"{API}/sessions/{session_id}/sales/{sale['id']}/close", headers=headers)
        too_many = await client.post(url, json={**base, "cap": 6}, headers=headers)
        assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "live_sale_stock"
        dearer = await client.post(url, json={**base, "live_price": 1000}, headers=headers)
        assert dearer.status_code == 400
        negative = await client.post(url, json={**base, "cap": -1}, headers=headers)
        assert negative.status_code == 400
        past = await client.post(url, json={**base, "ends_at": (clock() - timedelta(minutes=1)).isoformat()}, headers=headers)
        assert past.status_code == 400
        other = await product("Cup", code="C-1")
        unpushed = await client.post(url, json={**base, "sku_id": other.id}, headers=headers)
        assert unpushed.status_code == 409 and unpushed.json()["error"]["code"] == "live_product_not_pushed"
        assert (await Sku.get(id=sku.id)).stock == 5, "nothing refused reserved anything"


async def test_no_live_price_outside_the_room_nor_after_the_close(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=10, minutes=30)
        _, buyer = await viewer()
        forged = await client.post("/api/orders", headers=buyer, json={
            "lines": [{"sku_id": sku.id, "quantity": 1}], "address": ADDRESS,
            "context": {"channel": "livestream", "live_sale": str(sale["id"]), "live_session": str(session_id)}})
        assert forged.status_code == 400 and forged.json()["error"]["code"] == "live_order_outside_room"
        listing = (await client.get("/api/products", headers=buyer)).json()
        assert all(item["final_price"] == item["price"] for item in listing["items"]), listing
        clock.advance(minutes=31)  # the sale's time is up, before the expiry job ran
        late = await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)
        assert late.status_code == 409 and late.json()["error"]["code"] == "live_sale_closed"
        assert await sales.close_expired(client.runtime) == 1
        assert (await Sku.get(id=sku.id)).stock == 50
        ordinary = await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)
        assert ordinary.status_code == 201
        assert ordinary.json()["total"] - ordinary.json()["shipping_fee"] == 1000, "the list price once closed"
        assert ordinary.json()["discount"] == 0


async def test_per_member_limit_and_idempotent_replay(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku, cap=10, limit=2)
        _, buyer = await viewer()
        url = f"{API}/sessions/{session_id}/orders"
        over = await client.post(url, json=buy_body(sku.id, 3), headers=buyer)
        assert over.status_code == 409 and over.json()["error"]["code"] == "live_sale_limit"
        first = await client.post(url, json=buy_body(sku.id), headers={**buyer, "Idempotency-Key": "k1"})
        replay = await client.post(url, json=buy_body(sku.id), headers={**buyer, "Idempotency-Key": "k1"})
        assert first.status_code == 201 and replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
        assert (await LiveSale.get(session_id=session_id)).remaining == 9, "a replay reserves nothing"
        assert (await client.post(url, json=buy_body(sku.id), headers=buyer)).status_code == 201
        third = await client.post(url, json=buy_body(sku.id), headers=buyer)
        assert third.status_code == 409 and third.json()["error"]["code"] == "live_sale_limit"
        retry = await client.post(url, json=buy_body(sku.id), headers={**buyer, "Idempotency-Key": "k1"})
        assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"], "a retry past the limit"
        other = await client.post(url, json=buy_body(sku.id, 2), headers={**buyer, "Idempotency-Key": "k1"})
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


async def test_a_burst_sells_exactly_the_cap_and_holds_member_limits(make_app, clock):
    """60 buyers, each trying twice (2 units allowed each, 1 per try) and once with 2 units,
    race for 25 reserved units: exactly 25 sold at the live price, nobody above 2."""
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=40)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=25, limit=2)
        buyers = [(await viewer(f"b{i}@example.com"))[1] for i in range(60)]
        url = f"{API}/sessions/{session_id}/orders"
        attempts = [client.post(url, json=buy_body(sku.id, q), headers=h) for h in buyers for q in (1, 1, 2)]
        results = await asyncio.gather(*attempts)
        codes = {r.status_code for r in results}
        assert codes <= {201, 409}, [r.text for r in results if r.status_code not in (201, 409)]
        orders = await Order.all().prefetch_related("lines")
        sold = sum(line.quantity for o in orders for line in o.lines)
        assert sold == 25
        assert all(line.unit_price * line.quantity - line.discount == 600 * line.quantity for o in orders for line in o.lines)
        per_member: dict[int, int] = {}
        for o in orders:
            per_member[o.member_id] = per_member.get(o.member_id, 0) + sum(line.quantity for line in o.lines)
        assert max(per_member.values()) <= 2
        assert (await LiveSale.get(id=sale["id"])).remaining == 0
        assert (await Sku.get(id=sku.id)).stock == 15, "the SKU kept its other 15 units"
        closed = await client.post(f"{API}/sessions/{session_id}/sales/{sale['id']}/close", headers=headers)
        assert closed.json() == {"returned": 0}


async def test_a_burst_racing_the_close_sells_nothing_live_after_it(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=100)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=80, limit=1)
        buyers = [(await viewer(f"c{i}@example.com"))[1] for i in range(40)]
        url = f"{API}/sessions/{session_id}/orders"
        close = client.post(f"{API}/sessions/{session_id}/sales/{sale['id']}/close", headers=headers)
        results = await asyncio.gather(*[client.post(url, json=buy_body(sku.id), headers=h) for h in buyers[:20]], close,
                                       *[client.post(url, json=buy_body(sku.id), headers=h) for h in buyers[20:]])
        assert all(r.status_code in (200, 201, 409) for r in results), [r.text for r in results]
        live = await Order.filter(discount__gt=0).count()
        closed = await LiveSale.get(id=sale["id"])
        assert closed.status == "closed" and live == closed.cap - closed.returned
        assert (await Sku.get(id=sku.id)).stock == 100 - await Order.all().count()


async def test_ending_the_session_closes_its_sales_and_returns_their_stock(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=30)
        session_id, sale = await pushed_sale(client, clock, headers, sku, cap=12)
        _, buyer = await viewer()
        assert (await client.post(f"{API}/sessions/{session_id}/orders", json=buy_body(sku.id), headers=buyer)).status_code == 201
        ended = await client.post(f"{API}/sessions/{session_id}/state", json={"action": "end"}, headers=headers)
        assert ended.json()["status"] == "ended"
        closed = await LiveSale.get(id=sale["id"])
        assert (closed.status, closed.returned) == ("closed", 11)
        assert (await Sku.get(id=sku.id)).stock == 29
