"""The example third-party plugin in ``examples/qunshang-wishlist``, installed from its own package."""

import asyncio

import pytest

pytest.importorskip(
    "qunshang_wishlist", reason="the example plugin is not installed: .venv/bin/pip install -e examples/qunshang-wishlist"
)

from tortoise import connections  # noqa: E402

from qunshang.catalog import service as catalog  # noqa: E402
from qunshang.catalog.models import ProductStatus  # noqa: E402
from qunshang.errors import PluginError  # noqa: E402
from qunshang import Conflict, hookimpl  # noqa: E402
from qunshang.orders import service as orders  # noqa: E402
from qunshang.orders.models import Order, OrderStatus  # noqa: E402
from qunshang.payments import service as payments  # noqa: E402
from qunshang.testing import bearer, make_member  # noqa: E402

ENABLED = {"enabled": ["wishlist"], "settings": {"wishlist": {"max_items": 2}}}
ADDRESS = {"name": "Li Lei", "phone": "13800000000", "region": "Hangzhou", "detail": "1 West Lake Road"}


async def _product(code: str, price: int = 12900, status=ProductStatus.PUBLISHED):
    return await catalog.create_product(title=f"Tea {code}", status=status, skus=[catalog.SkuInput(code, price, 5)])


async def _add(client, headers, product_id):
    return await client.post("/api/wishlist", json={"product_id": product_id}, headers=headers)


async def _listed(client, headers) -> list[int]:
    r = await client.get("/api/wishlist", headers=headers)
    assert r.status_code == 200, r.text
    return [item["product_id"] for item in r.json()["items"]]


async def _pay(runtime, buyer, *products):
    """Place and pay an order through the sandbox provider: ``order_paid`` runs in the payment."""
    lines = [{"sku_id": (await p.skus.all())[0].id, "quantity": 1} for p in products]
    placement = await orders.place_order(runtime, buyer, lines, ADDRESS)
    intent = await payments.create_intent(runtime, placement.order, "sandbox")
    return await payments.complete_sandbox(runtime, buyer.id, intent["intent_id"])


class RefusePayments:
    """A guard that runs after the wishlist's and refuses: the whole payment rolls back."""

    @hookimpl(trylast=True)
    async def order_paid(self):
        raise Conflict("Refused by a guard.")


async def test_its_table_comes_from_its_own_migration(make_app):
    async with make_app(**ENABLED) as client:
        rows = await connections.get("default").execute_query_dict(
            "SELECT name FROM tortoise_migrations WHERE app = 'wishlist'"
        )
        assert rows == [{"name": "0001_initial"}]
        assert client.runtime.plugins.records["wishlist"].meta.title == "心愿单 Wishlist"


async def test_member_adds_lists_and_removes_products(make_app, clock):
    async with make_app(**ENABLED) as client:
        tea = await _product("LJ-1")
        me = await bearer(await make_member())
        r = await _add(client, me, tea.id)
        assert r.status_code == 201, r.text
        assert r.json() == {"product_id": tea.id, "added_at": clock().isoformat()}
        again = await _add(client, me, tea.id)
        assert again.status_code == 200 and again.json() == r.json()
        items = (await client.get("/api/wishlist", headers=me)).json()["items"]
        assert items == [{
            "product_id": tea.id, "title": "Tea LJ-1", "price": 12900, "final_price": 12900,
            "in_stock": True, "added_at": clock().isoformat(),
        }]
        assert (await client.delete(f"/api/wishlist/{tea.id}", headers=me)).status_code == 204
        assert (await client.delete(f"/api/wishlist/{tea.id}", headers=me)).status_code == 404
        assert await _listed(client, me) == []


async def test_list_is_newest_first_and_hides_products_no_longer_for_sale(make_app, clock):
    async with make_app(**ENABLED) as client:
        first, second = await _product("A-1"), await _product("B-1")
        me = await bearer(await make_member())
        await _add(client, me, first.id)
        clock.advance(minutes=1)
        await _add(client, me, second.id)
        assert await _listed(client, me) == [second.id, first.id]
        await catalog.update_product(second.id, status=ProductStatus.ARCHIVED)
        assert await _listed(client, me) == [first.id]


async def test_only_published_products_can_be_added(make_app):
    async with make_app(**ENABLED) as client:
        draft = await _product("D-1", status=ProductStatus.DRAFT)
        me = await bearer(await make_member())
        for product_id in (draft.id, 999_999):
            r = await _add(client, me, product_id)
            assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert await _listed(client, me) == []


@pytest.mark.parametrize(
    "body",
    [{"product_id": 0}, {"product_id": -1}, {"product_id": 2**40}, {"product_id": 1.5},
     {}, {"product_id": 1, "member_id": 2}, {"product_id": "<script>alert(1)</script>"}],
)
async def test_bad_bodies_are_a_400(make_app, body):
    async with make_app(**ENABLED) as client:
        me = await bearer(await make_member())
        r = await client.post("/api/wishlist", json=body, headers=me)
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


async def test_the_settings_cap_is_enforced(make_app):
    async with make_app(**ENABLED) as client:
        a, b, c = await _product("A-1"), await _product("B-1"), await _product("C-1")
        me = await bearer(await make_member())
        assert [(await _add(client, me, p.id)).status_code for p in (a, b)] == [201, 201]
        full = await client.post("/api/wishlist", json={"product_id": c.id}, headers={**me, "Accept-Language": "en"})
        assert full.status_code == 409
        assert full.json()["error"] == {"code": "wishlist_full", "message": "Your wishlist is full: it holds at most 2 products."}
        zh = await client.post("/api/wishlist", json={"product_id": c.id}, headers={**me, "Accept-Language": "zh-CN"})
        assert zh.json()["error"]["message"] == "心愿单已满：最多可收藏 2 件商品。"  # the plugin's own catalog
        assert (await _add(client, me, a.id)).status_code == 200  # already there: no new slot needed
        await client.delete(f"/api/wishlist/{a.id}", headers=me)
        assert (await _add(client, me, c.id)).status_code == 201


async def test_concurrent_adds_never_pass_the_cap(make_app):
    async with make_app(**ENABLED) as client:
        products = [await _product(f"P-{i}") for i in range(6)]
        me = await bearer(await make_member())
        replies = await asyncio.gather(*(_add(client, me, p.id) for p in products))
        assert sorted(r.status_code for r in replies) == [201, 201, 409, 409, 409, 409]
        assert len(await _listed(client, me)) == 2


async def test_login_is_required(make_app):
    async with make_app(**ENABLED) as client:
        tea = await _product("LJ-1")
        assert (await client.get("/api/wishlist")).status_code == 401
        r = await client.post("/api/wishlist", json={"product_id": tea.id}, headers=await client.form_headers())
        assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"


async def test_a_members_list_is_their_own(make_app):
    async with make_app(**ENABLED) as client:
        tea = await _product("LJ-1")
        alice, bob = await bearer(await make_member("alice@example.com")), await bearer(await make_member("bob@example.com"))
        await _add(client, alice, tea.id)
        assert await _listed(client, bob) == []
        assert (await client.delete(f"/api/wishlist/{tea.id}", headers=bob)).status_code == 404
        assert await _listed(client, alice) == [tea.id]


async def test_listed_prices_are_the_members_prices(make_app):
    async with make_app(enabled=["wishlist", "member_price"]) as client:
        tea = await _product("LJ-1", price=12900)
        fan = await bearer(await make_member(level="fan"))
        await _add(client, fan, tea.id)
        item = (await client.get("/api/wishlist", headers=fan)).json()["items"][0]
        assert (item["price"], item["final_price"]) == (12900, 12255)


async def test_a_paid_order_takes_bought_products_off_the_buyers_list(make_app):
    async with make_app(**ENABLED) as client:
        bought, kept = await _product("A-1"), await _product("B-1")
        buyer, other = await make_member("buyer@example.com"), await make_member("other@example.com")
        buyer_h, other_h = await bearer(buyer), await bearer(other)
        for headers in (buyer_h, other_h):
            await _add(client, headers, bought.id)
        await _add(client, buyer_h, kept.id)
        await _pay(client.runtime, buyer, bought)
        assert await _listed(client, buyer_h) == [kept.id]
        assert await _listed(client, other_h) == [bought.id]


async def test_a_refused_payment_leaves_the_list_as_it_was(make_app):
    async with make_app(**ENABLED, extra_plugins=[RefusePayments()]) as client:
        tea = await _product("A-1")
        buyer = await make_member()
        headers = await bearer(buyer)
        await _add(client, headers, tea.id)
        assert client.runtime.impls("order_paid")[0].plugin == "wishlist"  # it removes, then the guard refuses
        with pytest.raises(Conflict, match="Refused by a guard."):
            await _pay(client.runtime, buyer, tea)
        assert await Order.filter(member=buyer).values_list("status", flat=True) == [OrderStatus.PLACED]
        assert await _listed(client, headers) == [tea.id]


async def test_bought_products_can_stay_on_the_list(make_app):
    async with make_app(enabled=["wishlist"], settings={"wishlist": {"remove_when_bought": False}}) as client:
        tea = await _product("A-1")
        buyer = await make_member()
        headers = await bearer(buyer)
        await _add(client, headers, tea.id)
        await _pay(client.runtime, buyer, tea)
        assert await _listed(client, headers) == [tea.id]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"max_items": 0}, "max_items: Input should be greater than or equal to 1"),
        ({"max_items": 501}, "max_items: Input should be less than or equal to 500"),
        ({"max_items": "lots"}, "max_items: Input should be a valid integer, unable to parse string as an integer"),
        ({"colour": "red"}, "colour: Extra inputs are not permitted"),
    ],
)
async def test_invalid_settings_stop_startup(make_app, block, expected):
    with pytest.raises(PluginError) as info:
        async with make_app(enabled=["wishlist"], settings={"wishlist": block}):
            pass
    assert str(info.value) == f"[plugins.wishlist] {expected}"


async def test_when_not_enabled_it_has_no_routes_and_no_hooks(make_app):
    async with make_app() as client:
        tea = await _product("A-1")
        buyer = await make_member()
        headers = await bearer(buyer)
        assert client.runtime.plugins.records["wishlist"].status == "disabled"
        assert (await client.get("/api/wishlist", headers=headers)).status_code == 404
        assert (await _add(client, headers, tea.id)).status_code == 404
        assert (await client.delete(f"/api/wishlist/{tea.id}", headers=headers)).status_code == 404
        conn = connections.get("default")
        await conn.execute_script(
            "INSERT INTO wishlist_wishlistitem (member_id, product_id, created_at) "
            f"VALUES ({buyer.id}, {tea.id}, '2026-01-05 08:00:00+00:00')"
        )
        await _pay(client.runtime, buyer, tea)
        assert "wishlist" not in {impl.plugin for impl in client.runtime.impls("order_paid")}
        assert await conn.execute_query_dict("SELECT product_id FROM wishlist_wishlistitem") == [{"product_id": tea.id}]
