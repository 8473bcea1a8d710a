"""Helpers for the CRM tests (no tests here)."""

from __future__ import annotations

from typing import Any

from qunshang.plugins.crm.models import Customer
from qunshang.plugins.crm.service import assignment, salespeople
from qunshang.testing import bearer, make_member

PASSWORD = "correct horse 1"


async def seller(runtime, login: str, **changes: Any):
    """A member with the salesperson role, enrolled in the CRM (``.code`` is their invite code)."""
    member = await make_member(f"{login}@example.com", roles=["salesperson"], display_name=login)
    row = await salespeople.ensure(runtime, member.id)
    if changes:
        row = await salespeople.update(member.id, **changes)
    member.code = row.code
    return member


async def register(client, login: str, context: dict[str, str] | None = None) -> int:
    """Register through the API (hooks fire); the new member's id."""
    r = await client.post("/api/auth/register", json={
        "login": f"{login}@example.com", "password": PASSWORD, "display_name": login, "context": context or {"source": "direct"},
    }, headers=await client.form_headers())
    assert r.status_code in (200, 201), r.text
    return r.json()["id"]


async def lead(runtime, login: str, **fields: Any) -> int:
    """An unowned customer created without hooks (a pool lead)."""
    member = await make_member(f"{login}@example.com")
    customer = await assignment.ensure_customer(runtime, member.id, "direct")
    if fields:
        await Customer.filter(id=customer.id).update(**fields)
    return member.id


async def owner_of(member_id: int) -> int | None:
    return (await Customer.get(member_id=member_id)).owner_id


async def loads(*members) -> list[int]:
    return [(await salespeople.get(m.id)).load for m in members]


async def headers_of(member) -> dict[str, str]:
    return await bearer(member)


async def product_in(category_slug: str, price: int = 10000, code: str = "T-1"):
    """A published SKU in a new category with this slug."""
    from qunshang.catalog import service as catalog
    from qunshang.catalog.models import ProductStatus

    category = await catalog.create_category(category_slug, category_slug)
    product = await catalog.create_product(title=f"Tea {code}", status=ProductStatus.PUBLISHED, category_id=category.id,
                                           skus=[catalog.SkuInput(code, price, 1000)])
    return (await product.skus.all())[0]


async def buy(client, member, sku_id: int, quantity: int = 1) -> dict[str, Any]:
    """Place and pay an order through the API (``order_paid`` fires)."""
    from tests.core.test_orders_support import pay, place

    headers = await bearer(member)
    order = await place(client, headers, sku_id, quantity)
    await pay(client, headers, order["id"])
    return order


class QueryCounter:
    """Counts the SQL statements Tortoise logs: ``with QueryCounter() as q: …; q.count``."""

    def __init__(self) -> None:
        import logging

        class Handler(logging.Handler):
            def emit(inner, record):  # noqa: N805
                self.count += 1

        self.count = 0
        self._handler = Handler(logging.DEBUG)
        self._logger = logging.getLogger("tortoise.db_client")

    def __enter__(self) -> "QueryCounter":
        import logging

        self._level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._level)
