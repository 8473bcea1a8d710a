"""Storefront pages: the sessions list (nav entry), the room page, the no-script buy form, the
demo's live room, and the translations."""

from qunshang import demo
from qunshang.catalog.models import Sku
from qunshang.orders.models import Order
from qunshang.plugins.livestream.models import LiveCoupon, LiveSale, LiveSession, Viewer

from .support import ADDRESS, API, host, pushed_sale, product, viewer


async def test_demo_seeds_a_scheduled_and_a_live_session_shown_in_the_storefront(make_app):
    async with make_app(enabled=["livestream"], use_clock=False) as client:
        await demo.seed(client.runtime)
        statuses = sorted(await LiveSession.all().values_list("status", flat=True))
        assert statuses == ["live", "scheduled"]
        live = await LiveSession.get(status="live")
        assert live.pinned_product_id and live.group_invite_code
        assert await LiveSale.filter(session_id=live.id, status="open").count() == 1
        assert await LiveCoupon.filter(session_id=live.id, remaining=50).count() == 1
        listing = await client.get("/live", headers={"Accept-Language": "en"})
        assert listing.status_code == 200 and f'href="/live/{live.id}"' in listing.text
        home = await client.get("/", headers={"Accept-Language": "en"})
        assert 'href="/live"' in home.text, "the nav entry"
        room = await client.get(f"/live/{live.id}", headers={"Accept-Language": "zh-CN"})
        assert room.status_code == 200 and "正在讲解" in room.text and "直播价" in room.text
        assert "满 ¥50.00 可用" in room.text, "the demo coupon"
        assert f"/live/{live.id}/events" in room.text and "/static/plugins/livestream/room.js" in room.text


async def test_room_page_counts_distinct_visitors_and_shows_a_personal_share_link(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product()
        session_id, _ = await pushed_sale(client, clock, headers, sku)
        await client.get(f"/live/{session_id}")
        await client.get(f"/live/{session_id}")
        assert await Viewer.filter(session_id=session_id).count() == 1
        _, member = await viewer()
        page = await client.get(f"/live/{session_id}", headers={**member, "Accept-Language": "en"})
        assert "Your personal link" in page.text
        assert await Viewer.filter(session_id=session_id).count() == 2
        assert (await client.get("/live/424242")).status_code == 404
        assert (await client.get("/live/424242/events")).status_code == 404


async def test_buy_form_without_script_places_a_live_order_or_shows_the_error(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=20)
        session_id, _ = await pushed_sale(client, clock, headers, sku, cap=5, limit=1)
        _, member = await viewer()
        form = {"sku_id": str(sku.id), "quantity": "1", **ADDRESS, **await client.form_headers()}
        form["_csrf_token"] = form.pop("x-csrftoken")
        placed = await client.post(f"/live/{session_id}/buy", data=form, headers=member)
        assert placed.status_code == 303 and placed.headers["location"].startswith("/orders/")
        order = await Order.get(member_id=(await Order.first()).member_id)
        assert order.context == {"channel": "livestream", "live_session": str(session_id), "live_sale": "1"}
        again = await client.post(f"/live/{session_id}/buy", data=form, headers={**member, "Accept-Language": "en"})
        assert again.status_code == 409 and "You can buy at most 1 in this live sale." in again.text
        assert (await Sku.get(id=sku.id)).stock == 15


async def test_claim_and_buy_forms_without_script_use_a_live_coupon(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        sku = await product(stock=20)
        session_id, _ = await pushed_sale(client, clock, headers, sku, cap=5, limit=2, live_price=600)
        made = await client.post(f"{API}/sessions/{session_id}/coupons", json={"amount": 150, "quantity": 1},
                                 headers=headers)
        coupon_id = made.json()["id"]
        member, viewer_headers = await viewer()
        csrf = {"_csrf_token": (await client.form_headers())["x-csrftoken"]}
        claimed = await client.post(f"/live/{session_id}/coupons/{coupon_id}/claim", data=csrf, headers=viewer_headers)
        assert claimed.status_code == 303 and claimed.headers["location"] == f"/live/{session_id}"
        _, late = await viewer("late@example.com")
        gone = await client.post(f"/live/{session_id}/coupons/{coupon_id}/claim", data=csrf,
                                 headers={**late, "Accept-Language": "en"})
        assert gone.status_code == 409 and "This coupon has all been claimed." in gone.text
        form = {"sku_id": str(sku.id), "quantity": "1", "coupon_id": str(coupon_id), **ADDRESS, **csrf}
        placed = await client.post(f"/live/{session_id}/buy", data=form, headers=viewer_headers)
        assert placed.status_code == 303
        order = await Order.get(member_id=member.id)
        assert order.total - order.shipping_fee == 600 - 150 and order.context["live_coupon"] == str(coupon_id)
