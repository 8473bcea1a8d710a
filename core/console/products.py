"""Console pages for the catalog: list, create/edit with SKUs, images, stock, publishing,
CSV import and export. Every write goes through the catalog service and is audited."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Stream
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ..catalog import service as catalog
from ..catalog.models import Product, ProductStatus, Sku
from ..errors import InvalidInput, NotFound
from ..web.locale import gettext_for
from . import audit, csvio, forms, uploads
from .templates import flash, render

PAGE = 50


def _snapshot(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in ("title", "description", "status", "images", "category_id", "position")}


async def _product(product_id: FromPath[int]) -> Product:
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise NotFound()
    return product


@get("/products")
async def product_list(
    request: Request, q: FromQuery[str | None] = None, status: FromQuery[str | None] = None,
    stock: Annotated[str | None, Parameter(description="'out' for sold out")] = None,
    offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0,
) -> Response:
    query = Product.all()
    if q:
        query = query.filter(Q(title__icontains=q.strip()) | Q(skus__code=q.strip())).distinct()
    if status in {s.value for s in ProductStatus}:
        query = query.filter(status=status)
    if stock == "out":
        query = query.filter(stock__lte=0)
    rows = await query.order_by("-id").offset(offset).limit(PAGE + 1).values("id", "title", "status", "price", "stock", "updated_at")
    return render(request, "console/products.html", items=rows[:PAGE], has_more=len(rows) > PAGE, offset=offset,
                  q=q or "", status=status or "", stock=stock or "", statuses=[s.value for s in ProductStatus])


@get("/products/new", opt={"permission": "catalog.manage"})
async def product_new(request: Request) -> Response:
    return render(request, "console/product_form.html", product=None, skus=[], statuses=[s.value for s in ProductStatus])


def _product_fields(form: Any) -> dict[str, Any]:
    status = forms.text(form, "status", max_length=16) or ProductStatus.DRAFT.value
    if status not in {s.value for s in ProductStatus}:
        raise InvalidInput(detail="unknown status")
    return {
        "title": forms.text(form, "title", max_length=200, required=True),
        "description": forms.text(form, "description", max_length=20000),
        "status": ProductStatus(status),
    }


@post("/products/new", opt={"permission": "catalog.manage"})
async def product_create(request: Request) -> Response:
    form = await request.form()
    fields = _product_fields(form)
    sku = catalog.SkuInput(
        code=forms.text(form, "sku_code", max_length=64, required=True), price=forms.money(form, "sku_price"),
        stock=forms.integer(form, "sku_stock", low=0, high=10**9, default=0), name=forms.text(form, "sku_name", max_length=100),
    )
    async with in_transaction():
        product = await catalog.create_product(skus=[sku], **fields)
        await audit.record(request, "product.create", "product", product.id, after={**_snapshot(product), "skus": [sku.__dict__]})
    flash(request, gettext_for(request)("Product created."))
    return Redirect(f"/console/products/{product.id}", status_code=303)


@get("/products/{product_id:int}")
async def product_edit(request: Request, product_id: FromPath[int]) -> Response:
    product = await _product(product_id)
    skus = await Sku.filter(product_id=product_id).order_by("id")
    return render(request, "console/product_form.html", product=product, skus=skus, statuses=[s.value for s in ProductStatus])


@post("/products/{product_id:int}", opt={"permission": "catalog.manage"})
async def product_update(request: Request, product_id: FromPath[int]) -> Response:
    form = await request.form()
    fields = _product_fields(form)
    async with in_transaction():
        before = _snapshot(await _product(product_id))
        product = await catalog.update_product(product_id, **fields)
        await audit.record(request, "product.update", "product", product_id, before=before, after=_snapshot(product))
    flash(request, gettext_for(request)("Saved."))
    return Redirect(f"/console/products/{product_id}", status_code=303)


@post("/products/{product_id:int}/publish", opt={"permission": "catalog.manage"})
async def product_publish(request: Request, product_id: FromPath[int]) -> Response:
    form = await request.form()
    status = ProductStatus.PUBLISHED if form.get("publish") == "1" else ProductStatus.DRAFT
    async with in_transaction():
        before = _snapshot(await _product(product_id))
        product = await catalog.update_product(product_id, status=status)
        await audit.record(request, "product.publish" if status == ProductStatus.PUBLISHED else "product.unpublish",
                           "product", product_id, before={"status": before["status"]}, after={"status": product.status})
    return Redirect(f"/console/products/{product_id}", status_code=303)


@post("/products/{product_id:int}/skus", opt={"permission": "catalog.manage"})
async def sku_add(request: Request, product_id: FromPath[int]) -> Response:
    form = await request.form()
    sku = catalog.SkuInput(
        code=forms.text(form, "code", max_length=64, required=True), price=forms.money(form, "price"),
        stock=forms.integer(form, "stock", low=0, high=10**9, default=0), name=forms.text(form, "name", max_length=100),
    )
    async with in_transaction():
        created = await catalog.add_sku(product_id, sku)
        await audit.record(request, "sku.create", "sku", created.id, after={"product_id": product_id, **sku.__dict__})
    return Redirect(f"/console/products/{product_id}", status_code=303)


@post("/skus/{sku_id:int}", opt={"permission": "catalog.manage"})
async def sku_update(request: Request, sku_id: FromPath[int]) -> Response:
    form = await request.form()
    price, name = forms.money(form, "price"), forms.text(form, "name", max_length=100)
    active = form.get("active") == "1"
    async with in_transaction():
        old = await Sku.get_or_none(id=sku_id)
        if old is None:
            raise NotFound()
        sku = await catalog.update_sku(sku_id, price=price, name=name, active=active)
        await audit.record(request, "sku.update", "sku", sku_id, before={"price": old.price, "name": old.name, "active": old.active},
                           after={"price": sku.price, "name": sku.name, "active": sku.active})
    return Redirect(f"/console/products/{sku.product_id}", status_code=303)


@post("/skus/{sku_id:int}/stock", opt={"permission": "catalog.stock"})
async def sku_stock(request: Request, sku_id: FromPath[int]) -> Response:
    form = await request.form()
    delta = forms.integer(form, "delta", low=-(10**9), high=10**9)
    reason = forms.text(form, "reason", max_length=200)
    async with in_transaction():
        sku = await Sku.get_or_none(id=sku_id)
        if sku is None:
            raise NotFound()
        before = sku.stock
        after = await catalog.adjust_stock(sku_id, delta)
        await audit.record(request, "sku.stock", "sku", sku_id, before={"stock": before},
                           after={"stock": after, "delta": delta, "reason": reason})
    return Redirect(f"/console/products/{sku.product_id}", status_code=303)


@post("/products/{product_id:int}/images", opt={"permission": "catalog.manage"})
async def image_upload(request: Request, product_id: FromPath[int]) -> Response:
    form = await request.form()
    upload = form.get("image")
    if upload is None or isinstance(upload, str):
        raise InvalidInput(detail="choose an image file")
    runtime = request.app.state.runtime
    async with in_transaction():
        product = await _product(product_id)
        url = await uploads.save_image(runtime, upload)
        images = [*product.images, url]
        await catalog.update_product(product_id, images=images)
        await audit.record(request, "product.image", "product", product_id, before={"images": product.images}, after={"images": images})
    return Redirect(f"/console/products/{product_id}", status_code=303)


@get("/products/export.csv")
async def product_export(request: Request) -> Stream:
    return Stream(csvio.export_products(), media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": 'attachment; filename="products.csv"'})


@get("/products/import", opt={"permission": "catalog.manage"})
async def import_form(request: Request) -> Response:
    return render(request, "console/import.html", report=None)


@post("/products/import", opt={"permission": "catalog.manage"})
async def import_upload(request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput(detail="choose a CSV file")
    try:
        report = await csvio.import_products(upload.file)
    except csvio.BadFile as exc:
        raise InvalidInput(detail="the CSV file is missing columns: {columns}", columns=", ".join(exc.missing)) from None
    # rows are written in batches as the file is read: the audit entry sums them up afterwards
    await audit.record(request, "product.import", "product", "", after={
        "file": upload.filename, "encoding": report.encoding, "created": report.created, "rejected": report.rejected})
    return render(request, "console/import.html", report=report)


HANDLERS = (product_list, product_new, product_create, product_edit, product_update, product_publish, sku_add,
            sku_update, sku_stock, image_upload, product_export, import_form, import_upload)
