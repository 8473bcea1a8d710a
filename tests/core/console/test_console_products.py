"""Products in the console: create, edit, SKUs, stock, publishing and images — all audited."""

import asyncio

from qunshang.catalog import service as catalog
from qunshang.catalog.models import Product, Sku
from qunshang.console.models import AuditEntry

from .conftest import post_form, sign_in, staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _create(client, **extra):
    data = {"title": "龙井 Longjing", "description": "spring tea", "status": "draft",
            "sku_code": "LJ-1", "sku_name": "250g", "sku_price": "129.00", "sku_stock": "5", **extra}
    return await post_form(client, "/console/products/new", data)


async def test_create_product_with_its_first_sku_and_audit(owner_client):
    r = await _create(owner_client)
    assert r.status_code == 303
    product = await Product.get(title="龙井 Longjing")
    assert r.headers["location"] == f"/console/products/{product.id}"
    sku = await Sku.get(product_id=product.id)
    assert (sku.code, sku.price, sku.stock) == ("LJ-1", 12900, 5)
    entry = await AuditEntry.get(action="product.create")
    assert entry.actor_id == owner_client.member.id and entry.target_id == str(product.id)
    assert entry.after["title"] == "龙井 Longjing" and entry.after["skus"][0]["price"] == 12900
    assert entry.before is None and entry.at is not None


async def test_bad_price_is_refused_with_a_message_and_nothing_written(owner_client):
    await owner_client.get("/console/products/new")
    for price in ("-1", "abc", "1.001", "1e20", "NaN"):
        r = await post_form(owner_client, "/console/products/new", {
            "title": "x", "sku_code": f"C{price}", "sku_price": price})
        assert r.status_code in (303, 400), price
    assert await Product.all().count() == 0
    assert await AuditEntry.all().count() == 0


async def test_error_on_a_form_is_shown_back_on_the_page(owner_client):
    r = await owner_client.post("/console/products/new", data={
        "_csrf_token": (await owner_client.form_headers())["x-csrftoken"], "title": "", "sku_code": "A", "sku_price": "1"},
        headers={"referer": "http://testserver/console/products/new"})
    assert r.status_code == 303 and r.headers["location"] == "/console/products/new"
    page = await owner_client.get("/console/products/new")
    assert "请求无效：title 为必填项" in page.text and 'class="flash error"' in page.text


async def test_script_in_a_title_is_escaped(owner_client):
    await _create(owner_client, title="<script>alert(1)</script>")
    html = (await owner_client.get("/console/products")).text
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


async def test_edit_and_publish_are_audited_with_before_and_after(owner_client):
    await _create(owner_client)
    product = await Product.get(title="龙井 Longjing")
    await post_form(owner_client, f"/console/products/{product.id}", {"title": "Longjing 2026", "status": "draft"})
    await post_form(owner_client, f"/console/products/{product.id}/publish", {"publish": "1"})
    await product.refresh_from_db()
    assert product.title == "Longjing 2026" and product.status == "published"
    update = await AuditEntry.get(action="product.update")
    assert update.before["title"] == "龙井 Longjing" and update.after["title"] == "Longjing 2026"
    publish = await AuditEntry.get(action="product.publish")
    assert publish.before == {"status": "draft"} and publish.after == {"status": "published"}
    await post_form(owner_client, f"/console/products/{product.id}/publish", {"publish": "0"})
    assert (await Product.get(id=product.id)).status == "draft"


async def test_list_search_and_filters(owner_client):
    await catalog.create_product(title="Green tea", skus=[catalog.SkuInput("G-1", 100, 0)], status="published")
    await catalog.create_product(title="Black tea", skus=[catalog.SkuInput("B-1", 100, 3)])
    html = (await owner_client.get("/console/products?q=green")).text
    assert "Green tea" in html and "Black tea" not in html
    html = (await owner_client.get("/console/products?q=B-1")).text
    assert "Black tea" in html and "Green tea" not in html
    html = (await owner_client.get("/console/products?stock=out")).text
    assert "Green tea" in html and "Black tea" not in html
    html = (await owner_client.get("/console/products?status=draft")).text
    assert "Black tea" in html and "Green tea" not in html
    assert (await owner_client.get("/console/products?offset=-1")).status_code == 400


async def test_add_and_edit_sku(owner_client):
    product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
    await post_form(owner_client, f"/console/products/{product.id}/skus", {"code": "T-2", "price": "9.90", "stock": "4"})
    sku = await Sku.get(code="T-2")
    assert sku.price == 990 and sku.stock == 4
    await post_form(owner_client, f"/console/skus/{sku.id}", {"price": "8.50", "name": "small", "active": "1"})
    await sku.refresh_from_db()
    assert sku.price == 850 and sku.name == "small"
    entry = await AuditEntry.get(action="sku.update")
    assert entry.before["price"] == 990 and entry.after["price"] == 850


async def test_stock_adjustment_is_atomic_never_negative_and_audited(owner_client):
    product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 3)])
    sku = await Sku.get(code="T-1")
    r = await post_form(owner_client, f"/console/skus/{sku.id}/stock", {"delta": "-2", "reason": "damaged"})
    assert r.status_code == 303
    entry = await AuditEntry.get(action="sku.stock")
    assert entry.before == {"stock": 3} and entry.after == {"stock": 1, "delta": -2, "reason": "damaged"}
    r = await post_form(owner_client, f"/console/skus/{sku.id}/stock", {"delta": "-2"})
    assert r.status_code == 409
    for bad in ("0", "1.5", "x", str(10**12)):
        assert (await post_form(owner_client, f"/console/skus/{sku.id}/stock", {"delta": bad})).status_code == 400
    assert (await Sku.get(id=sku.id)).stock == 1
    assert (await Product.get(id=product.id)).stock == 1
    assert await AuditEntry.filter(action="sku.stock").count() == 1


async def test_concurrent_stock_takes_never_oversell(owner_client):
    await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 3)])
    sku = await Sku.get(code="T-1")
    results = await asyncio.gather(*[post_form(owner_client, f"/console/skus/{sku.id}/stock", {"delta": "-1"}) for _ in range(5)])
    assert sorted(r.status_code for r in results).count(303) == 3
    assert (await Sku.get(id=sku.id)).stock == 0
    assert await AuditEntry.filter(action="sku.stock").count() == 3


async def test_image_upload_checks_the_bytes_and_stores_a_random_name(owner_client):
    product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
    r = await post_form(owner_client, f"/console/products/{product.id}/images", files={"image": ("../../evil.png", PNG, "image/png")})
    assert r.status_code == 303
    await product.refresh_from_db()
    [url] = product.images
    assert url.startswith("/media/products/") and url.endswith(".png") and "evil" not in url
    media = owner_client.runtime.config.app.media_dir
    from pathlib import Path

    assert (Path(media) / "products" / url.rsplit("/", 1)[1]).read_bytes() == PNG
    assert (await owner_client.get(url)).status_code == 200
    assert await AuditEntry.filter(action="product.image").exists()


async def test_image_upload_refuses_a_disguised_file_and_a_huge_one(owner_client):
    product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
    r = await post_form(owner_client, f"/console/products/{product.id}/images",
                        files={"image": ("photo.jpg", b"<html><script>alert(1)</script>", "image/jpeg")})
    assert r.status_code == 400
    big = PNG + b"\x00" * (5 * 1024 * 1024)
    r = await post_form(owner_client, f"/console/products/{product.id}/images", files={"image": ("big.png", big, "image/png")})
    assert r.status_code in (400, 413)
    assert (await Product.get(id=product.id)).images == []
    from pathlib import Path

    folder = Path(owner_client.runtime.config.app.media_dir) / "products"
    assert not folder.exists() or list(folder.iterdir()) == []


async def test_host_may_view_products_but_not_change_them(make_app):
    async with make_app() as client:
        await staff("host@example.com", roles=["host"])
        await sign_in(client, "host@example.com")
        product = await catalog.create_product(title="Tea", skus=[catalog.SkuInput("T-1", 100, 1)])
        page = await client.get(f"/console/products/{product.id}")
        assert page.status_code == 200 and "Adjust stock" not in page.text and "调整库存" not in page.text
        r = await post_form(client, f"/console/products/{product.id}", {"title": "hacked"})
        assert r.status_code == 403
        assert (await Product.get(id=product.id)).title == "Tea"
