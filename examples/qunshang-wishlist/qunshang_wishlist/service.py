"""Wishlist services: the only code that changes wishlist rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

from qunshang import Conflict, NotFound
from qunshang.catalog.models import Product, ProductStatus
from qunshang.catalog.pricing import PriceLine, price_lines
from qunshang.members.models import Member
from qunshang.orders.models import OrderLine

from .models import WishlistItem

if TYPE_CHECKING:
    from qunshang.orders.models import Order
    from qunshang.runtime import Runtime

    from .settings import Settings


class WishlistFull(Conflict):
    code = "wishlist_full"
    message = "Your wishlist is full: it holds at most {limit} products."


async def list_items(runtime: Runtime, member: Member) -> list[dict[str, Any]]:
    """The member's wishlisted products that are still for sale, newest first, priced for them."""
    rows = await (
        WishlistItem.filter(member_id=member.id, product__status=ProductStatus.PUBLISHED)
        .values("product_id", "created_at", title="product__title", price="product__price", stock="product__stock")
    )
    lines = [PriceLine(row["product_id"], None, 1, row["price"]) for row in rows]
    priced = await price_lines(runtime, lines, member, {"purpose": "listing"})
    return [
        {
            "product_id": row["product_id"],
            "title": row["title"],
            "price": row["price"],
            "final_price": p.total,
            "in_stock": row["stock"] > 0,
            "added_at": row["created_at"].isoformat(),
        }
        for row, p in zip(rows, priced)
    ]


async def add(runtime: Runtime, member: Member, product_id: int) -> tuple[dict[str, Any], bool]:
    """Add a published product; adding it again changes nothing. Returns ``(item, created)``.

    The member's row is locked for the check-then-insert, so two concurrent adds cannot both
    pass the cap (PostgreSQL), and SQLite runs write transactions one at a time.
    """
    settings: Settings = runtime.settings("wishlist")
    async with in_transaction():
        if not await Product.exists(id=product_id, status=ProductStatus.PUBLISHED):
            raise NotFound()
        await Member.filter(id=member.id).select_for_update().first()
        item = await WishlistItem.get_or_none(member_id=member.id, product_id=product_id)
        if item is not None:
            return _item_out(item), False
        if await WishlistItem.filter(member_id=member.id).count() >= settings.max_items:
            raise WishlistFull(limit=settings.max_items)
        item = await WishlistItem.create(member_id=member.id, product_id=product_id, created_at=runtime.now())
    return _item_out(item), True


async def remove(member: Member, product_id: int) -> None:
    """Take a product off the member's own list; someone else's entry is simply not found."""
    if not await WishlistItem.filter(member_id=member.id, product_id=product_id).delete():
        raise NotFound()


async def remove_bought(order: Order) -> int:
    """Take an order's products off its buyer's list (inside the caller's transaction)."""
    bought = await OrderLine.filter(order_id=order.id).values_list("product_id", flat=True)
    return await WishlistItem.filter(member_id=order.member_id, product_id__in=bought).delete()


def _item_out(item: WishlistItem) -> dict[str, Any]:
    return {"product_id": item.product_id, "added_at": item.created_at.isoformat()}
