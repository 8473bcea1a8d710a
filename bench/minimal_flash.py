"""The baseline of ``bench/flash_sale.py``: a hand-written Litestar + Tortoise purchase endpoint.

It only takes one unit of stock with the conditional update every flash sale needs
(``UPDATE catalog_sku SET stock = stock - q, sold = sold + q WHERE id = ? AND stock >= q``) in a
transaction, on the same table of the same database as the real app, and answers 201 or 409.
No authentication, pricing, order rows or hooks. Served as
``uvicorn --factory minimal_flash:create_app --app-dir bench`` with ``BENCH_DATABASE_URL`` set.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Litestar, Response, post
from tortoise import fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction

from _minimal import minimal_app  # beside this file: uvicorn runs it with --app-dir bench


class Sku(Model):
    id = fields.IntField(primary_key=True)
    stock = fields.IntField()
    sold = fields.IntField()

    class Meta:
        table = "catalog_sku"


class Line(msgspec.Struct):
    sku_id: int
    quantity: Annotated[int, msgspec.Meta(ge=1, le=999)]


class Purchase(msgspec.Struct):
    lines: list[Line]
    address: dict[str, str]


@post("/api/orders")
async def buy(data: Purchase) -> Response[dict[str, Any]]:
    line = data.lines[0]
    async with in_transaction():
        taken = await Sku.filter(id=line.sku_id, stock__gte=line.quantity).update(
            stock=F("stock") - line.quantity, sold=F("sold") + line.quantity
        )
    if not taken:
        return Response({"error": {"code": "out_of_stock"}}, status_code=409)
    return Response({"sku_id": line.sku_id, "quantity": line.quantity}, status_code=201)


def create_app() -> Litestar:
    return minimal_app(__name__, buy)
