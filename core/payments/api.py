"""Payments JSON API: paying an order, provider callbacks, the sandbox's demo button, and
staff confirming offline payments."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, PathParameter

from ..orders import service as orders
from ..orders.api import strict
from ..runtime import Runtime
from ..web.guards import login_required, permission
from . import service


class PayIn(msgspec.Struct, forbid_unknown_fields=True):
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class OfflinePaymentIn(msgspec.Struct, forbid_unknown_fields=True):
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\S")]
    amount: Annotated[int, msgspec.Meta(ge=0, le=10**12)]


class PaymentController(Controller):
    path = "/api"
    tags = ["payments"]

    @get("/payments/providers", summary="Payment providers buyers may use")
    async def providers(self, runtime: NamedDependency[Runtime]) -> list[dict[str, str]]:
        return [{"name": p.name, "title": p.title} for p in service.offered(runtime).values()]

    @post("/orders/{order_id:int}/pay", guards=[login_required], summary="Start paying an own unpaid order")
    async def pay(self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], data: JSONBody[PayIn]) -> dict[str, Any]:
        order = await orders.get_order(order_id, member_id=request.user.id)
        return await service.create_intent(runtime, order, data.provider)

    @post(
        "/orders/{order_id:int}/confirm-payment", guards=[permission("orders.confirm_payment")], status_code=200,
        summary="Staff: record an offline payment (bank transfer, cash) for an order",
    )
    async def confirm_offline(
        self, request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int], data: JSONBody[OfflinePaymentIn]
    ) -> dict[str, Any]:
        data = await strict(request, OfflinePaymentIn)
        payment = await service.confirm_offline(runtime, order_id, data.reference, data.amount, request.user.id)
        return service.payment_out(payment)

    @post(
        "/payments/{provider_name:str}/callback", status_code=200, opt={"exclude_from_auth": True},
        summary="Provider callback (verified by the provider's signature)",
    )
    async def callback(self, request: Request, runtime: NamedDependency[Runtime], provider_name: FromPath[str]) -> dict[str, Any]:
        return await _callback(runtime, provider_name, request)

    @post("/payments/sandbox/callback", status_code=200, opt={"exclude_from_auth": True}, include_in_schema=False)
    async def sandbox_callback(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        """Litestar's router does not fall back from the static ``sandbox`` segment of the demo
        route below to ``{provider_name}``, so the sandbox's callback is routed explicitly."""
        return await _callback(runtime, "sandbox", request)

    @post(
        "/payments/sandbox/{intent_id:str}/complete", guards=[login_required], status_code=200,
        summary="Demo: complete an own sandbox payment through a signed callback",
    )
    async def complete_sandbox(
        self, request: Request, runtime: NamedDependency[Runtime],
        intent_id: Annotated[str, PathParameter(min_length=1, max_length=64)],
    ) -> dict[str, Any]:
        payment = await service.complete_sandbox(runtime, request.user.id, intent_id)
        return service.payment_out(payment)


async def _callback(runtime: Runtime, provider_name: str, request: Request) -> dict[str, Any]:
    payment = await service.handle_callback(runtime, provider_name, request.headers, await request.body())
    return {"ok": True, **service.payment_out(payment)}
