"""Placing and reading orders through the API: pricing, validation, idempotency, concurrency."""

import asyncio
import logging

import pytest

from qunshang import Conflict, hookimpl
from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus, Sku
from qunshang.orders.models import Order, OrderEvent, OrderLine

from .test_orders_support import ADDRESS, Discount, Recorder, buyer, order_body, place, sku, staff


async def _stock(sku_id: int) -> tuple[int, int]:
    s = await Sku.get(id=sku_id)
    return s.stock, s.sold


async def test_an_order_is_priced_by_the_server_and_takes_stock(client):
    tea = await sku(price=1250, stock=5)
    headers = await buyer()
    order = await place(client, headers, tea.id, 2, note="请周末送")
    assert order["status"] == "placed"
    assert (order["subtotal"], order["discount"], order["shipping_fee"], order["total"]) == (2500, 0, 1000, 3500)
    assert order["lines"][0] | {"id": 0} == {
        "id": 0, "sku_id": tea.id, "product_id": tea.product_id, "title": "龙井 Tea", "sku_name": "", "unit_price": 1250,
        "quantity": 2, "discount": 0, "total": 2500, "adjustments": [], "refunded_quantity": 0, "refunded_amount": 0,
    }
    assert order["address"] == ADDRESS | {"postal_code": ""} and order["note"] == "请周末送"
    assert [e["status"] for e in order["events"]] == ["placed"]
    assert await _stock(tea.id) == (3, 2)
    assert order["number"].startswith("20260105") and len(order["number"]) == 18


async def test_shipping_is_free_from_the_threshold_on_what_is_paid(make_app):
    async with make_app(config={"orders": {"shipping_fee": 800, "free_shipping_over": 5000}},
                        extra_plugins=[Discount(200)]) as client:
        tea = await sku(price=2550, stock=5)
        headers = await buyer()
        below = await place(client, headers, tea.id, 2)  # 5100 list, 4900 paid: below 5000
        assert (below["subtotal"], below["discount"], below["shipping_fee"], below["total"]) == (5100, 200, 800, 5700)
        assert below["lines"][0]["adjustments"] == [{"amount": -200, "label": "test", "source": "test", "code": ""}]
        assert (await place(client, headers, tea.id, 3))["shipping_fee"] == 0


async def test_a_tampered_client_price_is_ignored(client):
    tea = await sku(price=9900, stock=5)
    body = {"lines": [{"sku_id": tea.id, "quantity": 1, "price": 1, "unit_price": 1, "total": 1}], "address": ADDRESS}
    r = await client.post("/api/orders", json=body, headers=await buyer())
    assert r.status_code == 201, r.text
    assert r.json()["total"] == 9900 and r.json()["lines"][0]["unit_price"] == 9900


async def test_member_prices_apply_to_orders(make_app):
    async with make_app(enabled=["member_price"]) as client:
        tea = await sku(price=20000, stock=5)
        order = await place(client, await buyer(level="loyal_fan"), tea.id, 1)
        assert (order["discount"], order["shipping_fee"], order["total"]) == (2000, 0, 18000)


@pytest.mark.parametrize("quantity", [0, -1, 10**12, 1e12, 1.5, 2.0, "2", True, None, [1], 1000])
async def test_bad_quantities_are_refused_and_nothing_is_written(client, quantity):
    tea = await sku(stock=5)
    body = {"lines": [{"sku_id": tea.id, "quantity": quantity}], "address": ADDRESS}
    r = await client.post("/api/orders", json=body, headers=await buyer())
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_input"
    assert await _stock(tea.id) == (5, 0)
    assert await Order.all().count() == 0


@pytest.mark.parametrize("sku_id", [-1, 0, 2**31, 1.0, "1"])
async def test_bad_sku_ids_are_refused(client, sku_id):
    await sku()
    r = await client.post("/api/orders", json=order_body((sku_id, 1)), headers=await buyer())
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


async def test_unknown_inactive_or_unpublished_items_are_not_sold(client):
    headers = await buyer()
    draft = await sku(code="D-1", status=ProductStatus.DRAFT)
    inactive = await sku(code="I-1")
    await catalog.update_sku(inactive.id, active=False)
    for sku_id in (999, draft.id, inactive.id):
        r = await client.post("/api/orders", json=order_body((sku_id, 1)), headers=headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "item_unavailable", r.text
    assert await Order.all().count() == 0


async def test_one_short_line_rolls_the_whole_order_back(client):
    plenty = await sku("Plenty", stock=10, code="P-1")
    scarce = await sku("Scarce", stock=1, code="S-1")
    r = await client.post("/api/orders", json=order_body((plenty.id, 3), (scarce.id, 2)), headers=await buyer())
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "out_of_stock", "message": "Scarce 库存不足。"}
    assert await _stock(plenty.id) == (10, 0) and await _stock(scarce.id) == (1, 0)
    assert await Order.all().count() == 0 and await OrderLine.all().count() == 0


async def test_duplicate_skus_are_merged_and_limits_apply(make_app):
    async with make_app(config={"orders": {"max_quantity": 5, "max_lines": 2}}) as client:
        a, b, c = [await sku(code=f"C-{i}", stock=20) for i in range(3)]
        headers = await buyer()
        r = await client.post("/api/orders", json=order_body((a.id, 2), (a.id, 3)), headers=headers)
        assert r.status_code == 201 and [(x["sku_id"], x["quantity"]) for x in r.json()["lines"]] == [(a.id, 5)]
        too_many = await client.post("/api/orders", json=order_body((a.id, 3), (a.id, 3)), headers=headers)
        assert too_many.status_code == 400
        three_lines = await client.post("/api/orders", json=order_body((a.id, 1), (b.id, 1), (c.id, 1)), headers=headers)
        assert three_lines.status_code == 400
        assert await Order.all().count() == 1


@pytest.mark.parametrize("change", [
    {"phone": "call me"}, {"name": "   "}, {"detail": "x" * 201}, {"region": ""}, {"email": "a@b.c"},
])
async def test_addresses_are_validated(client, change):
    tea = await sku()
    body = order_body((tea.id, 1)) | {"address": ADDRESS | change}
    r = await client.post("/api/orders", json=body, headers=await buyer())
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


async def test_unknown_top_level_fields_and_anonymous_callers_are_refused(client):
    tea = await sku()
    r = await client.post("/api/orders", json=order_body((tea.id, 1), total=1), headers=await buyer())
    assert r.status_code == 400
    r = await client.post("/api/orders", json=order_body((tea.id, 1)), headers=await client.form_headers())
    assert r.status_code == 401


async def test_script_in_user_content_is_kept_as_data(client):
    tea = await sku()
    note = "<script>alert(1)</script>"
    order = await place(client, await buyer(), tea.id, 1, note=note)
    assert order["note"] == note  # stored verbatim; templates escape it


async def test_idempotency_key_replays_the_same_order(client):
    tea = await sku(stock=5)
    headers = await buyer() | {"Idempotency-Key": "order-1"}
    first = await client.post("/api/orders", json=order_body((tea.id, 2)), headers=headers)
    again = await client.post("/api/orders", json=order_body((tea.id, 2)), headers=headers)
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert await Order.all().count() == 1 and await _stock(tea.id) == (3, 2)
    other = await client.post("/api/orders", json=order_body((tea.id, 1)), headers=headers)
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert await Order.all().count() == 1


async def test_idempotency_keys_belong_to_one_member(client):
    tea = await sku(stock=5)
    body = order_body((tea.id, 1))
    mine = await client.post("/api/orders", json=body, headers=await buyer("a@x.cn") | {"Idempotency-Key": "k"})
    theirs = await client.post("/api/orders", json=body, headers=await buyer("b@x.cn") | {"Idempotency-Key": "k"})
    assert mine.status_code == theirs.status_code == 201 and mine.json()["id"] != theirs.json()["id"]


@pytest.mark.parametrize("key", ["x" * 65, "has space", "键"])
async def test_malformed_idempotency_keys_are_refused(client, key):
    tea = await sku()
    headers = await buyer() | {"Idempotency-Key": key.encode()}
    r = await client.post("/api/orders", json=order_body((tea.id, 1)), headers=headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
    assert await Order.all().count() == 0


async def test_concurrent_requests_with_one_key_place_one_order(client):
    tea = await sku(stock=3)
    headers = await buyer() | {"Idempotency-Key": "double-tap"}
    responses = await asyncio.gather(*[client.post("/api/orders", json=order_body((tea.id, 1)), headers=headers) for _ in range(8)])
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await Order.all().count() == 1 and await _stock(tea.id) == (2, 1)


async def test_fifty_buyers_race_for_the_last_ten_units(client):
    tea = await sku(stock=10)
    buyers = [await buyer(f"fan{i}@example.com") for i in range(50)]
    responses = await asyncio.gather(*[client.post("/api/orders", json=order_body((tea.id, 1)), headers=h) for h in buyers])
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] * 10 + [409] * 40, codes
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"out_of_stock"}
    assert await _stock(tea.id) == (0, 10)
    assert await Order.all().count() == 10
    assert (await tea.product).stock == 0


async def test_members_see_only_their_own_orders(client):
    tea = await sku(stock=5)
    mine, theirs = await buyer("me@x.cn"), await buyer("them@x.cn")
    order = await place(client, mine, tea.id)
    assert (await client.get(f"/api/orders/{order['id']}", headers=mine)).status_code == 200
    for method, path in [("get", ""), ("post", "/cancel"), ("post", "/receive")]:
        r = await getattr(client, method)(f"/api/orders/{order['id']}{path}", headers=theirs)
        assert r.status_code == 404, (path, r.text)
    r = await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=theirs)
    assert r.status_code == 404
    assert (await client.get("/api/orders", headers=theirs)).json()["items"] == []


async def test_listing_own_orders_filters_and_pages(client):
    tea = await sku(stock=10)
    headers = await buyer()
    ids = [(await place(client, headers, tea.id))["id"] for _ in range(3)]
    await client.post(f"/api/orders/{ids[0]}/cancel", headers=headers)
    page = (await client.get("/api/orders?limit=2", headers=headers)).json()
    assert [o["id"] for o in page["items"]] == ids[:0:-1] and page["has_more"] is True
    cancelled = (await client.get("/api/orders?status=cancelled", headers=headers)).json()["items"]
    assert [o["id"] for o in cancelled] == [ids[0]]
    assert (await client.get("/api/orders?status=bogus", headers=headers)).status_code == 400


async def test_staff_list_all_orders_with_orders_view(client):
    tea = await sku(stock=10)
    order = await place(client, await buyer(), tea.id)
    assert (await client.get("/api/staff/orders", headers=await buyer("other@x.cn"))).status_code == 403
    r = await client.get(f"/api/staff/orders?number={order['number']}", headers=await staff("finance"))
    assert r.status_code == 200 and [o["id"] for o in r.json()["items"]] == [order["id"]]
    detail = await client.get(f"/api/staff/orders/{order['id']}", headers=await staff("operator"))
    assert detail.json()["refunds"] == [] and detail.json()["id"] == order["id"]


class Refuse:
    @hookimpl
    def order_validate(self, draft):
        if draft.total > 5000:
            raise Conflict("Orders over {limit} need approval.", limit=5000)


class FailAfterPlacing:
    @hookimpl
    def order_placed(self, order):
        raise RuntimeError("boom")


async def test_order_validate_can_refuse_with_nothing_written(make_app):
    async with make_app(extra_plugins=[Refuse()]) as client:
        tea = await sku(price=3000, stock=5)
        headers = await buyer()
        r = await client.post("/api/orders", json=order_body((tea.id, 2)), headers=headers)
        assert r.status_code == 409 and r.json()["error"]["message"] == "Orders over 5000 need approval."
        assert await _stock(tea.id) == (5, 0) and await Order.all().count() == 0
        assert (await client.post("/api/orders", json=order_body((tea.id, 1)), headers=headers)).status_code == 201


async def test_a_failing_order_placed_hook_rolls_the_order_back(make_app):
    async with make_app(extra_plugins=[FailAfterPlacing()]) as client:
        tea = await sku(stock=5)
        r = await client.post("/api/orders", json=order_body((tea.id, 2)), headers=await buyer())
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
        assert await _stock(tea.id) == (5, 0)
        assert await Order.all().count() == 0 and await OrderEvent.all().count() == 0


async def test_order_placed_fires_once(make_app):
    recorder = Recorder()
    async with make_app(extra_plugins=[recorder]) as client:
        tea = await sku()
        order = await place(client, await buyer(), tea.id)
        assert recorder.of("order_placed") == [order["id"]]


async def test_a_sold_out_request_only_reads(client, caplog):
    tea = await sku(stock=1)
    headers = await buyer()
    await place(client, headers, tea.id)
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        r = await client.post("/api/orders", json=order_body((tea.id, 1)), headers=headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "out_of_stock"
    statements = [record.getMessage().lstrip().split()[0].upper() for record in caplog.records]
    assert statements and set(statements) == {"SELECT"}, statements  # no transaction, no write


async def test_stock_gone_after_the_check_is_refused_with_nothing_written(client, monkeypatch):
    scarce = await sku("Scarce", stock=1, code="S-1")
    checked = catalog.skus_for_sale

    async def stale_check(sku_ids):  # another buyer takes the last unit between check and take
        rows = await checked(sku_ids)
        await Sku.filter(id=scarce.id).update(stock=0)
        return rows

    monkeypatch.setattr(catalog, "skus_for_sale", stale_check)
    r = await client.post("/api/orders", json=order_body((scarce.id, 1)), headers=await buyer())
    assert r.status_code == 409 and r.json()["error"] == {"code": "out_of_stock", "message": "Scarce 库存不足。"}
    assert await _stock(scarce.id) == (0, 0) and (await scarce.product).stock == 1
    assert await Order.all().count() == 0 and await OrderLine.all().count() == 0


async def test_an_item_withdrawn_after_the_check_is_not_sold(client, monkeypatch):
    tea = await sku(stock=5)
    checked = catalog.skus_for_sale
    calls = []

    async def withdrawn_meanwhile(sku_ids):
        calls.append(sku_ids)
        rows = await checked(sku_ids)
        if len(calls) == 1:
            await Sku.filter(id=tea.id).update(active=False)
        return rows

    monkeypatch.setattr(catalog, "skus_for_sale", withdrawn_meanwhile)
    r = await client.post("/api/orders", json=order_body((tea.id, 2)), headers=await buyer())
    assert r.status_code == 404 and r.json()["error"]["code"] == "item_unavailable"
    assert await _stock(tea.id) == (5, 0) and await Order.all().count() == 0


@pytest.mark.parametrize("with_order_placed_impl", [False, True])
async def test_the_placement_answer_is_the_order_as_stored(make_app, with_order_placed_impl):
    plugins = [Recorder()] if with_order_placed_impl else []
    async with make_app(extra_plugins=plugins, enabled=["member_price"]) as client:
        plenty, tea = await sku("Plenty", stock=10, code="P-1"), await sku(stock=5)
        headers = await buyer(level="fan")
        r = await client.post("/api/orders", json=order_body((tea.id, 2), (plenty.id, 1)), headers=headers)
        assert r.status_code == 201, r.text
        stored = await client.get(f"/api/orders/{r.json()['id']}", headers=headers)
        assert r.json() == stored.json()
        assert [line["sku_id"] for line in r.json()["lines"]] == [tea.id, plenty.id]
