from qunshang.catalog import service
from qunshang.catalog.models import ProductStatus


async def _product(title="Tea", price=12900, stock=5, status=ProductStatus.PUBLISHED, code="T-1"):
    return await service.create_product(title=title, status=status, skus=[service.SkuInput(code, price, stock)])


async def test_listing_shows_published_products_with_prices(client):
    await _product("龙井 Longjing", 12900, code="LJ-1")
    await _product("Draft", 100, status=ProductStatus.DRAFT, code="D-1")
    r = await client.get("/api/products")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["title"] for i in items] == ["龙井 Longjing"]
    assert items[0]["price"] == 12900 and items[0]["final_price"] == 12900
    assert items[0]["in_stock"] is True


async def test_unpublished_product_is_404(client):
    p = await _product(status=ProductStatus.DRAFT)
    r = await client.get(f"/api/products/{p.id}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


async def test_bad_query_parameter_is_a_400_with_code(client):
    r = await client.get("/api/products?limit=0")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_input"


async def test_stock_never_goes_negative(client):
    p = await _product(stock=3)
    sku = (await p.skus.all())[0]
    assert await service.adjust_stock(sku.id, -3) == 0
    import pytest
    from qunshang.errors import Conflict

    with pytest.raises(Conflict):
        await service.adjust_stock(sku.id, -1)


async def test_errors_speak_the_callers_language(client):
    r = await client.get("/api/products/999", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.json()["error"] == {"code": "not_found", "message": "未找到。"}
    r = await client.get("/api/products/999", headers={"Accept-Language": "en-US"})
    assert r.json()["error"]["message"] == "Not found."


async def test_managing_products_needs_the_permission(client):
    from qunshang.testing import bearer, make_member

    buyer = await bearer(await make_member("buyer@example.com"))
    operator = await bearer(await make_member("op@example.com", roles=["operator"]))
    body = {"title": "Pu'er", "skus": [{"code": "PE-1", "price": 8800, "stock": 3}], "status": "published"}
    anonymous = await client.post("/api/products", json=body)
    assert anonymous.status_code == 403 and anonymous.json()["error"]["code"] == "csrf_failed"
    anonymous = await client.post("/api/products", json=body, headers=await client.form_headers())
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    assert (await client.post("/api/products", json=body, headers=buyer)).status_code == 403
    r = await client.post("/api/products", json=body, headers=operator)
    assert r.status_code == 201, r.text
    assert r.json()["price"] == 8800 and r.json()["stock"] == 3


async def test_search_with_control_characters_is_a_400(client):
    r = await client.get("/api/products", params={"q": "a\x00b"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"


async def test_api_token_use_is_recorded_without_a_write_per_request(client, clock):
    from qunshang.members.models import ApiToken
    from qunshang.testing import bearer, make_member

    headers = await bearer(await make_member())
    await client.get("/api/products", headers=headers)
    first = (await ApiToken.get()).last_used_at
    assert first == clock()
    clock.advance(minutes=1)
    await client.get("/api/products", headers=headers)
    assert (await ApiToken.get()).last_used_at == first
    clock.advance(minutes=5)
    await client.get("/api/products", headers=headers)
    assert (await ApiToken.get()).last_used_at == clock()
