"""The baseline of ``bench/flash_sale.py``: a hand-written Litestar + Tortoise purchase endpoint.

It only takes one unit of stock with the conditional update every flash sale needs
(``UPDATE catalog_sku SET stock = stock - q, sold = sold + q WHERE id = ? AND stock >= q``) in a
transaction, on the same table of the same database as the real app, and answers 201 or 409.
No authentication, pricing, order rows or hooks. Served as
``uvicorn --factory minimal_flash:create_app --app-dir bench`` with ``BENCH_DATABASE_URL`` set.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import msgspec
from litestar import Litestar, Response, get, post
from tortoise import Tortoise, fields
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.transactions import in_transaction


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


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@asynccontextmanager
async def database(_app: Litestar) -> AsyncIterator[None]:
    await Tortoise.init(
        config={"connections": {"default": os.environ["BENCH_DATABASE_URL"]}, "apps": {"bench": {"models": [__name__]}}},
        _enable_global_fallback=True,
    )
    try:
        yield
    finally:
        await Tortoise.close_connections()


def create_app() -> Litestar:
    return Litestar(route_handlers=[buy, healthz], lifespan=[database])
