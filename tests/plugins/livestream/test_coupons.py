"""Live coupons: the host pushes one, viewers claim it (exactly ``quantity`` claims, once per
member, under a burst), the claimed coupon comes off one live order from the room (the server's
amount, never below zero, respecting the minimum spend), once even under concurrent orders; a
cancelled order gives it back. Malicious requests are refused."""

import asyncio
import re
from datetime import timedelta

from qunshang.orders import service as orders
from qunshang.orders.models import Order
from qunshang.plugins.livestream.models import CouponClaim, LiveCoupon

from .support import ADDRESS, API, buy_body, host, live_session, product, pushed_sale, viewer


async def _coupon(client, headers, session_id, **fields):
    body = {"amount": 300, "min_spend": 0, "quantity": 10, **fields}
    r = await client.post(f"{API}/sessions/{session_id}/coupons", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _claim(client, session_id, coupon_id, headers):
    return await client.post(f"{API}/sessions/{session_id}/coupons/{coupon_id}/claim", headers=headers)


def _goods(order: dict) -> int:
    return order["total"] - order["shipping_fee"]


async def test_a_claimed_coupon_comes_off_one_live_order_and_a_cancel_gives_it_back(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku, cap=10, limit=5, live_price=600)
        coupon = await _coupon(client, headers, session_id, amount=250, min_spend=1000)
        member, buyer = await viewer()
        first = await _claim(client, session_id, coupon["id"], buyer)
        assert first.status_code == 201 and first.json()["status"] == "claimed"
        replay = await _claim(client, session_id, coupon["id"], buyer)
        assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"], "a replayed claim"
        assert (await LiveCoupon.get(id=coupon["id"])).remaining == 9, "claimed once"

        url = f"{API}/sessions/{session_id}/orders"
        short = await client.post(url, json={**buy_body(sku.id, 1), "coupon_id": coupon["id"]}, headers=buyer)
        assert short.status_code == 409 and short.json()["error"]["code"] == "live_coupon_minimum"
        assert (await CouponClaim.get(member_id=member.id)).status == "claimed", "the refused order used nothing"

        bought = await client.post(url, json={**buy_body(sku.id, 2), "coupon_id": coupon["id"]}, headers=buyer)
        assert bought.status_code == 201, bought.text
        assert _goods(bought.json()) == 2 * 600 - 250, "the coupon comes off after the live price"
        claim = await CouponClaim.get(member_id=member.id)
        assert (claim.status, claim.order_id) == ("used", bought.json()["id"])
        again = await client.post(url, json={**buy_body(sku.id, 2), "coupon_id": coupon["id"]}, headers=buyer)
        assert again.status_code == 409 and again.json()["error"]["code"] == "live_coupon_used"

        await orders.cancel(client.runtime, bought.json()["id"], reason="buyer", actor_id=member.id)
        claim = await CouponClaim.get(member_id=member.id)
        assert (claim.status, claim.order_id) == ("claimed", None), "a cancelled order gives the coupon back"
        reused = await client.post(url, json={**buy_body(sku.id, 2), "coupon_id": coupon["id"]}, headers=buyer)
        assert reused.status_code == 201 and _goods(reused.json()) == 950


async def test_a_coupon_never_takes_an_order_below_zero_and_works_on_shelf_products(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(price=1000, stock=5)
        session = await live_session(client, clock, headers)
        await client.post(f"{API}/sessions/{session['id']}/push", json={"product_id": sku.product_id}, headers=headers)
        coupon = await _coupon(client, headers, session["id"], amount=5000)
        _, buyer = await viewer()
        await _claim(client, session["id"], coupon["id"], buyer)
        r = await client.post(f"{API}/sessions/{session['id']}/orders", json={**buy_body(sku.id), "coupon_id": coupon["id"]},
                              headers=buyer)
        assert r.status_code == 201, r.text
        assert _goods(r.json()) == 0 and r.json()["discount"] == 1000


async def test_malicious_coupon_requests_are_refused(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku, cap=10, limit=5)
        other_session, _ = await pushed_sale(client, clock, headers, await product("Cup", code="C-1"))
        coupon = await _coupon(client, headers, session_id, amount=200, valid_until=(clock() + timedelta(minutes=20)).isoformat())
        elsewhere = await _coupon(client, headers, other_session, amount=200)
        _, buyer = await viewer()
        url = f"{API}/sessions/{session_id}/orders"

        assert (await client.post(f"{API}/sessions/{session_id}/coupons/{coupon['id']}/claim")).status_code in (401, 403)
        wrong_room = await _claim(client, session_id, elsewhere["id"], buyer)
        assert wrong_room.status_code == 404, "a coupon of another session"
        unclaimed = await client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"]}, headers=buyer)
        assert unclaimed.status_code == 409 and unclaimed.json()["error"]["code"] == "live_coupon_not_claimed"
        other_member, other = await viewer("other@example.com")
        assert (await _claim(client, session_id, coupon["id"], other)).status_code == 201
        someone_elses = await client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"]}, headers=buyer)
        assert someone_elses.status_code == 409 and someone_elses.json()["error"]["code"] == "live_coupon_not_claimed", \
            "another member's claim is not the caller's"

        assert (await _claim(client, session_id, coupon["id"], buyer)).status_code == 201
        tampered = await client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"], "discount": 99999},
                                     headers=buyer)
        assert tampered.status_code == 400, "the amount is the server's"
        forged = await client.post("/api/orders", headers=buyer, json={
            "lines": [{"sku_id": sku.id, "quantity": 1}], "address": ADDRESS,
            "context": {"channel": "livestream", "live_session": str(session_id), "live_coupon": str(coupon["id"])}})
        assert forged.status_code == 400 and forged.json()["error"]["code"] == "live_coupon_outside_room"

        replayed = [await client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"]},
                                      headers={**buyer, "Idempotency-Key": "c-1"}) for _ in range(2)]
        assert [r.status_code for r in replayed] == [201, 200] and replayed[0].json()["id"] == replayed[1].json()["id"]
        assert _goods(replayed[0].json()) == 600 - 200

        clock.advance(minutes=21)
        late = await _claim(client, session_id, coupon["id"], (await viewer("late@example.com"))[1])
        assert late.status_code == 409 and late.json()["error"]["code"] == "live_coupon_expired"
        expired = await client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"]}, headers=other)
        assert expired.status_code == 409 and expired.json()["error"]["code"] == "live_coupon_expired"
        assert await CouponClaim.filter(member_id=other_member.id, status="claimed").count() == 1


async def test_pushing_a_coupon_is_validated_and_for_the_sessions_host(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        session = await live_session(client, clock, headers, start=False)
        url = f"{API}/sessions/{session['id']}/coupons"
        body = {"amount": 300, "quantity": 5}
        scheduled = await client.post(url, json=body, headers=headers)
        assert scheduled.status_code == 409 and scheduled.json()["error"]["code"] == "live_session_state"
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "start"}, headers=headers)
        for bad in ({"amount": 0, "quantity": 5}, {"amount": -300, "quantity": 5}, {"amount": 300, "quantity": 0},
                    {"amount": 300, "quantity": 5, "valid_until": (clock() - timedelta(minutes=1)).isoformat()},
                    {"amount": 300, "quantity": 5, "remaining": 1}):
            r = await client.post(url, json=bad, headers=headers)
            assert r.status_code == 400, (bad, r.text)
        _, viewer_headers = await viewer()
        assert (await client.post(url, json=body, headers=viewer_headers)).status_code == 403
        _, other_host = await host("other-host@example.com")
        assert (await client.post(url, json=body, headers=other_host)).status_code == 404
        assert await LiveCoupon.all().count() == 0
        assert (await client.post(url, json=body, headers=headers)).status_code == 201


async def test_ending_the_session_expires_coupons_without_a_time(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session = await live_session(client, clock, headers)
        await client.post(f"{API}/sessions/{session['id']}/push", json={"product_id": sku.product_id}, headers=headers)
        coupon = await _coupon(client, headers, session["id"])
        _, buyer = await viewer()
        assert (await _claim(client, session["id"], coupon["id"], buyer)).status_code == 201
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "end"}, headers=headers)
        r = await client.post(f"{API}/sessions/{session['id']}/orders", json={**buy_body(sku.id), "coupon_id": coupon["id"]},
                              headers=buyer)
        assert r.status_code == 409 and r.json()["error"]["code"] == "live_coupon_expired"
        state = (await client.get(f"{API}/sessions/{session['id']}", headers=buyer)).json()
        assert state["coupons"] == []


async def test_a_claim_burst_gives_out_exactly_the_quantity_once_per_member(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        session = await live_session(client, clock, headers)
        coupon = await _coupon(client, headers, session["id"], quantity=12)
        buyers = [(await viewer(f"k{i}@example.com"))[1] for i in range(40)]
        results = await asyncio.gather(*[_claim(client, session["id"], coupon["id"], h) for h in buyers for _ in range(2)])
        assert {r.status_code for r in results} <= {200, 201, 409}, [r.text for r in results]
        assert sum(r.status_code == 201 for r in results) == 12
        assert all(r.json()["error"]["code"] == "live_coupon_gone" for r in results if r.status_code == 409)
        assert await CouponClaim.filter(coupon_id=coupon["id"]).count() == 12
        members = await CouponClaim.filter(coupon_id=coupon["id"]).values_list("member_id", flat=True)
        assert len(set(members)) == 12, "each member at most once"
        assert (await LiveCoupon.get(id=coupon["id"])).remaining == 0


async def test_concurrent_orders_use_a_coupon_once(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku, cap=20, limit=10, live_price=600)
        coupon = await _coupon(client, headers, session_id, amount=100)
        member, buyer = await viewer()
        assert (await _claim(client, session_id, coupon["id"], buyer)).status_code == 201
        url = f"{API}/sessions/{session_id}/orders"
        results = await asyncio.gather(*[client.post(url, json={**buy_body(sku.id), "coupon_id": coupon["id"]}, headers=buyer)
                                         for _ in range(8)])
        assert sorted(r.status_code for r in results) == [201] + [409] * 7, [r.text for r in results]
        assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"live_coupon_used"}
        assert await Order.filter(member_id=member.id).count() == 1
        assert await Order.filter(discount=400 + 100).count() == 1, "the live price and the coupon"


async def test_concurrent_duplicates_of_a_coupon_order_answer_with_one_order(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku, cap=20, limit=10)
        coupon = await _coupon(client, headers, session_id, amount=100)
        member, buyer = await viewer()
        await _claim(client, session_id, coupon["id"], buyer)
        body, retry = {**buy_body(sku.id), "coupon_id": coupon["id"]}, {**buyer, "Idempotency-Key": "dup-1"}
        results = await asyncio.gather(*[client.post(f"{API}/sessions/{session_id}/orders", json=body, headers=retry)
                                         for _ in range(4)])
        assert sorted(r.status_code for r in results) == [200, 200, 200, 201], [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1
        assert await Order.filter(member_id=member.id).count() == 1


async def test_the_room_and_the_workbench_show_coupons(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=50)
        session_id, _sale = await pushed_sale(client, clock, headers, sku)
        coupon = await _coupon(client, headers, session_id, amount=500, min_spend=2000)
        anonymous = await client.get(f"/live/{session_id}", headers={"Accept-Language": "en"})
        assert re.search(r"¥5\.00 off</b>", anonymous.text) and re.search(r"on orders from \w*¥20\.00", anonymous.text)
        assert "Log in to claim" in anonymous.text
        _, buyer = await viewer()
        page = await client.get(f"/live/{session_id}", headers={**buyer, "Accept-Language": "zh-CN"})
        assert re.search(r"立减 \w*¥5\.00", page.text) and re.search(r"满 \w*¥20\.00 可用", page.text) and "领取" in page.text
        await _claim(client, session_id, coupon["id"], buyer)
        page = await client.get(f"/live/{session_id}", headers={**buyer, "Accept-Language": "en"})
        assert "Claimed" in page.text and f'<option value="{coupon["id"]}">' in page.text, "the buy form offers it"
        summary = (await client.get(f"{API}/sessions/{session_id}/summary", headers=headers)).json()
        assert (summary["coupons_claimed"], summary["coupons_used"]) == (1, 0)
        await LiveCoupon.filter(id=coupon["id"]).update(remaining=0)
        _, latecomer = await viewer("late@example.com")
        page = await client.get(f"/live/{session_id}", headers={**latecomer, "Accept-Language": "zh-CN"})
        assert "已领完" in page.text and f"/coupons/{coupon['id']}/claim" not in page.text
