import asyncio
from datetime import timedelta

import pytest

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
    token_use = client.runtime.state["token_use"]
    await client.get("/api/products", headers=headers)
    assert (await ApiToken.get()).last_used_at is None  # nothing written while answering
    await token_use.flush()
    assert (await ApiToken.get()).last_used_at == clock()
    clock.advance(minutes=1)
    await client.get("/api/products", headers=headers)
    await client.get("/api/products", headers=headers)
    assert (await ApiToken.get()).last_used_at == clock() - timedelta(minutes=1)
    await token_use.flush()
    assert (await ApiToken.get()).last_used_at == clock()


async def test_token_use_is_flushed_periodically_and_when_stopping(client, clock):
    from qunshang.members.models import ApiToken
    from qunshang.testing import bearer, make_member
    from qunshang.web.auth import TokenUse

    await bearer(await make_member())
    token = await ApiToken.get()
    token_use, stop = TokenUse(), asyncio.Event()
    task = asyncio.create_task(token_use.flush_until(stop, every=0.01))
    token_use.record(token.id, clock())
    for _ in range(100):
        await asyncio.sleep(0.01)
        if (await ApiToken.get()).last_used_at is not None:
            break
    assert (await ApiToken.get()).last_used_at == clock()
    token_use.record(token.id, clock.advance(minutes=3))
    stop.set()
    await task
    assert (await ApiToken.get()).last_used_at == clock()


async def test_revoked_tokens_and_disabled_members_are_refused_at_once(client, clock):
    from qunshang.members.models import ApiToken, Member
    from qunshang.testing import bearer, make_member

    member = await make_member()
    headers = await bearer(member)
    assert (await client.get("/api/products", headers=headers)).status_code == 200
    await Member.filter(id=member.id).update(is_active=False)
    r = await client.get("/api/products", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_authenticated"
    await Member.filter(id=member.id).update(is_active=True)
    assert (await client.get("/api/products", headers=headers)).status_code == 200
    await ApiToken.filter(member_id=member.id).update(revoked_at=clock())
    assert (await client.get("/api/products", headers=headers)).status_code == 401


@pytest.mark.parametrize("sort", ["default", "newest", "price_asc", "price_desc"])
async def test_listing_pages_sorts_and_filters_like_the_orm(client, sort):
    from qunshang.catalog.models import Product

    teas = await service.create_category("Tea", "tea")
    for i, (price, position) in enumerate([(500, 2), (300, 1), (500, 1), (900, 0), (100, 2)]):
        await service.create_product(
            title=f"Tea {i}", status=ProductStatus.PUBLISHED, position=position, category_id=teas.id if i % 2 else None,
            skus=[service.SkuInput(f"T-{i}", price, i % 2)],
        )
    await _product("Hidden", status=ProductStatus.DRAFT, code="H-1")
    order = service.SORTS[sort]
    for category, query in [(None, Product.filter(status=ProductStatus.PUBLISHED)),
                            ("tea", Product.filter(status=ProductStatus.PUBLISHED, category__slug="tea"))]:
        expected = await query.order_by(*order).values_list("id", flat=True)
        seen, offset = [], 0
        while True:
            params = {"sort": sort, "limit": 2, "offset": offset} | ({"category": category} if category else {})
            page = (await client.get("/api/products", params=params)).json()
            seen += [item["id"] for item in page["items"]]
            offset += 2
            if not page["has_more"]:
                break
        assert seen == expected, (sort, category)
    item = (await client.get("/api/products", params={"sort": sort, "category": "tea"})).json()["items"][0]
    assert set(item) == {"id", "title", "image", "price", "final_price", "in_stock", "category_id"}
    assert item["category_id"] == teas.id and isinstance(item["in_stock"], bool)


async def test_search_finds_titles_and_descriptions(client):
    await _product("龙井 Longjing", code="L-1")
    await service.create_product(title="Pu'er", description="aged 50% longer", status=ProductStatus.PUBLISHED,
                                 skus=[service.SkuInput("P-1", 100, 1)])
    titles = lambda r: [i["title"] for i in r.json()["items"]]  # noqa: E731
    assert titles(await client.get("/api/products", params={"q": "longjing"})) == ["龙井 Longjing"]
    assert titles(await client.get("/api/products", params={"q": "50%"})) == ["Pu'er"]
    assert titles(await client.get("/api/products", params={"q": "50%", "category": "none"})) == []


async def test_token_use_that_cannot_be_written_waits_for_the_next_flush(client, clock, monkeypatch):
    from qunshang.members.models import ApiToken
    from qunshang.testing import bearer, make_member

    await client.get("/api/products", headers=await bearer(await make_member()))
    token_use = client.runtime.state["token_use"]
    filter_tokens = ApiToken.filter

    def unavailable(*args, **kwargs):
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(ApiToken, "filter", unavailable)
    await token_use.flush()  # logged, not raised
    monkeypatch.setattr(ApiToken, "filter", filter_tokens)
    assert (await ApiToken.get()).last_used_at is None
    await token_use.flush()
    assert (await ApiToken.get()).last_used_at == clock()


async def test_listing_shows_each_products_first_image(client):
    await service.create_product(title="Pictured tea", status=ProductStatus.PUBLISHED, images=["/media/a.png", "/media/b.png"],
                                 skus=[service.SkuInput("PIC-1", 100, 1)])
    await service.create_product(title="Plain tea", status=ProductStatus.PUBLISHED, skus=[service.SkuInput("PLN-1", 100, 1)])
    for params in ({}, {"q": "tea"}):  # browsing (prepared SQL) and searching (the ORM)
        items = (await client.get("/api/products", params=params)).json()["items"]
        assert {i["title"]: i["image"] for i in items} == {"Pictured tea": "/media/a.png", "Plain tea": None}, params
