"""Product and SKU commission overrides, and the earnings calculator for a product page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qunshang.catalog.models import Product, ProductStatus, Sku
from qunshang.errors import InvalidInput, NotFound

from ..models import Distributor, RateOverride
from . import commissions
from .distributors import check_rates

if TYPE_CHECKING:
    from qunshang.runtime import Runtime


async def set_override(runtime: Runtime, product_id: int, *, sku_id: int | None, rates_bp: list[int] | None,
                       amounts_per_unit: list[int] | None, excluded: bool) -> dict[str, Any]:
    levels = runtime.settings("distribution").levels
    if not await Product.exists(id=product_id):
        raise NotFound()
    if sku_id is not None and not await Sku.exists(id=sku_id, product_id=product_id):
        raise NotFound()
    if rates_bp is not None and amounts_per_unit is not None:
        raise InvalidInput(detail="set either {first} or {second}, not both", first="rates_bp", second="amounts_per_unit")
    check_rates(rates_bp, levels)
    if amounts_per_unit is not None and (
        len(amounts_per_unit) > levels
        or any(isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 10**9 for a in amounts_per_unit)
    ):
        raise InvalidInput(detail="{field} holds at most {levels} amounts of 0 to {high}", field="amounts_per_unit", levels=levels, high=1_000_000_000)
    override, _ = await RateOverride.update_or_create(
        product_id=product_id, sku_id=sku_id,
        defaults={"rates_bp": rates_bp, "amounts_per_unit": amounts_per_unit, "excluded": excluded},
    )
    return override_out(override)


async def delete_override(product_id: int, sku_id: int | None) -> None:
    if not await RateOverride.filter(product_id=product_id, sku_id=sku_id).delete():
        raise NotFound()


async def calculator(runtime: Runtime, product_id: int, member_id: int | None = None) -> dict[str, Any]:
    """What each level would earn on one unit of each SKU at list price under the current
    rules, as the viewer's grade would be paid (the explanation of a real commission is exact)."""
    product = await Product.get_or_none(id=product_id, status=ProductStatus.PUBLISHED)
    if product is None:
        raise NotFound()
    skus = await Sku.filter(product_id=product_id, active=True).values("id", "name", "price")
    return await calculate(runtime, product_id, skus, await grade_rates_of(member_id))


async def grade_rates_of(member_id: int | None) -> tuple[int, ...]:
    """The rates of the member's grade (empty: the defaults apply)."""
    if member_id is None:
        return ()
    row = await Distributor.filter(member_id=member_id).first().values("grade__rates_bp")
    return tuple((row or {}).get("grade__rates_bp") or ())


async def calculate(runtime: Runtime, product_id: int, skus: list[dict[str, Any]],
                    grade_rates: tuple[int, ...] = ()) -> dict[str, Any]:
    """The calculator for ``skus`` (``id``, ``name``, ``price``) already loaded, for an earner
    whose grade pays ``grade_rates``: one query (the product's overrides) whatever the number
    of levels and SKUs. The rules are the commission plan's own (:func:`commissions.rule_for`),
    capped like a line at the price paid (:func:`commissions.cap_line`)."""
    settings = runtime.settings("distribution")
    overrides = {(o.product_id, o.sku_id): o for o in await RateOverride.filter(product_id=product_id)}
    out = []
    for sku in skus:
        override = commissions.override_for(overrides, product_id, sku["id"])
        levels, paid_below = [], 0
        for level in range(1, settings.levels + 1):
            if override is not None and override.excluded:
                levels.append({"level": level, "amount": 0, "rate_bp": 0, "source": "excluded"})
                continue
            rule = commissions.rule_for(settings, grade_rates, override, level, paid_below)
            if rule["differential"] is not None:
                paid_below = max(paid_below, rule["differential"]["tier_rate_bp"])
            amount, _exact = commissions.amount_of(rule, sku["price"], 1)
            levels.append({"level": level, "amount": amount, "rate_bp": rule["rate_bp"], "source": rule["rate_source"]})
        for row, amount in zip(levels, commissions.cap_line([r["amount"] for r in levels], sku["price"]), strict=True):
            row["amount"] = amount
        out.append({"sku_id": sku["id"], "name": sku["name"], "price": sku["price"], "levels": levels})
    return {"product_id": product_id, "self_purchase": settings.self_purchase, "skus": out}


def override_out(o: RateOverride) -> dict[str, Any]:
    return {"product_id": o.product_id, "sku_id": o.sku_id, "rates_bp": o.rates_bp,
            "amounts_per_unit": o.amounts_per_unit, "excluded": o.excluded}
