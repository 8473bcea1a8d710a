"""The wishlist example plugin on the storefront: a slot, a template, a static file."""

import pytest

pytest.importorskip(
    "qunshang_wishlist", reason="the example plugin is not installed: .venv/bin/pip install -e examples/qunshang-wishlist"
)

from qunshang_wishlist.models import WishlistItem  # noqa: E402

from tests.themes.shop import log_in, post_form, seed  # noqa: E402

ENABLED = {"enabled": ["wishlist"]}


async def test_product_page_has_the_button_in_its_slot(make_app):
    async with make_app(**ENABLED) as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "zh-CN"})
        assert "♡ 加入心愿单" in r.text
        price, button, picker = (r.text.index('data-price>'), r.text.index('class="wishlist"'),
                                 r.text.index('class="sku-picker"'))
        assert price < button < picker  # product.after_price: right after the price
        assert f'href="/login?next=/p/{shop.product.id}"' in r.text  # visitors are sent to log in


async def test_its_stylesheet_is_served_with_a_content_hash(make_app):
    async with make_app(**ENABLED) as client:
        r = await client.get("/")
        href = r.text.split('<link rel="stylesheet" href="/static/plugins/wishlist/wishlist.css?v=')[1].split('"')[0]
        css = await client.get(f"/static/plugins/wishlist/wishlist.css?v={href}")
        assert css.status_code == 200 and ".wishlist-button" in css.text
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_a_member_adds_from_the_product_page(make_app):
    async with make_app(**ENABLED) as client:
        shop = await seed(client.runtime)
        await log_in(client)
        page = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "en"})
        assert f'action="/wishlist/{shop.product.id}"' in page.text
        r = await post_form(client, f"/wishlist/{shop.product.id}")
        assert r.status_code == 303 and r.headers["location"] == f"/p/{shop.product.id}"
        assert await WishlistItem.filter(member_id=shop.member.id, product_id=shop.product.id).exists()
        again = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "en"})
        assert "♥ In your wishlist" in again.text and "♡ Add to wishlist" not in again.text
        missing = await post_form(client, "/wishlist/999999", headers={"Accept-Language": "en"})
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


async def test_a_theme_can_replace_the_plugin_template(make_app, tmp_path):
    (tmp_path / "wishlist").mkdir()
    (tmp_path / "wishlist" / "button.html").write_text(
        '<div id="themed">{% include "wishlist:button.html" %}</div>', encoding="utf-8"
    )
    async with make_app(config={"theme": {"overrides": str(tmp_path)}}, **ENABLED) as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "en"})
        assert '<div id="themed"><div class="wishlist">' in r.text


async def test_disabled_it_fills_no_slot_and_serves_no_file(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/p/{shop.product.id}")
        assert "wishlist" not in r.text
        assert (await client.get("/static/plugins/wishlist/wishlist.css")).status_code == 404
