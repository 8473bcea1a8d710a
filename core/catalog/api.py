"""Catalog JSON API: public browsing under ``/api/products``, management for ``catalog.manage``."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from ..runtime import Runtime
from ..web.guards import permission
from . import service
from .models import ProductStatus

Quantity = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


class SkuIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    price: Money
    stock: Quantity = 0
    name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Text
    skus: Annotated[list[SkuIn], msgspec.Meta(min_length=1, max_length=200)]
    description: Annotated[str, msgspec.Meta(max_length=20_000)] = ""
    category_id: int | None = None
    images: Annotated[list[Annotated[str, msgspec.Meta(max_length=500)]], msgspec.Meta(max_length=20)] = []
    status: ProductStatus = ProductStatus.DRAFT
    position: int = 0


class ProductPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    title: Text | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, msgspec.Meta(max_length=20_000)] | msgspec.UnsetType = msgspec.UNSET
    category_id: int | None | msgspec.UnsetType = msgspec.UNSET
    images: list[str] | msgspec.UnsetType = msgspec.UNSET
    status: ProductStatus | msgspec.UnsetType = msgspec.UNSET
    position: int | msgspec.UnsetType = msgspec.UNSET


class SkuPatch(msgspec.Struct, forbid_unknown_fields=True):
    price: Money | None = None
    name: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    active: bool | None = None


class StockChange(msgspec.Struct, forbid_unknown_fields=True):
    delta: Annotated[int, msgspec.Meta(ge=-10_000_000, le=10_000_000)]


class CategoryIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    slug: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")]
    parent_id: int | None = None
    position: int = 0


def _product_out(product: Any) -> dict[str, Any]:
    return {
        "id": product.id, "title": product.title, "status": product.status.value,
        "price": product.price, "stock": product.stock, "category_id": product.category_id,
    }


class CatalogController(Controller):
    path = "/api"
    tags = ["catalog"]

    @get("/products", summary="List published products with prices for the caller")
    async def list_products(
        self,
        request: Request,
        runtime: NamedDependency[Runtime],
        limit: Annotated[int, Parameter(ge=1, le=100)] = 24,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
        category: Annotated[str | None, Parameter(max_length=64)] = None,
        q: Annotated[str | None, Parameter(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
        sort: Annotated[str, Parameter(pattern="^(default|newest|price_asc|price_desc)$")] = "default",
    ) -> dict[str, Any]:
        return await service.list_products(
            runtime, request.user, limit=limit, offset=offset, category=category, q=q, sort=sort
        )

    @get("/products/{product_id:int}", summary="A published product with its SKUs")
    async def get_product(self, request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> dict[str, Any]:
        return await service.get_product(runtime, product_id, request.user)

    @get("/categories", summary="All categories")
    async def categories(self) -> list[dict[str, Any]]:
        from .models import Category

        return await Category.all().values("id", "name", "slug", "parent_id", "position")

    @post("/categories", guards=[permission("catalog.manage")], summary="Create a category")
    async def create_category(self, data: JSONBody[CategoryIn]) -> dict[str, Any]:
        c = await service.create_category(data.name, data.slug, data.parent_id, data.position)
        return {"id": c.id, "name": c.name, "slug": c.slug}

    @post("/products", guards=[permission("catalog.manage")], summary="Create a product with its SKUs")
    async def create_product(self, data: JSONBody[ProductIn]) -> dict[str, Any]:
        product = await service.create_product(
            title=data.title, description=data.description, category_id=data.category_id,
            images=data.images, status=data.status, position=data.position,
            skus=[service.SkuInput(s.code, s.price, s.stock, s.name) for s in data.skus],
        )
        return _product_out(product)

    @get("/products/{product_id:int}/manage", guards=[permission("catalog.manage")], summary="A product in any status")
    async def get_any_product(self, request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> dict[str, Any]:
        return await service.get_product(runtime, product_id, request.user, include_unpublished=True)

    @patch("/products/{product_id:int}", guards=[permission("catalog.manage")], summary="Edit or (un)publish a product")
    async def update_product(self, product_id: FromPath[int], data: JSONBody[ProductPatch]) -> dict[str, Any]:
        changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
        return _product_out(await service.update_product(product_id, **changes))

    @post("/products/{product_id:int}/skus", guards=[permission("catalog.manage")], summary="Add a SKU")
    async def add_sku(self, product_id: FromPath[int], data: JSONBody[SkuIn]) -> dict[str, Any]:
        sku = await service.add_sku(product_id, service.SkuInput(data.code, data.price, data.stock, data.name))
        return {"id": sku.id, "code": sku.code, "price": sku.price, "stock": sku.stock}

    @patch("/skus/{sku_id:int}", guards=[permission("catalog.manage")], summary="Edit a SKU's price, name or availability")
    async def update_sku(self, sku_id: FromPath[int], data: JSONBody[SkuPatch]) -> dict[str, Any]:
        sku = await service.update_sku(sku_id, price=data.price, name=data.name, active=data.active)
        return {"id": sku.id, "code": sku.code, "price": sku.price, "stock": sku.stock, "active": sku.active}

    @post("/skus/{sku_id:int}/stock", guards=[permission("catalog.stock")], summary="Add or remove stock atomically")
    async def adjust_stock(self, sku_id: FromPath[int], data: JSONBody[StockChange]) -> dict[str, Any]:
        return {"id": sku_id, "stock": await service.adjust_stock(sku_id, data.delta)}
