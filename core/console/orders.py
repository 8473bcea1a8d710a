"""Console pages for orders: list and filter, detail with timeline, ship, confirm an offline
payment, refund (through the refunds service and its hooks), CSV export."""

from __future__ import annotations

import csv
import secrets
from collections.abc import AsyncIterator
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Stream
from tortoise.transactions import in_transaction

from ..errors import InvalidInput
from ..orders import refunds
from ..orders import service as orders
from ..orders.models import Order, OrderStatus
from ..payments import service as payments
from . import audit, forms
from .access import allows, request_grants
from .csvio import _Line, escape_cell
from .templates import render

PAGE = 50
STATUSES = [s.value for s in OrderStatus]
REFUNDABLE = {OrderStatus.PAID.value, OrderStatus.SHIPPED.value, OrderStatus.COMPLETED.value}


def _state(order: Order) -> dict[str, Any]:
    return {"status": str(order.status), "refunded_amount": order.refunded_amount, "tracking_number": order.tracking_number}


def _filters(status: str | None, number: str | None, member_id: int | None) -> Any:
    query = Order.all()
    if status in STATUSES:
        query = query.filter(status=status)
    if number:
        query = query.filter(number=number.strip())
    if member_id is not None:
        query = query.filter(member_id=member_id)
    return query


@get("/orders")
async def order_list(
    request: Request, status: FromQuery[str | None] = None, number: FromQuery[str | None] = None,
    member_id: Annotated[int | None, Parameter(ge=1, le=2**31)] = None,
    offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0,
) -> Response:
    rows = await _filters(status, number, member_id).order_by("-id").offset(offset).limit(PAGE + 1).values(
        *orders.SUMMARY_FIELDS, member_name="member__display_name"
    )
    return render(request, "console/orders.html", items=rows[:PAGE], has_more=len(rows) > PAGE, offset=offset,
                  status=status or "", number=number or "", member_id=member_id or "", statuses=STATUSES)


@get("/orders/{order_id:int}")
async def order_view(request: Request, order_id: FromPath[int]) -> Response:
    detail = await orders.order_detail(await orders.get_order(order_id))
    refundable = (detail["status"] in REFUNDABLE and detail["refunded_amount"] < detail["total"]
                  and allows(request_grants(request), "orders.refund"))
    return render(request, "console/order.html", order=detail, refundable=refundable, refund_key=secrets.token_hex(16))


@post("/orders/{order_id:int}/ship", opt={"permission": "orders.ship"})
async def order_ship(request: Request, order_id: FromPath[int]) -> Response:
    form = await request.form()
    carrier = forms.text(form, "carrier", max_length=32, required=True)
    tracking = forms.text(form, "tracking_number", max_length=64, required=True)
    runtime = request.app.state.runtime
    async with in_transaction():
        before = _state(await orders.get_order(order_id))
        order = await orders.ship(runtime, order_id, carrier=carrier, tracking_number=tracking, actor_id=request.user.id)
        await audit.record(request, "order.ship", "order", order_id, before=before, after={**_state(order), "carrier": carrier})
    return Redirect(f"/console/orders/{order_id}", status_code=303)


@post("/orders/{order_id:int}/confirm-payment", opt={"permission": "orders.confirm_payment"})
async def order_confirm_payment(request: Request, order_id: FromPath[int]) -> Response:
    form = await request.form()
    reference = forms.text(form, "reference", max_length=64, required=True)
    amount = forms.money(form, "amount")
    runtime = request.app.state.runtime
    async with in_transaction():
        before = _state(await orders.get_order(order_id))
        payment = await payments.confirm_offline(runtime, order_id, reference, amount, request.user.id)
        await audit.record(request, "order.confirm_payment", "order", order_id, before=before,
                           after={**_state(await orders.get_order(order_id)), "payment_id": payment.id, "reference": reference, "amount": amount})
    return Redirect(f"/console/orders/{order_id}", status_code=303)


@post("/orders/{order_id:int}/refund", opt={"permission": "orders.refund"})
async def order_refund(request: Request, order_id: FromPath[int]) -> Response:
    """Refund everything left (``full=1``) or the quantities given as ``qty_<line id>``."""
    form = await request.form()
    reason = forms.text(form, "reason", max_length=200)
    key = forms.text(form, "key", max_length=64) or secrets.token_hex(16)
    lines = None
    if form.get("full") != "1":
        lines = []
        for name in form.keys():
            if name.startswith("qty_") and str(form.get(name) or "").strip() not in ("", "0"):
                line_id = forms.integer({"line": name[4:]}, "line", low=1)
                lines.append({"line_id": line_id, "quantity": forms.integer(form, name, low=1, high=10**6)})
        if not lines:
            raise InvalidInput(detail="choose at least one line to refund")
    runtime = request.app.state.runtime
    async with in_transaction():
        before = _state(await orders.get_order(order_id))
        result = await refunds.refund(runtime, order_id, key=key, lines=lines, restock=form.get("restock") == "1",
                                      reason=reason, actor_id=request.user.id)
        if not result.replayed:
            await audit.record(request, "order.refund", "order", order_id, before=before,
                               after={**_state(await orders.get_order(order_id)), "refund_id": result.refund.id,
                                      "amount": result.refund.amount, "lines": lines})
    return Redirect(f"/console/orders/{order_id}", status_code=303)


async def _export(status: str | None) -> AsyncIterator[bytes]:
    sink = _Line()
    writer = csv.writer(sink)
    writer.writerow(["number", "status", "member_id", "total", "refunded_amount", "placed_at", "paid_at", "tracking_number", "city"])
    yield b"\xef\xbb\xbf" + sink.text.encode()
    last = None
    while True:
        query = _filters(status, None, None) if last is None else _filters(status, None, None).filter(id__lt=last)
        rows = await query.order_by("-id").limit(500).values(
            "id", "number", "status", "member_id", "total", "refunded_amount", "placed_at", "paid_at", "tracking_number", "address")
        if not rows:
            return
        sink.text = ""
        for r in rows:
            writer.writerow([escape_cell(r["number"]), str(r["status"]), r["member_id"], r["total"], r["refunded_amount"],
                             r["placed_at"], r["paid_at"] or "", escape_cell(r["tracking_number"]),
                             escape_cell(str((r["address"] or {}).get("city", "")))])
        yield sink.text.encode()
        last = rows[-1]["id"]


@get("/orders/export.csv")
async def order_export(request: Request, status: FromQuery[str | None] = None) -> Stream:
    return Stream(_export(status), media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": 'attachment; filename="orders.csv"'})


HANDLERS = (order_list, order_view, order_ship, order_confirm_payment, order_refund, order_export)
