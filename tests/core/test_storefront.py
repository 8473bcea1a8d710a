from markupsafe import Markup

from qunshang.catalog import service
from qunshang.catalog.models import ProductStatus
from qunshang.hookspecs import hookimpl


class SlotPlugin:
    @hookimpl
    def storefront_slot(self, name):
        if name == "home.sections":
            return Markup('<section id="from-plugin">banner</section>')
        if name == "product.after_price":
            return "<b>plain text is escaped</b>"
        return None


async def test_home_lists_products_with_plugin_slot(make_app):
    async with make_app(extra_plugins=[SlotPlugin()]) as client:
        await service.create_product(title="<script>alert(1)</script>龙井", status=ProductStatus.PUBLISHED,
                                     skus=[service.SkuInput("LJ", 12900, 1)])
        r = await client.get("/", headers={"Accept-Language": "zh-CN"})
        assert r.status_code == 200
        assert '<section id="from-plugin">banner</section>' in r.text
        assert "¥129.00" in r.text
        assert "<script>alert(1)</script>" not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;龙井" in r.text


async def test_product_page_escapes_plain_slot_text(make_app):
    async with make_app(extra_plugins=[SlotPlugin()]) as client:
        p = await service.create_product(title="Tea", status=ProductStatus.PUBLISHED, skus=[service.SkuInput("T", 500, 0)])
        r = await client.get(f"/p/{p.id}", headers={"Accept-Language": "en"})
        assert r.status_code == 200
        assert "&lt;b&gt;plain text is escaped&lt;/b&gt;" in r.text
        assert "Sold out" in r.text


async def test_language_switch_sets_cookie_and_changes_language(client):
    r = await client.get("/lang/en")
    assert r.status_code in (302, 303, 307)
    assert client.cookies.get("qunshang_lang") == "en"
    r = await client.get("/", headers={"Accept-Language": "zh-CN"})
    assert 'lang="en"' in r.text


async def test_storefront_speaks_chinese_and_english(client):
    await service.create_product(title="Tea", status=ProductStatus.PUBLISHED, skus=[service.SkuInput("T", 500, 0)])
    zh = await client.get("/", headers={"Accept-Language": "zh-CN"})
    en = await client.get("/", headers={"Accept-Language": "en"})
    assert "已售罄" in zh.text and "Sold out" in en.text


async def test_anonymous_visitors_get_no_session(client):
    r = await client.get("/")
    assert "qunshang_session" not in r.headers.get("set-cookie", "")
    assert "qunshang_session" not in client.cookies
