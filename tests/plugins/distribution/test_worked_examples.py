"""The issue's worked examples: A → B → C at 20% / 10%, C buys 2 × ¥100 with a ¥30 coupon
and ¥10 shipping (pays ¥180)."""

import pytest

from qunshang.ledger import service as ledger
from qunshang.plugins.distribution.models import Commission
from qunshang.plugins.distribution.service import rules

from .support import NO_FREE_SHIPPING, Coupon, buy, chain, earned, settings, sku


async def _example(make_app, **overrides):
    return make_app(enabled=["distribution"], settings=settings(**overrides), config=NO_FREE_SHIPPING,
                    extra_plugins=[Coupon(3000)])


@pytest.mark.parametrize(
    ("base", "self_purchase", "expected"),
    [
        ("paid", False, {"b": 3400, "a": 1700}),
        ("list", False, {"b": 4000, "a": 2000}),
        ("paid", True, {"c": 3400, "b": 1700}),
    ],
)
async def test_chain_earns_the_documented_amounts(make_app, base, self_purchase, expected):
    async with await _example(make_app, base=base, self_purchase=self_purchase) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id, 2)
        assert order["total"] == 18000 and order["shipping_fee"] == 1000
        names = {a.id: "a", b.id: "b", c.id: "c"}
        assert {names[m]: amount for m, amount in (await earned(order["id"])).items()} == expected
        for who, amount in expected.items():
            member = {"a": a, "b": b, "c": c}[who]
            assert await ledger.wallet(member.id) == {"pending": amount, "available": 0}
        assert await ledger.check() == []


async def test_fixed_amount_per_unit_pays_level_one_only(make_app):
    async with await _example(make_app) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        await rules.set_override(client.runtime, tea.product_id, sku_id=None, rates_bp=None, amounts_per_unit=[500],
                                 excluded=False)
        order = await buy(client, c, tea.id, 2)
        assert await earned(order["id"]) == {b.id: 1000}


async def test_explanation_says_why(make_app):
    async with await _example(make_app) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id, 2)
        level1 = await Commission.get(order_id=order["id"], level=1)
        why = level1.explanation
        assert why["base"] == {"kind": "paid", "amount": 17000}
        assert (why["rate_bp"], why["rate_source"], why["level"], why["amount"]) == (2000, "default", 1, 3400)
        assert why["quantity"] == 2 and why["order_line_id"] == level1.order_line_id
        assert why["rounding"].startswith("half-up")
