"""Product and SKU commission overrides, and the earnings calculator for a product page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qunshang.catalog.models import Product, ProductStatus, Sku
from qunshang.errors import InvalidInput, NotFound
from qunshang.money import apply_rate

from ..models import RateOverride
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
        raise InvalidInput(detail="set either rates_bp or amounts_per_unit, not both")
    check_rates(rates_bp, levels)
    if amounts_per_unit is not None and (
        len(amounts_per_unit) > levels
        or any(isinstance(a, bool) or not isinstance(a, int) or not 0 <= a <= 10**9 for a in amounts_per_unit)
    ):
        raise InvalidInput(detail=f"amounts_per_unit holds at most {levels} amounts of 0 to 1000000000")
    override, _ = await RateOverride.update_or_create(
        product_id=product_id, sku_id=sku_id,
        defaults={"rates_bp": rates_bp, "amounts_per_unit": amounts_per_unit, "excluded": excluded},
    )
    return override_out(override)


async def delete_override(product_id: int, sku_id: int | None) -> None:
    if not await RateOverride.filter(product_id=product_id, sku_id=sku_id).delete():
        raise NotFound()


async def calculator(runtime: Runtime, product_id: int) -> dict[str, Any]:
    """What each level would earn on one unit of each SKU at list price under the current
    default rules (grades may pay differently; the explanation of a real commission is exact)."""
    settings = runtime.settings("distribution")
    product = await Product.get_or_none(id=product_id, status=ProductStatus.PUBLISHED)
    if product is None:
        raise NotFound()
    skus = await Sku.filter(product_id=product_id, active=True).values("id", "name", "price")
    overrides = {o.sku_id: o for o in await RateOverride.filter(product_id=product_id)}
    out = []
    for sku in skus:
        override = overrides.get(sku["id"]) or overrides.get(None)
        levels = []
        for level in range(1, settings.levels + 1):
            if override is not None and override.excluded:
                amount = 0
            elif override is not None and override.amounts_per_unit is not None:
                amounts = override.amounts_per_unit
                amount = amounts[level - 1] if level <= len(amounts) else 0
            elif override is not None and override.rates_bp is not None:
                rates = override.rates_bp
                amount = apply_rate(sku["price"], rates[level - 1] if level <= len(rates) else 0)
            else:
                amount = apply_rate(sku["price"], settings.rates_bp[level - 1])
            levels.append({"level": level, "amount": amount})
        out.append({"sku_id": sku["id"], "name": sku["name"], "price": sku["price"], "levels": levels})
    return {"product_id": product_id, "self_purchase": settings.self_purchase, "skus": out}


def override_out(o: RateOverride) -> dict[str, Any]:
    return {"product_id": o.product_id, "sku_id": o.sku_id, "rates_bp": o.rates_bp,
            "amounts_per_unit": o.amounts_per_unit, "excluded": o.excluded}
