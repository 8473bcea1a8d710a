"""``qunshang demo``: seed a believable tea community through the public services.

Everything goes through the same services and hooks as real traffic (registration, roles,
catalog, groups, orders, sandbox payments), so the demo exercises the real paths; enabled plugins add
their own data through the ``seed_demo`` hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import service as catalog
from .catalog.models import ProductStatus
from .demo_data import CATEGORIES, DEMO_ORDERS, DEMO_PASSWORD, GROUPS, MEMBERS, PRODUCTS
from .demo_images import write_product_image
from .groups import service as groups
from .members import service as members
from .orders import service as orders
from .payments import service as payments

if TYPE_CHECKING:
    from .runtime import Runtime


async def seed(runtime: Runtime, progress=None) -> dict[str, Any]:
    """Seed the demo; ``progress(step)`` is called after each step. Returns what was made."""
    step = progress or (lambda _name: None)
    demo: dict[str, Any] = {"members": {}, "products": [], "groups": []}

    for login, name, roles, level in MEMBERS:
        member = await members.register(
            runtime, login=login, password=DEMO_PASSWORD, display_name=name, context={"source": "direct"}
        )
        demo["members"][login] = member
        step("member")
    owner = demo["members"][MEMBERS[0][0]]
    await members.bootstrap_owner(owner)
    for login, _name, roles, level in MEMBERS:
        member = demo["members"][login]
        for role in roles:
            if role != "owner":
                await members.grant_role(runtime, owner, member, role)
        if level != "user":
            await members.set_level(runtime, member, level, "demo")

    images = Path(runtime.config.app.media_dir) / "demo"
    categories = {}
    for position, (name, slug) in enumerate(CATEGORIES):
        categories[slug] = await catalog.create_category(name, slug, position=position)
    for index, (slug, title, subtitle, skus) in enumerate(PRODUCTS):
        image = write_product_image(images, f"p{index + 1}", title, subtitle)
        product = await catalog.create_product(
            title=f"{title} {subtitle}",
            description=f"{title}：茶友会精选，产地直供。\n{subtitle}: selected for the club, direct from the origin.",
            category_id=categories[slug].id,
            images=[f"/media/demo/{image}"],
            status=ProductStatus.PUBLISHED,
            position=index,
            skus=[catalog.SkuInput(f"D{index + 1:03d}-{n + 1}", price, stock, name) for n, (name, price, stock) in enumerate(skus)],
        )
        demo["products"].append(product)
        step("product")

    for owner_login, name, description, policy in GROUPS:
        group = await groups.create_group(runtime, demo["members"][owner_login], name, description, policy)
        await groups.create_announcement(
            runtime, demo["members"][owner_login], group.id, "欢迎 Welcome", "新朋友请先看群公告。Please read the pinned notes.", pinned=True
        )
        demo["groups"].append(group)
        step("group")
    buyer = demo["members"]["buyer@demo.qunshang"]
    for group, (owner_login, *_rest) in zip(demo["groups"][:2], GROUPS):
        membership = await groups.join(runtime, group.id, buyer, via="link")
        if membership.status == "pending":
            await groups.approve(runtime, demo["members"][owner_login], group.id, buyer.id)

    demo["orders"] = await _orders(runtime, demo)
    step("orders")

    await runtime.call("seed_demo", demo=demo)
    demo["logins"] = [(login, DEMO_PASSWORD, ", ".join(roles) or level) for login, _n, roles, level in MEMBERS]
    return demo


async def _orders(runtime: Runtime, demo: dict[str, Any]) -> list[Any]:
    """A few orders at different stages, paid through the sandbox provider."""
    address = {"name": "陈小姐", "phone": "13800000003", "region": "浙江省 杭州市 西湖区", "detail": "龙井路 1 号"}
    owner = demo["members"]["owner@demo.qunshang"]
    made = []
    for login, product_indexes, stage in DEMO_ORDERS:
        buyer = demo["members"][login]
        skus = [(await demo["products"][i].skus.all())[0] for i in product_indexes]
        placed = await orders.place_order(
            runtime, buyer, [{"sku_id": sku.id, "quantity": 1} for sku in skus], address, context={"channel": "demo"}
        )
        order = placed.order
        if stage != "placed":
            intent = await payments.create_intent(runtime, order, "sandbox")
            await payments.complete_sandbox(runtime, buyer.id, intent["intent_id"])
        if stage in ("shipped", "completed"):
            await orders.ship(runtime, order.id, carrier="SF", tracking_number=f"SF{order.id:010d}", actor_id=owner.id)
        if stage == "completed":
            await orders.complete(runtime, order.id, actor_id=buyer.id, note="buyer")
        made.append(order)
    return made


def steps() -> int:
    """How many progress steps :func:`seed` reports (for a progress bar)."""
    return len(MEMBERS) + len(PRODUCTS) + len(GROUPS) + 1
