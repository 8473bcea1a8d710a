"""Every storefront page renders in both themes and both languages."""

import pytest

from .shop import log_in, post_form, seed

THEMES = ["default", "chayou"]
LANGS = {"zh_CN": ("zh-CN", "购物车"), "en": ("en", "Cart")}


def _pages(shop, intent_id):
    return {
        "home": "/",
        "category": "/c/green-tea",
        "search": "/search?q=龙井&sort=price_desc",
        "product": f"/p/{shop.product.id}",
        "cart": "/cart",
        "checkout": "/checkout",
        "orders": "/orders",
        "order": f"/orders/{shop.order.id}",
        "sandbox payment": f"/orders/{shop.order.id}/pay/{intent_id}",
        "member centre": "/me",
        "groups": "/groups",
        "group": f"/groups/{shop.group.id}",
        "invite": f"/g/{shop.invite.code}",
        "login": "/login",
        "register": "/register",
        "not found": "/p/999999",
    }


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("locale", LANGS)
async def test_every_page_renders(make_app, theme, locale):
    tag, cart_word = LANGS[locale]
    async with make_app(config={"theme": {"name": theme}}) as client:
        shop = await seed(client.runtime)
        from qunshang.payments import service as payments

        intent = await payments.create_intent(client.runtime, shop.order, "sandbox")
        await log_in(client)
        sku = (await shop.product.skus.all())[0]
        await post_form(client, "/cart/add", {"sku_id": sku.id, "quantity": 2})
        for name, path in _pages(shop, intent["intent_id"]).items():
            r = await client.get(path, headers={"Accept-Language": tag})
            expected = 404 if name == "not found" else 200
            assert r.status_code == expected, (name, r.text[:500])
            assert r.headers["content-type"].startswith("text/html"), name
            assert f'<html lang="{tag}">' in r.text, name
            assert f'class="theme-{theme}"' in r.text, name
            assert cart_word in r.text, name
            assert "content-security-policy" in r.headers, name


async def test_prices_are_formatted_per_locale(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        zh = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "zh-CN"})
        en = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "en"})
        assert "¥1,299.00" in zh.text and "CN¥1,299.00" not in zh.text
        assert "CN¥1,299.00" in en.text


async def test_product_page_shows_sku_picker_and_stock(make_app):
    async with make_app() as client:
        shop = await seed(client.runtime)
        r = await client.get(f"/p/{shop.product.id}", headers={"Accept-Language": "en"})
        assert r.text.count('name="sku_id"') == 2
        assert "Only 3 left" in r.text and "In stock" in r.text
        sold = await client.get(f"/p/{shop.sold_out.id}", headers={"Accept-Language": "en"})
        assert "Sold out" in sold.text and "disabled" in sold.text
        assert "Add to cart" not in sold.text


async def test_listing_paginates_and_sorts(make_app):
    async with make_app(config={"theme": {"settings": {"products_per_page": 4}}}) as client:
        await seed(client.runtime, products=6)
        first = await client.get("/c/green-tea?sort=newest", headers={"Accept-Language": "en"})
        assert first.text.count('class="card"') == 4
        assert 'href="/c/green-tea?sort=newest&amp;page=2"' in first.text
        second = await client.get("/c/green-tea?sort=newest&page=2", headers={"Accept-Language": "en"})
        assert second.text.count('class="card"') == 2 and 'rel="prev"' in second.text
        assert "西湖龙井 5" in first.text.split('class="card"')[1]  # newest first
        bad = await client.get("/c/green-tea?sort=evil&page=0", headers={"Accept-Language": "en"})
        assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
        assert "The request is not valid" in bad.text


async def test_search_finds_by_title(make_app):
    async with make_app() as client:
        await seed(client.runtime)
        r = await client.get("/search?q=碧螺春", headers={"Accept-Language": "en"})
        assert r.text.count('class="card"') == 1 and "碧螺春" in r.text
        none = await client.get("/search?q=coffee", headers={"Accept-Language": "en"})
        assert "No products found." in none.text


async def test_home_without_hero_or_categories(make_app):
    async with make_app(config={"theme": {"settings": {"home_sections": ["products"]}}}) as client:
        await seed(client.runtime)
        r = await client.get("/")
        assert 'class="hero' not in r.text and 'class="chips"' not in r.text and 'class="grid"' in r.text


async def test_home_sections_follow_theme_settings_order(make_app):
    async with make_app(config={"theme": {"settings": {"home_sections": ["categories", "hero", "products"]}}}) as client:
        await seed(client.runtime)
        r = await client.get("/")
        assert r.text.index('class="chips"') < r.text.index('class="hero') < r.text.index('class="grid"')
