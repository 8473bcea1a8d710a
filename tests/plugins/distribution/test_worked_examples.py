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


@pytest.mark.parametrize(
    ("per_unit", "expected", "uncapped"),
    [
        # 2 × ¥60 + 2 × ¥40 = ¥200 > ¥170 paid for the line: B keeps ¥120, A gets the ¥50 left.
        ([6000, 4000], {"b": 12000, "a": 5000}, {"b": None, "a": 8000}),
        # B's 2 × ¥90 alone is over ¥170: B gets ¥170, nothing is left for A (no row).
        ([9000, 1000], {"b": 17000}, {"b": 18000}),
        # ¥85 + ¥85 is exactly what was paid: nothing is capped.
        ([4250, 4250], {"b": 8500, "a": 8500}, {"b": None, "a": None}),
    ],
)
async def test_fixed_amounts_are_capped_at_the_amount_paid_for_the_line(make_app, per_unit, expected, uncapped):
    async with await _example(make_app) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        await rules.set_override(client.runtime, tea.product_id, sku_id=None, rates_bp=None,
                                 amounts_per_unit=per_unit, excluded=False)
        order = await buy(client, c, tea.id, 2)
        names = {a.id: "a", b.id: "b"}
        assert {names[m]: amount for m, amount in (await earned(order["id"])).items()} == expected
        assert sum(expected.values()) <= 17000
        for row in await Commission.filter(order_id=order["id"]).order_by("level"):
            why = row.explanation
            who = names[row.earner_id]
            if uncapped[who] is None:
                assert why["cap"] is None and "capped" not in why["rounding"]
            else:
                assert why["cap"] == {"paid": 17000, "uncapped": uncapped[who]}
                assert why["rounding"].endswith("capped at the amount paid for the line (all levels together, lower levels first)")
        assert await ledger.wallet(b.id) == {"pending": expected["b"], "available": 0}
        assert await ledger.check() == []


async def test_a_list_price_base_is_capped_too_and_the_cap_is_shown(make_app):
    """List base ¥200 at 60% / 40%: ¥120 + ¥80 rounded half-up per earner, capped at the ¥170 paid."""
    async with await _example(make_app, base="list", rates_bp=[6000, 4000]) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id, 2)
        assert await earned(order["id"]) == {b.id: 12000, a.id: 5000}
        level2 = await Commission.get(order_id=order["id"], level=2)
        assert level2.explanation["exact"] == "8000.0000" and level2.explanation["cap"]["uncapped"] == 8000
        calc = await rules.calculate(client.runtime, tea.product_id, [{"id": tea.id, "name": "", "price": 10000}])
        assert [lv["amount"] for lv in calc["skus"][0]["levels"]] == [6000, 4000]  # one unit: ¥100 covers both


def test_cap_line_allocates_lower_levels_first_and_never_creates_a_fen():
    assert rules.commissions.cap_line([12000, 8000], 17000) == [12000, 5000]
    assert rules.commissions.cap_line([3, 3, 3], 7) == [3, 3, 1]
    assert rules.commissions.cap_line([5, 1], 0) == [0, 0]
    assert rules.commissions.cap_line([1, 1], 9) == [1, 1]
