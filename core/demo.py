"""``qunshang demo``: seed a believable tea community through the public services.

Everything goes through the same services and hooks as real traffic (registration, roles,
catalog, groups, orders, payments), so the demo exercises the real paths; enabled plugins add
their own data through the ``seed_demo`` hook.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import service as catalog
from .catalog.models import ProductStatus
from .demo_data import CATEGORIES, DEMO_PASSWORD, GROUPS, MEMBERS, PRODUCTS
from .demo_images import write_product_image
from .groups import service as groups
from .members import service as members

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

    await runtime.call("seed_demo", demo=demo)
    demo["logins"] = [(login, DEMO_PASSWORD, ", ".join(roles) or level) for login, _n, roles, level in MEMBERS]
    return demo


def steps() -> int:
    """How many progress steps :func:`seed` reports (for a progress bar)."""
    return len(MEMBERS) + len(PRODUCTS) + len(GROUPS)
