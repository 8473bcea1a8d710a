"""Helpers for the distribution tests (no tests here)."""

from __future__ import annotations

import logging
from typing import Any

from qunshang import hookimpl
from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus, Sku
from qunshang.catalog.pricing import Adjustment
from qunshang.ledger import service as ledger
from qunshang.orders import service as orders
from qunshang.plugins.distribution.models import Commission
from qunshang.plugins.distribution.service import binding, distributors
from qunshang.testing import bearer, make_member
from tests.core.test_orders_support import pay, place

NO_FREE_SHIPPING = {"orders": {"shipping_fee": 1000, "free_shipping_over": None}}
RATES = {"levels": 2, "rates_bp": [2000, 1000]}


class Coupon:
    """A test price_adjustments plugin: ``amount`` off the first line of an order (not listings)."""

    def __init__(self, amount: int) -> None:
        self.amount = amount

    @hookimpl
    def price_adjustments(self, lines, context):
        if context.get("purpose") != "order" or not lines:
            return None
        return [Adjustment(line=0, amount=-self.amount, label="coupon", source="test")]


def settings(**values: Any) -> dict[str, dict[str, Any]]:
    return {"distribution": {**RATES, **values}}


async def sku(price: int = 10000, stock: int = 100, code: str = "T-1") -> Sku:
    product = await catalog.create_product(title=f"Tea {code}", status=ProductStatus.PUBLISHED,
                                           skus=[catalog.SkuInput(code, price, stock)])
    return (await product.skus.all())[0]


async def distributor(runtime, login: str, upline=None):
    """A member made distributor, bound under ``upline`` (a member) when given."""
    member = await make_member(f"{login}@example.com", display_name=login)
    row = await distributors.ensure(runtime, member.id, "designated")
    if upline is not None:
        up = await distributors.ensure(runtime, upline.id, "designated")
        await binding.bind(runtime, member.id, up.code, is_new=True)
    member.code = row.code
    return member


async def chain(runtime):
    """A → B → C, all distributors."""
    a = await distributor(runtime, "a")
    b = await distributor(runtime, "b", a)
    c = await distributor(runtime, "c", b)
    return a, b, c


async def buy(client, member, sku_id: int, quantity: int = 1) -> dict[str, Any]:
    headers = await bearer(member)
    order = await place(client, headers, sku_id, quantity)
    await pay(client, headers, order["id"])
    return order


async def earned(order_id: int) -> dict[int, int]:
    rows = await Commission.filter(order_id=order_id).values_list("earner_id", "amount")
    out: dict[int, int] = {}
    for earner, amount in rows:
        out[earner] = out.get(earner, 0) + amount
    return out


async def wallet(member) -> dict[str, int]:
    return await ledger.wallet(member.id)


async def close(runtime, order_id: int) -> None:
    """Ship, receive and close the after-sales window through the core services."""
    await orders.ship(runtime, order_id, carrier="SF", tracking_number="SF1", actor_id=None)
    await orders.complete(runtime, order_id, actor_id=None, note="buyer")
    await orders.close(runtime, order_id)


class QueryCounter(logging.Handler):
    """Counts the SQL statements Tortoise logs: ``with QueryCounter() as q: …; q.count``."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self._logger = logging.getLogger("tortoise.db_client")

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    def __enter__(self) -> "QueryCounter":
        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._level)
