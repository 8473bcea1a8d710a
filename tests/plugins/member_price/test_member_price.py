"""会员价: a member's level discounts listings and product pages; settings are validated at startup."""

import pytest

from qunshang.catalog import service
from qunshang.catalog.models import ProductStatus
from qunshang.errors import PluginError
from qunshang.money import apply_rate
from qunshang.testing import bearer, make_member


async def _product(price: int, code: str = "T-1"):
    return await service.create_product(
        title=f"Tea {code}", status=ProductStatus.PUBLISHED, skus=[service.SkuInput(code, price, 5)]
    )


async def _listed_prices(client, headers=None) -> dict[int, tuple[int, int]]:
    r = await client.get("/api/products?limit=24", headers=headers or {})
    assert r.status_code == 200, r.text
    return {item["id"]: (item["price"], item["final_price"]) for item in r.json()["items"]}


async def test_fan_gets_the_default_discount_on_the_listing(make_app):
    async with make_app(enabled=["member_price"]) as client:
        tea = await _product(12900)
        fan = await bearer(await make_member("fan@example.com", level="fan"))
        assert await _listed_prices(client, fan) == {tea.id: (12900, 12900 - apply_rate(12900, 500))}
        assert 12900 - apply_rate(12900, 500) == 12255


async def test_discount_rounds_half_up_to_the_fen(make_app):
    settings = {"member_price": {"discount_bp": {"fan": 1000, "loyal_fan": 1500}}}
    async with make_app(enabled=["member_price"], settings=settings) as client:
        odd = await _product(12345)  # 10% is 1234.5 fen: half-up takes 1235 off
        fan = await bearer(await make_member("fan@example.com", level="fan"))
        loyal = await bearer(await make_member("loyal@example.com", level="loyal_fan"))
        assert await _listed_prices(client, fan) == {odd.id: (12345, 11110)}
        assert await _listed_prices(client, loyal) == {odd.id: (12345, 12345 - 1852)}  # 1851.75 → 1852


async def test_product_page_shows_the_adjustment(make_app):
    async with make_app(enabled=["member_price"]) as client:
        tea = await _product(8800)
        fan = await bearer(await make_member("fan@example.com", level="fan"))
        sku = (await client.get(f"/api/products/{tea.id}", headers=fan)).json()["skus"][0]
        assert sku["price"] == 8800 and sku["final_price"] == 8360
        assert sku["adjustments"] == [{"amount": -440, "label": "会员价", "source": "member_price", "code": ""}]


async def test_anonymous_visitor_and_level_without_a_rate_pay_the_list_price(make_app):
    async with make_app(enabled=["member_price"]) as client:
        tea = await _product(12900)
        newcomer = await bearer(await make_member("new@example.com", level="user"))
        assert await _listed_prices(client) == {tea.id: (12900, 12900)}
        assert await _listed_prices(client, newcomer) == {tea.id: (12900, 12900)}


async def test_no_discount_when_the_plugin_is_not_enabled(make_app):
    async with make_app() as client:
        tea = await _product(12900)
        fan = await bearer(await make_member("fan@example.com", level="fan"))
        assert not client.runtime.is_enabled("member_price")
        assert await _listed_prices(client, fan) == {tea.id: (12900, 12900)}


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"discount_bp": {"fan": 5001}}, "discount_bp: Value error, discount for fan must be between 0 and 5000 basis points"),
        ({"discount_bp": {"fan": -1}}, "discount_bp: Value error, discount for fan must be between 0 and 5000 basis points"),
        ({"discount_bp": {"vip": 100}}, "discount_bp.vip.[key]: Input should be 'user', 'member', 'fan' or 'loyal_fan'"),
        ({"discount_bp": {"fan": 2.5}}, "discount_bp.fan: Input should be a valid integer, got a number with a fractional part"),
        ({"rate": 500}, "rate: Extra inputs are not permitted"),
    ],
)
async def test_invalid_settings_stop_startup(make_app, block, expected):
    with pytest.raises(PluginError) as info:
        async with make_app(enabled=["member_price"], settings={"member_price": block}):
            pass
    assert str(info.value) == f"[plugins.member_price] {expected}"
