"""Orders JSON API: buyers place, read, cancel and receive their own orders; staff list, ship,
cancel and refund them (``orders.*`` permissions)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, Parameter

from ..errors import NotFound
from ..validation import invalid_body
from ..runtime import Runtime
from ..web.guards import has_permission, login_required, permission
from . import refunds, service
from .models import Order, OrderStatus, Refund

T = TypeVar("T")

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Quantity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
IdempotencyKey = Annotated[str | None, HeaderParameter(name="idempotency-key", max_length=64)]
Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class LineIn(msgspec.Struct):
    """A line to buy. Unknown keys (a client's ``price``, ``unit_price``…) are accepted and
    ignored: the server prices every order."""

    sku_id: Id
    quantity: Quantity


class OrderIn(msgspec.Struct, forbid_unknown_fields=True):
    lines: Annotated[list[LineIn], msgspec.Meta(min_length=1, max_length=200)]
    address: service.Address
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""
    context: Annotated[
        dict[Annotated[str, msgspec.Meta(min_length=1, max_length=32)], Annotated[str, msgspec.Meta(max_length=100)]],
        msgspec.Meta(max_length=10),
    ] = {}


class ShipIn(msgspec.Struct, forbid_unknown_fields=True):
    carrier: Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\S")]
    tracking_number: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


class RefundLineIn(msgspec.Struct, forbid_unknown_fields=True):
    line_id: Id
    quantity: Quantity


class RefundIn(msgspec.Struct, forbid_unknown_fields=True):
    """``lines`` omitted or ``null``: refund everything not yet refunded, shipping included."""

    lines: Annotated[list[RefundLineIn], msgspec.Meta(min_length=1, max_length=200)] | None = None
    restock: bool = False
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


async def strict(request: Request, struct_type: type[T]) -> T:
    """Re-validate the request's (cached) JSON strictly.

    Litestar converts bodies leniently (``"2"`` and ``2.0`` become ``2``); quantities and
    amounts must be exactly what the client sent, so handlers that take them call this.
    """
    try:
        return msgspec.convert(await request.json(), struct_type, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_body(exc) from None


def refund_out(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id, "order_id": refund.order_id, "amount": refund.amount,
        "shipping_amount": refund.shipping_amount, "lines": refund.lines, "restock": refund.restock,
        "reason": refund.reason, "created_at": refund.created_at,
    }


def _created(body: dict[str, Any], replayed: bool) -> Response[dict[str, Any]]:
    if replayed:
        return Response(body, status_code=200, headers={"Idempotent-Replayed": "true"})
    return Response(body, status_code=201)


class OrderController(Controller):
    path = "/api"
    tags = ["orders"]

    @post("/orders", guards=[login_required], summary="Place an order (priced by the server)")
    async def place(
        self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[OrderIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        data = await strict(request, OrderIn)
        placed = await service.place_order(
            runtime, request.user, [{"sku_id": line.sku_id, "quantity": line.quantity} for line in data.lines],
            msgspec.structs.asdict(data.address), data.note, idempotency_key, data.context,
        )
        return _created(await placed.detail(), placed.replayed)

    @get("/orders", guards=[login_required], summary="The caller's orders, newest first")
    async def list_own(
        self, request: Request, status: FromQuery[OrderStatus | None] = None, limit: Limit = 20, offset: Offset = 0
    ) -> dict[str, Any]:
        return await service.list_orders(member_id=request.user.id, status=status, limit=limit, offset=offset)

    @get("/orders/{order_id:int}", guards=[login_required], summary="One of the caller's orders")
    async def get_own(self, request: Request, order_id: FromPath[int]) -> dict[str, Any]:
        return await service.order_detail(await service.get_order(order_id, member_id=request.user.id))

    @post("/orders/{order_id:int}/cancel", guards=[login_required], status_code=200,
          summary="Cancel an unpaid order: the buyer's own, or any with orders.cancel")
    async def cancel(self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> dict[str, Any]:
        member = request.user
        if await Order.exists(id=order_id, member_id=member.id):
            reason = "buyer"
        elif await has_permission(runtime, member.id, "orders.cancel"):
            reason = "staff"
        else:
            raise NotFound()
        return await service.order_detail(await service.cancel(runtime, order_id, reason=reason, actor_id=member.id))

    @post("/orders/{order_id:int}/receive", guards=[login_required], status_code=200,
          summary="The buyer confirms receipt: the after-sales window starts")
    async def receive(self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> dict[str, Any]:
        order = await service.get_order(order_id, member_id=request.user.id)
        return await service.order_detail(await service.complete(runtime, order.id, actor_id=request.user.id, note="buyer"))

    @get("/staff/orders", guards=[permission("orders.view")], summary="Staff: all orders, filtered")
    async def list_all(
        self,
        status: FromQuery[OrderStatus | None] = None,
        member_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
        number: Annotated[str | None, Parameter(min_length=1, max_length=32)] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return await service.list_orders(member_id=member_id, status=status, number=number, limit=limit, offset=offset)

    @get("/staff/orders/{order_id:int}", guards=[permission("orders.view")], summary="Staff: one order with its refunds")
    async def get_any(self, order_id: FromPath[int]) -> dict[str, Any]:
        detail = await service.order_detail(await service.get_order(order_id))
        detail["refunds"] = [refund_out(r) for r in await Refund.filter(order_id=order_id).order_by("id")]
        return detail

    @post("/orders/{order_id:int}/ship", guards=[permission("orders.ship")], status_code=200,
          summary="Staff: ship a paid order")
    async def ship(
        self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], data: JSONBody[ShipIn]
    ) -> dict[str, Any]:
        order = await service.ship(
            runtime, order_id, carrier=data.carrier, tracking_number=data.tracking_number, actor_id=request.user.id
        )
        return await service.order_detail(order)

    @post("/orders/{order_id:int}/refunds", guards=[permission("orders.refund")],
          summary="Staff: refund some lines or everything (Idempotency-Key required)")
    async def refund(
        self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], data: JSONBody[RefundIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        data = await strict(request, RefundIn)
        lines = None if data.lines is None else [{"line_id": x.line_id, "quantity": x.quantity} for x in data.lines]
        result = await refunds.refund(
            runtime, order_id, key=idempotency_key, lines=lines, restock=data.restock, reason=data.reason,
            actor_id=request.user.id,
        )
        return _created(refund_out(result.refund), result.replayed)
