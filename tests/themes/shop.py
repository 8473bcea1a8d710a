"""A small seeded shop for storefront tests: categories, products, a member, a group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.groups import service as groups
from qunshang.members import service as members
from qunshang.orders import service as orders

PASSWORD = "correct horse battery"
ADDRESS = {"name": "李雷", "phone": "13800000000", "region": "浙江省杭州市西湖区", "detail": "龙井路 1 号"}
XSS = '<script>alert(1)</script><a href="javascript:alert(3)">'
SVG = '<svg onload=alert(2)><image href="javascript:alert(4)"/></svg>'


@dataclass
class Shop:
    member: Any
    product: Any
    sold_out: Any
    group: Any
    invite: Any
    order: Any


async def seed(runtime, *, products: int = 3, evil: str = "") -> Shop:
    """``evil`` prefixes every text a member or operator types (long texts also get an SVG payload)."""
    long_evil = evil + SVG if evil else ""
    tea = await catalog.create_category("绿茶", "green-tea")
    first = None
    for n in range(products):
        p = await catalog.create_product(
            title=f"{evil}西湖龙井 {n}", description=f"{long_evil}明前特级", category_id=tea.id, status=ProductStatus.PUBLISHED,
            skus=[catalog.SkuInput(f"LJ{n}-50", 129900, 20, "50g"), catalog.SkuInput(f"LJ{n}-100", 249900, 3, "100g")],
        )
        first = first or p
    sold_out = await catalog.create_product(title="碧螺春", status=ProductStatus.PUBLISHED,
                                            skus=[catalog.SkuInput("BLC", 8800, 0)])
    member = await members.register(runtime, login="13900000000", password=PASSWORD, display_name=f"{evil}茶友小王")
    group = await groups.create_group(runtime, member, f"{evil}杭州茶友会", description=f"{long_evil}一起喝茶")
    await groups.create_announcement(runtime, member, group.id, f"{evil}周末品茶", f"{long_evil}周六下午三点")
    invite = await groups.create_invite(runtime, member, group.id)
    sku = (await first.skus.all())[0]
    order = (await orders.place_order(runtime, member, [{"sku_id": sku.id, "quantity": 1}], ADDRESS)).order
    return Shop(member, first, sold_out, group, invite, order)


async def log_in(client, login: str = "13900000000", password: str = PASSWORD) -> None:
    await client.get("/login")
    r = await client.post("/login", data={"login": login, "password": password, "next": "/me",
                                          "_csrf_token": client.cookies.get("qunshang_csrf", "")})
    assert r.status_code == 303, r.text


async def post_form(client, path: str, data: dict[str, Any] | None = None, **kwargs):
    if "qunshang_csrf" not in client.cookies:
        await client.get("/healthz")
    return await client.post(path, data={**(data or {}), "_csrf_token": client.cookies.get("qunshang_csrf", "")}, **kwargs)
