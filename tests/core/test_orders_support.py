"""Helpers shared by the orders, payments and ledger tests (no tests here)."""

from __future__ import annotations

from typing import Any

from qunshang import hookimpl
from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus, Sku
from qunshang.catalog.pricing import Adjustment
from qunshang.orders.models import Order
from qunshang.payments.providers.sandbox import SandboxCallback, signed_callback
from qunshang.testing import bearer, make_member

ADDRESS = {"name": "张三", "phone": "13800138000", "region": "浙江省杭州市西湖区", "detail": "文三路 1 号"}
SANDBOX_SECRET = "sandbox-test-secret"  # what qunshang.testing.make_app configures


async def sku(title: str = "龙井 Tea", price: int = 1000, stock: int = 10, code: str = "T-1",
              status: ProductStatus = ProductStatus.PUBLISHED) -> Sku:
    product = await catalog.create_product(title=title, status=status, skus=[catalog.SkuInput(code, price, stock)])
    return (await product.skus.all())[0]


async def buyer(login: str = "buyer@example.com", **fields: Any) -> dict[str, str]:
    return await bearer(await make_member(login, **fields))


async def staff(role: str, login: str | None = None) -> dict[str, str]:
    return await bearer(await make_member(login or f"{role}@example.com", roles=[role]))


def order_body(*lines: tuple[int, int], **extra: Any) -> dict[str, Any]:
    return {"lines": [{"sku_id": s, "quantity": q} for s, q in lines], "address": ADDRESS, **extra}


async def place(client, headers: dict[str, str], sku_id: int, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    r = await client.post("/api/orders", json=order_body((sku_id, quantity), **extra), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def pay(client, headers: dict[str, str], order_id: int) -> dict[str, Any]:
    """Pay an order through the sandbox's demo button (a signed callback)."""
    intent = await client.post(f"/api/orders/{order_id}/pay", json={"provider": "sandbox"}, headers=headers)
    assert intent.status_code == 201, intent.text
    done = await client.post(f"/api/payments/sandbox/{intent.json()['intent_id']}/complete", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()


async def callback(client, intent_id: str, transaction_id: str, amount: int, timestamp: int,
                   secret: str = SANDBOX_SECRET):
    headers, body = signed_callback(secret, SandboxCallback(intent_id, transaction_id, amount), timestamp)
    return await client.post("/api/payments/sandbox/callback", content=body, headers=headers)


async def status_of(order_id: int) -> str:
    return str((await Order.get(id=order_id)).status)


class Recorder:
    """A test plugin counting hook calls: ``make_app(extra_plugins=[recorder])``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def of(self, hook: str) -> list[Any]:
        return [arg for name, arg in self.calls if name == hook]

    @hookimpl
    def order_placed(self, order):
        self.calls.append(("order_placed", order.id))

    @hookimpl
    def order_paid(self, order, payment):
        self.calls.append(("order_paid", (order.id, payment.transaction_id)))

    @hookimpl
    def order_cancelled(self, order, reason):
        self.calls.append(("order_cancelled", (order.id, reason)))

    @hookimpl
    def order_completed(self, order):
        self.calls.append(("order_completed", order.id))

    @hookimpl
    def order_refunded(self, order, refund):
        self.calls.append(("order_refunded", (order.id, refund.amount)))

    @hookimpl
    def after_sales_closed(self, order):
        self.calls.append(("after_sales_closed", order.id))


class Discount:
    """A test plugin taking ``amount`` off every line."""

    def __init__(self, amount: int) -> None:
        self.amount = amount

    @hookimpl
    def price_adjustments(self, lines):
        return [Adjustment(line=i, amount=-self.amount, label="test", source="test") for i in range(len(lines))]
