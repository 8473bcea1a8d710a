"""Helpers for the page tests (no tests here): a chain of members who can log in, a product,
and an order by the last of them, paid so the chain has commissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.members import service as members
from qunshang.orders import service as orders
from qunshang.payments import service as payments
from qunshang.plugins.distribution.service import distributors
from tests.themes.shop import ADDRESS, PASSWORD, log_in, post_form

THEMES = ["default", "chayou"]
LANGS = {"zh_CN": ("zh-CN", "分销中心"), "en": ("en", "Distribution centre")}

__all__ = ["World", "world", "log_in", "post_form", "PASSWORD", "THEMES", "LANGS", "pay"]


@dataclass
class World:
    a: Any
    b: Any
    c: Any
    product: Any
    order: Any


async def register(runtime, login: str, name: str, code: str | None = None):
    context = {"source": "link", **({"referral_code": code} if code else {})}
    return await members.register(runtime, login=login, password=PASSWORD, display_name=name, context=context)


async def pay(runtime, buyer, sku, quantity: int = 1):
    order = (await orders.place_order(runtime, buyer, [{"sku_id": sku.id, "quantity": quantity}], ADDRESS)).order
    intent = await payments.create_intent(runtime, order, "sandbox")
    await payments.complete_sandbox(runtime, buyer.id, intent["intent_id"])
    return order


async def world(runtime, *, names: tuple[str, str, str] = ("阿明", "小芳", "小陈"), price: int = 10000,
                title: str = "西湖龙井") -> World:
    """A → B → C registered through each other's links (everyone mode makes them distributors),
    and C's paid order of one ¥100 tea: B earns level 1, A level 2."""
    a = await register(runtime, "13900000001", names[0])
    await distributors.ensure(runtime, a.id, "designated")
    b = await register(runtime, "13900000002", names[1], (await distributors.get(a.id)).code)
    await distributors.ensure(runtime, b.id, "designated")
    c = await register(runtime, "13900000003", names[2], (await distributors.get(b.id)).code)
    product = await catalog.create_product(title=title, status=ProductStatus.PUBLISHED,
                                           skus=[catalog.SkuInput("LJ-1", price, 50, "50g")])
    order = await pay(runtime, c, (await product.skus.all())[0])
    return World(a, b, c, product, order)
