"""Anonymous visitors' home and listing pages come from the page cache, and a change to a
product, a price, a category or whether something is in stock shows on the next request."""

import logging

import pytest

from qunshang.catalog import revision
from qunshang.catalog import service as catalog
from qunshang.catalog.models import Product, ProductStatus, Sku
from qunshang.orders import service as orders

from qunshang.testing import bearer

from .shop import ADDRESS, log_in, seed
from .test_queries import count_queries

PAGES = ["/", "/c/green-tea", "/search?q=", "/search?q=%E9%BE%99%E4%BA%95&sort=price_asc"]


async def _visit(client, path, **headers):
    r = await client.get(path, headers=headers)
    assert r.status_code == 200
    return r


@pytest.mark.parametrize("path", PAGES)
async def test_second_visit_is_served_from_the_cache_with_one_query(make_app, caplog, path):
    async with make_app() as client:
        await seed(client.runtime)
        first = await _visit(client, path)
        assert first.headers["x-page-cache"] == "miss"
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            again = await _visit(client, path)
        assert again.headers["x-page-cache"] == "hit" and again.text == first.text
        assert count_queries(caplog) == 1  # the catalog revision
        assert "set-cookie" not in again.headers
        assert again.headers["content-type"].startswith("text/html")


async def test_a_product_edit_shows_on_the_next_visit(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        assert "西湖龙井 0" in (await _visit(client, "/")).text
        await catalog.update_product(shop.product.id, title="狮峰龙井")
        r = await _visit(client, "/")
        assert r.headers["x-page-cache"] == "miss" and "狮峰龙井" in r.text and "西湖龙井 0" not in r.text
        await catalog.update_product(shop.product.id, status=ProductStatus.ARCHIVED)
        assert "狮峰龙井" not in (await _visit(client, "/")).text


async def test_a_price_change_shows_on_the_next_visit(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime, products=1)
        assert "¥1,299.00" in (await _visit(client, "/search?q=")).text
        sku = await Sku.filter(product_id=shop.product.id).order_by("price").first()
        await catalog.update_sku(sku.id, price=99900)
        page = (await _visit(client, "/search?q=")).text
        assert "¥999.00" in page and "¥1,299.00" not in page


async def test_selling_out_and_coming_back_show_on_the_next_visit(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime, products=1)
        buyer = shop.member
        skus = await Sku.filter(product_id=shop.product.id).order_by("id")
        assert "售罄" not in (await _visit(client, "/c/green-tea")).text
        placed = await orders.place_order(
            client.runtime, buyer, [{"sku_id": s.id, "quantity": s.stock} for s in skus], ADDRESS
        )
        assert (await Product.get(id=shop.product.id)).stock == 0
        assert "售罄" in (await _visit(client, "/c/green-tea")).text
        await orders.cancel(client.runtime, placed.order.id, reason="buyer", actor_id=buyer.id)
        r = await _visit(client, "/c/green-tea")
        assert r.headers["x-page-cache"] == "miss" and "售罄" not in r.text


async def test_a_sale_that_leaves_stock_keeps_the_pages(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime, products=1)
        sku = await Sku.filter(product_id=shop.product.id).first()
        await _visit(client, "/")
        await orders.place_order(client.runtime, shop.member, [{"sku_id": sku.id, "quantity": 1}], ADDRESS)
        assert (await _visit(client, "/")).headers["x-page-cache"] == "hit"


async def test_stock_adjustment_and_new_category_show_on_the_next_visit(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        await _visit(client, "/")  # the category bar is now cached in the process too
        await catalog.create_category("白茶", "white-tea")
        assert "白茶" in (await _visit(client, "/")).text
        await catalog.adjust_stock((await Sku.get(code="BLC")).id, 5)
        assert shop.sold_out.title in (await _visit(client, "/")).text
        r = await _visit(client, "/search?q=碧螺春")
        assert "售罄" not in r.text


async def test_a_change_committed_elsewhere_is_seen(make_app):
    """Another process changing the catalog only leaves the bumped revision in the database."""
    async with make_app() as client:
        shop = await seed(client.runtime)
        await _visit(client, "/")
        await Product.filter(id=shop.product.id).update(title="别处改的")  # as another process would…
        assert (await _visit(client, "/")).headers["x-page-cache"] == "hit"
        await revision.bump()  # …in the same transaction as its change
        assert "别处改的" in (await _visit(client, "/")).text


async def test_each_language_has_its_own_page(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        zh = await _visit(client, "/", **{"accept-language": "zh-CN"})
        en = await _visit(client, "/", **{"accept-language": "en-US,en;q=0.9"})
        assert en.headers["x-page-cache"] == "miss" and 'lang="en"' in en.text and 'lang="zh-CN"' in zh.text
        client.cookies.set("qunshang_lang", "en")
        by_cookie = await _visit(client, "/", **{"accept-language": "zh-CN"})
        assert by_cookie.headers["x-page-cache"] == "hit" and 'lang="en"' in by_cookie.text


async def test_members_and_token_holders_always_get_their_own_page(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        await _visit(client, "/")
        await _visit(client, "/")
        await log_in(client)
        mine = await _visit(client, "/")
        assert "x-page-cache" not in mine.headers and shop.member.display_name in mine.text
        client.cookies.clear()
        anonymous = await _visit(client, "/")
        assert anonymous.headers["x-page-cache"] == "hit" and shop.member.display_name not in anonymous.text
        by_token = await client.get("/", headers=await bearer(shop.member))
        assert "x-page-cache" not in by_token.headers and shop.member.display_name in by_token.text


async def test_an_arrival_by_referral_link_is_not_served_from_the_cache(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        await _visit(client, "/")
        r = await _visit(client, "/?ref=KOL123")
        assert "x-page-cache" not in r.headers and "qunshang_session" in r.headers.get("set-cookie", "")


async def test_pages_other_than_listings_are_not_cached(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        for _ in range(2):
            assert "x-page-cache" not in (await _visit(client, f"/p/{shop.product.id}")).headers
