"""Catalog services: the only way products, SKUs and stock change.

Every change a storefront page shows bumps the catalog :mod:`~qunshang.catalog.revision` in
its own transaction, which is what invalidates the pages cached for anonymous visitors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pypika_tortoise import Order, Query, Table
from pypika_tortoise.dialects import PostgreSQLQuery
from pypika_tortoise.terms import Function, LiteralValue, Term
from pypika_tortoise.queries import QueryBuilder
from tortoise.expressions import Q
from tortoise.functions import Min, Sum
from tortoise.transactions import in_transaction

from .. import db
from ..errors import Conflict, InvalidInput, NotFound
from ..prepared import Statement, table
from . import revision
from .models import Category, Product, ProductStatus, Sku
from .pricing import PriceLine, price_lines

if TYPE_CHECKING:
    from ..members.models import Member
    from ..runtime import Runtime

SORTS = {
    "default": ("position", "-id"),
    "newest": ("-id",),
    "price_asc": ("price", "-id"),
    "price_desc": ("-price", "-id"),
}
LISTING_FIELDS = ("id", "title", "images", "price", "stock", "category_id")


@dataclass
class SkuInput:
    code: str
    price: int
    stock: int = 0
    name: str = ""


async def list_products(
    runtime: Runtime,
    member: Member | None,
    *,
    limit: int = 24,
    offset: int = 0,
    category: str | None = None,
    q: str | None = None,
    sort: str = "default",
) -> dict[str, Any]:
    """A page of published products with their prices for ``member``: one query plus hooks."""
    sort = sort if sort in SORTS else "default"
    if q:
        query = Product.filter(Q(title__icontains=q) | Q(description__icontains=q), status=ProductStatus.PUBLISHED)
        if category:
            query = query.filter(category__slug=category)
        rows = await query.order_by(*SORTS[sort]).offset(offset).limit(limit + 1).values(*LISTING_FIELDS)
        for row in rows:
            row["image"] = (row.pop("images") or [None])[0]
    else:  # browsing, the hot path: SQL built once per shape, the first image picked by the database
        values = (ProductStatus.PUBLISHED.value, *([category] if category else []), limit + 1, offset)
        rows = await _listing(sort, bool(category)).rows(*values)
    has_more = len(rows) > limit
    rows = rows[:limit]
    lines = [PriceLine(r["id"], None, 1, r["price"]) for r in rows]
    priced = await price_lines(runtime, lines, member, {"purpose": "listing"})
    items = [
        {
            "id": r["id"],
            "title": r["title"],
            "image": r["image"],
            "price": r["price"],
            "final_price": p.total,
            "in_stock": r["stock"] > 0,
            "category_id": r["category_id"],
        }
        for r, p in zip(rows, priced)
    ]
    return {"items": items, "limit": limit, "offset": offset, "has_more": has_more}


@functools.cache
def _listing(sort: str, by_category: bool) -> Statement:
    """Published products in ``sort`` order, maybe of one category (by slug), paged."""

    def build(query: type[Query], status: str, *rest: Any) -> QueryBuilder:
        product = table(Product)
        columns = [getattr(product, f) for f in LISTING_FIELDS if f != "images"]
        selected = query.from_(product).select(*columns, _first_image(query, product).as_("image"))
        selected = selected.where(product.status == status)
        if by_category:
            slug, *rest = rest
            category = table(Category)
            selected = selected.join(category).on(category.id == product.category_id).where(category.slug == slug)
        for name in SORTS[sort]:
            direction = Order.desc if name.startswith("-") else Order.asc
            selected = selected.orderby(getattr(product, name.lstrip("-")), order=direction)
        limit, offset = rest
        return selected.limit(limit).offset(offset)

    return Statement(Product, build)


def _first_image(query: type[Query], product: Table) -> Term:
    """``images[0]`` in SQL (text, or NULL for none): a listing never decodes the whole list."""
    if issubclass(query, PostgreSQLQuery):
        return LiteralValue(f'"{product.get_table_name()}"."images"->>0')
    return Function("json_extract", product.images, LiteralValue("'$[0]'"))


async def get_product(runtime: Runtime, product_id: int, member: Member | None, *, include_unpublished: bool = False) -> dict[str, Any]:
    query = Product.filter(id=product_id)
    if not include_unpublished:
        query = query.filter(status=ProductStatus.PUBLISHED)
    product = await query.prefetch_related("skus").first()
    if product is None:
        raise NotFound()
    skus = [s for s in product.skus if s.active or include_unpublished]
    priced = await price_lines(
        runtime, [PriceLine(product.id, s.id, 1, s.price) for s in skus], member, {"purpose": "product"}
    )
    return {
        "id": product.id,
        "title": product.title,
        "description": product.description,
        "images": product.images,
        "status": product.status.value,
        "category_id": product.category_id,
        "price": product.price,
        "skus": [
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "price": s.price,
                "final_price": p.total,
                "stock": s.stock,
                "adjustments": [a.as_dict() for a in p.adjustments],
            }
            for s, p in zip(skus, priced)
        ],
    }


async def create_category(name: str, slug: str, parent_id: int | None = None, position: int = 0) -> Category:
    if await Category.exists(slug=slug):
        raise Conflict("A category with slug {slug} already exists.", slug=slug)
    if parent_id is not None and not await Category.exists(id=parent_id):
        raise NotFound()
    async with in_transaction():
        category = await Category.create(name=name, slug=slug, parent_id=parent_id, position=position)
        await revision.bump()
    return category


async def create_product(
    *,
    title: str,
    skus: list[SkuInput],
    description: str = "",
    category_id: int | None = None,
    images: list[str] | None = None,
    status: ProductStatus = ProductStatus.DRAFT,
    position: int = 0,
) -> Product:
    if not skus:
        raise InvalidInput(detail="a product needs at least one SKU")
    _check_skus(skus)
    async with in_transaction():
        if category_id is not None and not await Category.exists(id=category_id):
            raise NotFound()
        codes = [s.code for s in skus]
        if len(set(codes)) != len(codes) or await Sku.exists(code__in=codes):
            raise Conflict("SKU code already in use.")
        product = await Product.create(
            title=title, description=description, category_id=category_id,
            images=images or [], status=status, position=position,
        )
        await Sku.bulk_create([Sku(product=product, code=s.code, name=s.name, price=s.price, stock=s.stock) for s in skus])
        await refresh_summary(product.id)
        await revision.bump()
    await product.refresh_from_db()
    return product


async def update_product(product_id: int, **changes: Any) -> Product:
    allowed = {"title", "description", "category_id", "images", "status", "position"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(detail="unknown fields {fields}", fields=", ".join(sorted(unknown)))
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise NotFound()
    if changes.get("category_id") is not None and not await Category.exists(id=changes["category_id"]):
        raise NotFound()
    if changes:
        async with in_transaction():
            await Product.filter(id=product_id).update(**changes)
            await revision.bump()
        await product.refresh_from_db()
    return product


async def add_sku(product_id: int, sku: SkuInput) -> Sku:
    _check_skus([sku])
    async with in_transaction():
        if not await Product.exists(id=product_id):
            raise NotFound()
        if await Sku.exists(code=sku.code):
            raise Conflict("SKU code already in use.")
        created = await Sku.create(product_id=product_id, code=sku.code, name=sku.name, price=sku.price, stock=sku.stock)
        await refresh_summary(product_id)
        await revision.bump()
    return created


async def update_sku(sku_id: int, *, price: int | None = None, name: str | None = None, active: bool | None = None) -> Sku:
    changes = {k: v for k, v in {"price": price, "name": name, "active": active}.items() if v is not None}
    if price is not None and price < 0:
        raise InvalidInput(detail="price must not be negative")
    async with in_transaction():
        sku = await Sku.get_or_none(id=sku_id)
        if sku is None:
            raise NotFound()
        if changes:
            await Sku.filter(id=sku_id).update(**changes)
            await revision.bump()
        await refresh_summary(sku.product_id)
    await sku.refresh_from_db()
    return sku


async def adjust_stock(sku_id: int, delta: int) -> int:
    """Add (``delta > 0``) or remove stock atomically; never below zero. Returns the new stock."""
    if not isinstance(delta, int) or delta == 0:
        raise InvalidInput(detail="delta must be a non-zero integer")
    async with in_transaction():
        sku = await Sku.get_or_none(id=sku_id)
        if sku is None:
            raise NotFound()
        if delta > 0:
            await db.give(Sku, sku_id, "stock", delta)
            await db.give(Product, sku.product_id, "stock", delta)
        else:
            if not await db.take(Sku, sku_id, "stock", -delta):
                raise Conflict("Stock cannot go below zero.")
            await db.give(Product, sku.product_id, "stock", delta)
        await revision.bump()
        return (await Sku.get(id=sku_id)).stock


def _take_sku(query: type[Query], quantity: int, also_sold: int, sku_id: int, at_least: int) -> QueryBuilder:
    sku = table(Sku)
    return (
        query.update(sku).set(sku.stock, sku.stock - quantity).set(sku.sold, sku.sold + also_sold)
        .where((sku.id == sku_id) & (sku.stock >= at_least))
        .returning(sku.product_id, sku.name, sku.price, sku.active)
    )


def _return_sku(query: type[Query], quantity: int, also_sold: int, sku_id: int) -> QueryBuilder:
    sku = table(Sku)
    return (
        query.update(sku).set(sku.stock, sku.stock + quantity).set(sku.sold, sku.sold - also_sold)
        .where(sku.id == sku_id)
    )


def _add_product_stock(query: type[Query], quantity: int, product_id: int) -> QueryBuilder:
    product = table(Product)
    return (
        query.update(product).set(product.stock, product.stock + quantity).where(product.id == product_id)
        .returning(product.title, product.status, product.stock)
    )


def _skus_for_sale(query: type[Query], *values: Any) -> QueryBuilder:
    *sku_ids, active, status = values
    sku, product = table(Sku), table(Product)
    return (
        query.from_(sku).join(product).on(product.id == sku.product_id)
        .select(sku.id, sku.product_id, sku.name, sku.price, sku.stock, product.title)
        .where(sku.id.isin(sku_ids) & (sku.active == active) & (product.status == status))
    )


# statements of the order path (a flash sale's every request), built once per database backend
TAKE_SKU = Statement(Sku, _take_sku)
RETURN_SKU = Statement(Sku, _return_sku)
ADD_PRODUCT_STOCK = Statement(Product, _add_product_stock)
SKUS_FOR_SALE = Statement(Sku, _skus_for_sale)


async def skus_for_sale(sku_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``{sku_id: {id, product_id, name, price, stock, title}}`` of those of ``sku_ids`` that are
    active SKUs of published products (``title`` is the product's)."""
    if not sku_ids:
        return {}
    rows = await SKUS_FOR_SALE.rows(*sku_ids, True, ProductStatus.PUBLISHED.value)
    return {row["id"]: row for row in rows}


class StockShort(Exception):
    """``take_stock`` found too few units of ``sku_id``; the caller rolls its transaction back."""

    def __init__(self, sku_id: int) -> None:
        super().__init__(sku_id)
        self.sku_id = sku_id


async def take_stock(quantities: Mapping[int, int]) -> dict[int, dict[str, Any]]:
    """Reserve stock for an order, inside the caller's transaction: ``{sku_id: quantity}``.

    Rows are locked in one global order — every SKU by id, then every product by id — so
    concurrent orders (and cancellations, refunds, stock adjustments) cannot deadlock on
    PostgreSQL. Each SKU is one conditional UPDATE (stock and units sold) that returns the SKU
    as it is now (``product_id``, ``name``, ``price``, ``active``); each product total is one
    UPDATE returning its ``title`` and ``status``. The caller refuses what is not for sale.
    Raises :class:`StockShort` for the first SKU that is short.
    """
    taken: dict[int, dict[str, Any]] = {}
    for sku_id, quantity in sorted(quantities.items()):
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        rows = await TAKE_SKU.rows(quantity, quantity, sku_id, quantity)
        if not rows:
            raise StockShort(sku_id)
        taken[sku_id] = rows[0]
    per_product: dict[int, int] = {}
    for sku_id, row in taken.items():
        per_product[row["product_id"]] = per_product.get(row["product_id"], 0) + quantities[sku_id]
    products = {pid: (await ADD_PRODUCT_STOCK.rows(-qty, pid))[0] for pid, qty in sorted(per_product.items())}
    if any([product.pop("stock") <= 0 for product in products.values()]):
        await revision.bump()  # sold out: listings show it
    return {sku_id: row | products[row["product_id"]] for sku_id, row in taken.items()}


async def return_stock(lines: Iterable[tuple[int, int, int]]) -> None:
    """Give back ``(sku_id, product_id, quantity)`` lines, locking in :func:`take_stock`'s order."""
    per_sku: dict[int, int] = {}
    per_product: dict[int, int] = {}
    for sku_id, product_id, quantity in lines:
        per_sku[sku_id] = per_sku.get(sku_id, 0) + quantity
        per_product[product_id] = per_product.get(product_id, 0) + quantity
    for sku_id, quantity in sorted(per_sku.items()):
        await RETURN_SKU.execute(quantity, quantity, sku_id)
    back_in_stock = False
    for product_id, quantity in sorted(per_product.items()):
        rows = await ADD_PRODUCT_STOCK.rows(quantity, product_id)
        back_in_stock |= bool(rows) and rows[0]["stock"] <= quantity
    if back_in_stock:
        await revision.bump()


async def refresh_summary(product_id: int) -> None:
    """Recompute a product's listing price (lowest active SKU) and total stock."""
    low = await Sku.filter(product_id=product_id, active=True).annotate(v=Min("price")).first().values_list("v", flat=True)
    total = await Sku.filter(product_id=product_id).annotate(v=Sum("stock")).first().values_list("v", flat=True)
    await Product.filter(id=product_id).update(price=low or 0, stock=int(total or 0))


def _check_skus(skus: list[SkuInput]) -> None:
    for s in skus:
        if not isinstance(s.price, int) or s.price < 0:
            raise InvalidInput(detail="price must be a non-negative integer of minor units")
        if not isinstance(s.stock, int) or s.stock < 0:
            raise InvalidInput(detail="stock must be a non-negative integer")
        if not s.code.strip():
            raise InvalidInput(detail="SKU code must not be empty")
