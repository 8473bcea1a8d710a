"""The baseline of ``bench/api_catalog.py``: a hand-written Litestar + Tortoise listing, nothing else.

It reads the same ``catalog_product`` table of the same SQLite database and returns the same 24
rows in the same shape as ``GET /api/products``, without middleware, authentication, plugins or
pricing. Served as ``uvicorn --factory minimal_catalog:create_app --app-dir bench`` with
``BENCH_DATABASE_URL`` set.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Litestar, get
from litestar.params import Parameter
from tortoise import fields
from tortoise.models import Model

from _minimal import minimal_app  # beside this file: uvicorn runs it with --app-dir bench


class Product(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    images = fields.JSONField(default=list)
    status = fields.CharField(max_length=16)
    category_id = fields.IntField(null=True)
    price = fields.BigIntField()
    stock = fields.IntField()
    position = fields.IntField()

    class Meta:
        table = "catalog_product"


@get("/api/products")
async def list_products(
    limit: Annotated[int, Parameter(ge=1, le=100)] = 24, offset: Annotated[int, Parameter(ge=0)] = 0
) -> dict[str, Any]:
    rows = await (
        Product.filter(status="published").order_by("position", "-id").offset(offset).limit(limit + 1)
        .values("id", "title", "images", "price", "stock", "category_id")
    )
    items = [
        {
            "id": r["id"], "title": r["title"], "image": (r["images"] or [None])[0], "price": r["price"],
            "final_price": r["price"], "in_stock": r["stock"] > 0, "category_id": r["category_id"],
        }
        for r in rows[:limit]
    ]
    return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}


def create_app() -> Litestar:
    return minimal_app(__name__, list_products)
