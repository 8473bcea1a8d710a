"""``/api/wishlist``: the logged-in member's own list."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from qunshang.runtime import Runtime
from qunshang.web.guards import login_required

from . import service


class WishlistAdd(msgspec.Struct, forbid_unknown_fields=True):
    product_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]


class WishlistController(Controller):
    path = "/api/wishlist"
    tags = ["wishlist"]
    guards = [login_required]

    @get("/", summary="My wishlist, priced for me")
    async def list_items(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        return {"items": await service.list_items(runtime, request.user)}

    @post("/", summary="Add a product to my wishlist (201, or 200 if it was already there)")
    async def add(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[WishlistAdd]) -> Response[dict[str, Any]]:
        item, created = await service.add(runtime, request.user, data.product_id)
        return Response(item, status_code=201 if created else 200)

    @delete("/{product_id:int}", summary="Remove a product from my wishlist")
    async def remove(self, request: Request, product_id: FromPath[int]) -> None:
        await service.remove(request.user, product_id)
