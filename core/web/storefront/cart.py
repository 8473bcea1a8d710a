"""The cart (kept in the session), checkout, and paying for an order.

The cart holds ``{sku_id: quantity}`` only; every view prices it afresh through the catalog's
pricing (plugins' adjustments included), and placing the order prices it again server-side.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from ...catalog.models import ProductStatus, Sku
from ...catalog.pricing import PriceLine, price_lines
from ...errors import InvalidInput, NotFound, QunshangError
from ...orders import service as orders
from ...payments import service as payments
from ...runtime import Runtime
from .render import error_text, member_or_login, render, safe_next, see_other, translator

CART = "cart"
ADDRESS_FIELDS = ("name", "phone", "region", "detail", "postal_code")
PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


def _cart(request: Request) -> dict[str, int]:
    return dict((request.scope.get("session") or {}).get(CART) or {})


def _save_cart(request: Request, cart: dict[str, int]) -> None:
    request.set_session({**(request.scope.get("session") or {}), CART: cart})


def _int(value: Any, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise InvalidInput(detail="not a whole number") from None
    if not low <= number <= high:
        raise InvalidInput(detail="must be from {low} to {high}", low=low, high=high)
    return number


async def priced_cart(request: Request, runtime: Runtime) -> dict[str, Any]:
    """The cart's lines that can still be bought, priced for the visitor, with totals."""
    cart = _cart(request)
    rows = await Sku.filter(
        id__in=[int(k) for k in cart], active=True, product__status=ProductStatus.PUBLISHED
    ).values("id", "name", "code", "price", "stock", "product_id", title="product__title", images="product__images")
    priced = await price_lines(
        runtime, [PriceLine(r["product_id"], r["id"], cart[str(r["id"])], r["price"]) for r in rows],
        request.user, {"purpose": "cart"},
    )
    lines = [
        {**r, "image": (r["images"] or [None])[0], "quantity": p.line.quantity, "total": p.total,
         "list_total": p.line.subtotal, "short": r["stock"] < p.line.quantity}
        for r, p in zip(rows, priced)
    ]
    goods = sum(line["total"] for line in lines)
    settings = runtime.config.orders
    free = settings.free_shipping_over is not None and goods >= settings.free_shipping_over
    shipping = 0 if free or not lines else settings.shipping_fee
    return {"lines": lines, "goods": goods, "shipping": shipping, "total": goods + shipping,
            "free_shipping_over": settings.free_shipping_over}


@get("/cart", name="storefront:cart", include_in_schema=False)
async def view_cart(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    return await render(request, runtime, "core/cart.html", {"cart": await priced_cart(request, runtime)})


@post("/cart/add", name="storefront:cart-add", include_in_schema=False)
async def add_to_cart(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    form = await request.form()
    try:
        sku_id = _int(form.get("sku_id"), 1, 2**31 - 1)
    except InvalidInput:
        raise NotFound() from None
    quantity = _int(form.get("quantity", "1"), 1, runtime.config.orders.max_quantity)
    product_id = await Sku.filter(id=sku_id, active=True, product__status=ProductStatus.PUBLISHED).values_list(
        "product_id", flat=True
    )
    if not product_id:
        raise NotFound()
    cart = _cart(request)
    if str(sku_id) not in cart and len(cart) >= runtime.config.orders.max_lines:
        return see_other("/cart")
    cart[str(sku_id)] = min(cart.get(str(sku_id), 0) + quantity, runtime.config.orders.max_quantity)
    _save_cart(request, cart)
    return see_other("/cart")


@post("/cart/update", name="storefront:cart-update", include_in_schema=False)
async def update_cart(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    """Set a line's quantity; 0 removes it."""
    form = await request.form()
    cart = _cart(request)
    key = str(form.get("sku_id", ""))
    try:
        quantity = _int(form.get("quantity", "0"), 0, runtime.config.orders.max_quantity)
    except InvalidInput:
        return see_other("/cart")
    if key in cart:
        if quantity:
            cart[key] = quantity
        else:
            del cart[key]
        _save_cart(request, cart)
    return see_other("/cart")


def _offered(runtime: Runtime) -> list[dict[str, str]]:
    return [{"name": name, "title": p.title} for name, p in payments.offered(runtime).items()]


def _address_errors(request: Request, runtime: Runtime, address: dict[str, str]) -> dict[str, str]:
    _ = translator(request, runtime)
    errors = {}
    for field in ("name", "region", "detail"):
        if not address[field].strip():
            errors[field] = _("This field is required.")
    if not PHONE.match(address["phone"]):
        errors["phone"] = _("Enter a phone number of 5 to 20 digits.")
    if len(address["postal_code"]) > 10:
        errors["postal_code"] = _("At most %(n)s characters.") % {"n": 10}
    limits = {"name": 50, "region": 100, "detail": 200}
    for field, limit in limits.items():
        if len(address[field]) > limit:
            errors[field] = _("At most %(n)s characters.") % {"n": limit}
    return errors


async def _checkout_page(request: Request, runtime: Runtime, form: dict[str, Any], errors: dict[str, str],
                         status_code: int = 200) -> Response:
    cart = await priced_cart(request, runtime)
    if not cart["lines"]:
        return see_other("/cart")
    context = {"cart": cart, "form": form, "errors": errors, "providers": _offered(runtime)}
    return await render(request, runtime, "core/checkout.html", context, status_code=status_code)


@get("/checkout", name="storefront:checkout", include_in_schema=False)
async def checkout(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member_or_login(request)
    providers = _offered(runtime)
    form = {"idempotency_key": secrets.token_urlsafe(16), "provider": providers[0]["name"] if providers else "",
            **{f: "" for f in ADDRESS_FIELDS}, "note": ""}
    return await _checkout_page(request, runtime, form, {})


@post("/checkout", name="storefront:place-order", include_in_schema=False)
async def place_order(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member = member_or_login(request)
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:500] for k in (*ADDRESS_FIELDS, "note", "provider", "idempotency_key")}
    address = {f: form[f].strip() for f in ADDRESS_FIELDS}
    errors = _address_errors(request, runtime, address)
    if form["provider"] not in payments.offered(runtime):
        errors["provider"] = translator(request, runtime)("Choose a way to pay.")
    if errors:
        return await _checkout_page(request, runtime, form, errors, status_code=400)
    cart = _cart(request)
    lines = [{"sku_id": int(k), "quantity": q} for k, q in cart.items()]
    try:
        placement = await orders.place_order(
            runtime, member, lines, address, note=form["note"].strip()[:200],
            idempotency_key=form["idempotency_key"] or None, context={"channel": "storefront"},
        )
    except QunshangError as exc:
        errors["form"] = error_text(request, runtime, exc)
        return await _checkout_page(request, runtime, form, errors, status_code=exc.status_code)
    _save_cart(request, {})
    return await _start_payment(request, runtime, placement.order, form["provider"])


async def _start_payment(request: Request, runtime: Runtime, order, provider: str) -> Response:
    intent = await payments.create_intent(runtime, order, provider)
    if provider == "sandbox":
        return see_other(f"/orders/{order.id}/pay/{intent['intent_id']}")
    return see_other(f"/orders/{order.id}")


@post("/orders/{order_id:int}/pay", name="storefront:pay", include_in_schema=False)
async def pay(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> Response:
    """Pay an unpaid order again (e.g. after leaving the payment page)."""
    member = member_or_login(request)
    order = await orders.get_order(order_id, member.id)
    provider = str((await request.form()).get("provider", ""))
    return await _start_payment(request, runtime, order, provider)


@get("/orders/{order_id:int}/pay/{intent_id:str}", name="storefront:sandbox", include_in_schema=False)
async def sandbox_page(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], intent_id: FromPath[str]) -> Response:
    """The sandbox provider's stand-in for a real payment page: one button confirms."""
    member = member_or_login(request)
    order = await orders.get_order(order_id, member.id)
    return await render(request, runtime, "core/sandbox_pay.html", {"order": order, "intent_id": intent_id})


@post("/orders/{order_id:int}/pay/{intent_id:str}", name="storefront:sandbox-confirm", include_in_schema=False)
async def sandbox_confirm(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], intent_id: FromPath[str]) -> Response:
    member = member_or_login(request)
    await orders.get_order(order_id, member.id)
    await payments.complete_sandbox(runtime, member.id, intent_id)
    return see_other(safe_next(f"/orders/{order_id}?paid=1"))


ROUTES = [view_cart, add_to_cart, update_cart, checkout, place_order, pay, sandbox_page, sandbox_confirm]
