"""Live flash sales (秒杀): a live price for a capped number of units, reserved from the SKU.

Opening a sale takes ``cap`` units off the SKU's stock (``catalog.adjust_stock``) into the sale's
``remaining``. A live order is one transaction whose first statement is a write:

1. ``UPDATE sale SET remaining = remaining - q WHERE id = ? AND status = 'open' AND ends_at > now
   AND remaining >= q`` — the cap, and the sale being open, checked atomically;
2. the same conditional update on the buyer's :class:`LivePurchase` row — the per-member limit;
   then, if the order uses a live coupon, the claim is taken (``coupons.take``);
3. the units go back onto the SKU, and the core order service (``place_order``, nested as a
   savepoint) takes them again as for any order, pricing the line through ``price_adjustments``.

All or nothing: a refused or failed placement rolls the reservation back. Rows are locked sale,
purchase, coupon claim, then SKU and product (the core's order), so live orders cannot deadlock each other or
ordinary orders. Closing a sale (by the host, the session's end or the expiry job) is one
conditional update that also computes what is left, given back to the SKU in the same
transaction; a live order can no longer take from it. The live price applies only to a line
whose units this transaction took from an open sale (a context variable set around the
placement): an order sent elsewhere naming a sale is refused, never priced live. A cancelled live
order's units return to the SKU's ordinary stock (the core's cancellation), not to the sale.
"""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from qunshang.catalog import service as catalog
from qunshang.catalog.models import Sku
from qunshang.catalog.pricing import Adjustment
from qunshang.errors import Conflict, InvalidInput, NotFound
from qunshang.orders import service as orders
from qunshang.orders.models import Order

from .. import realtime
from ..errors import (
    CouponUsed, LimitReached, LiveOrderOutsideRoom, NotEnoughStock, NotOnShelf, SaleAlreadyOpen, SaleClosed,
    SessionStateError, SoldOut,
)
from ..models import LiveOrder, LivePurchase, LiveSale, LiveSession, SaleStatus, SessionStatus, ShelfItem
from . import coupons

#: ``{sale_id: (sku_id, quantity)}`` taken from sales' reserves by the running live placement
_RESERVED: contextvars.ContextVar[dict[int, tuple[int, int]] | None] = contextvars.ContextVar(
    "livestream_reserved", default=None
)
#: the session of the room :func:`buy` is placing an order from: only those orders count as the
#: session's (an order's ``context`` is sent by the client and proves nothing)
_FROM_ROOM: contextvars.ContextVar[int | None] = contextvars.ContextVar("livestream_from_room", default=None)
SALE_FIELDS = ("id", "session_id", "product_id", "sku_id", "live_price", "cap", "remaining", "per_member_limit",
               "starts_at", "ends_at", "status")


def _positive(value: Any, name: str, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= high:
        raise InvalidInput(detail="{field} must be an integer from 1 to {high}", field=name, high=high)
    return value


async def open_sale(
    runtime, session: LiveSession, *, sku_id: int, live_price: int, cap: int, per_member_limit: int, ends_at: datetime,
) -> LiveSale:
    """Open a live sale of a SKU of a product on the live session's shelf."""
    if session.status != SessionStatus.LIVE:
        raise SessionStateError(state=str(session.status))
    sku = await Sku.get_or_none(id=sku_id)
    if sku is None:
        raise NotFound()
    await require_on_shelf(session.id, sku.product_id)
    if not isinstance(live_price, int) or isinstance(live_price, bool) or not 0 <= live_price < sku.price:
        raise InvalidInput(detail="the live price is below the SKU's price, in minor units")
    _positive(cap, "cap", 100_000)
    _positive(per_member_limit, "per_member_limit", orders_max(runtime))
    now = runtime.now()
    longest = timedelta(hours=runtime.settings("livestream").max_duration_hours)
    if ends_at.tzinfo is None or not now < ends_at <= now + longest:
        raise InvalidInput(detail="a live sale ends in the future, within the longest session")
    async with in_transaction():
        try:  # first: the SKU's row stays locked, so a concurrent opening waits, then sees this sale
            await catalog.adjust_stock(sku_id, -cap)
        except Conflict:
            raise NotEnoughStock(cap=cap) from None
        if await LiveSale.exists(sku_id=sku_id, status=SaleStatus.OPEN):
            raise SaleAlreadyOpen()
        sale = await LiveSale.create(
            session_id=session.id, product_id=sku.product_id, sku_id=sku_id, live_price=live_price, cap=cap,
            remaining=cap, per_member_limit=per_member_limit, starts_at=now, ends_at=ends_at,
        )
    await realtime.publish(runtime, session.id, {"type": "sale", "sale": sale_out(sale)})
    return sale


async def require_on_shelf(session_id: int, product_id: int) -> None:
    """Only a product the host pushed to the session can be sold (or clipped) in it."""
    if not await ShelfItem.exists(session_id=session_id, product_id=product_id):
        raise NotOnShelf()


def orders_max(runtime) -> int:
    return runtime.config.orders.max_quantity


def sale_out(sale: LiveSale | Mapping[str, Any]) -> dict[str, Any]:
    get = sale.get if isinstance(sale, Mapping) else lambda name: getattr(sale, name)
    return {name: (str(get(name)) if name == "status" else get(name)) for name in SALE_FIELDS}


async def close(runtime, sale_id: int) -> int | None:
    """Close an open sale and give its unsold units back to the SKU; ``None`` if it was not open."""
    async with in_transaction():
        if not await LiveSale.filter(id=sale_id, status=SaleStatus.OPEN).update(
            status=SaleStatus.CLOSED, returned=F("remaining"), remaining=0, closed_at=runtime.now()
        ):
            return None
        sale = await LiveSale.get(id=sale_id)
        if sale.returned:
            await catalog.adjust_stock(sale.sku_id, sale.returned)
    await realtime.publish(runtime, sale.session_id, {"type": "sale", "sale": sale_out(sale)})
    return sale.returned


async def close_all(runtime, session_id: int) -> None:
    for sale_id in await LiveSale.filter(session_id=session_id, status=SaleStatus.OPEN).values_list("id", flat=True):
        await close(runtime, sale_id)


async def close_expired(runtime) -> int:
    """The expiry job: close every open sale whose time is up."""
    due = await LiveSale.filter(status=SaleStatus.OPEN, ends_at__lte=runtime.now()).values_list("id", flat=True)
    return sum([await close(runtime, sale_id) is not None for sale_id in due])


async def open_sales(session_id: int) -> list[dict[str, Any]]:
    rows = await LiveSale.filter(session_id=session_id, status=SaleStatus.OPEN).order_by("id").values(*SALE_FIELDS)
    return [sale_out(row) for row in rows]


class _Replayed(Exception):
    """An Idempotency-Key replay: undo this request's reservation, answer with the first order."""

    def __init__(self, placement: orders.Placement) -> None:
        self.placement = placement


async def buy(
    runtime, member, session_id: int, sku_id: int, quantity: int, address: Mapping[str, Any],
    idempotency_key: str | None = None, coupon_id: int | None = None,
) -> orders.Placement:
    """Order from the live room: from the SKU's open live sale if it has one (reserve, limit and
    live price), else at the ordinary price for a product on the session's shelf; with
    ``coupon_id``, the member's claimed live coupon of this session comes off (see ``coupons``)."""
    token = _FROM_ROOM.set(session_id)
    try:
        return await _buy(runtime, member, session_id, sku_id, quantity, address, idempotency_key, coupon_id)
    finally:
        _FROM_ROOM.reset(token)


async def _buy(
    runtime, member, session_id: int, sku_id: int, quantity: int, address: Mapping[str, Any],
    idempotency_key: str | None, coupon_id: int | None,
) -> orders.Placement:
    _positive(quantity, "quantity", orders_max(runtime))
    session = await LiveSession.get_or_none(id=session_id)
    if session is None:
        raise NotFound()
    context = {"channel": "livestream", "live_session": str(session_id)}
    line = [{"sku_id": sku_id, "quantity": quantity}]
    sale = await LiveSale.filter(session_id=session_id, sku_id=sku_id, status=SaleStatus.OPEN).first()
    if sale is None:
        sku = await Sku.get_or_none(id=sku_id)
        if sku is None:
            raise NotFound()
        await require_on_shelf(session_id, sku.product_id)
    else:
        context["live_sale"] = str(sale.id)
    if coupon_id is not None:
        context["live_coupon"] = str(coupon_id)
    if (sale is None and coupon_id is None) or (
        idempotency_key and await Order.exists(member_id=member.id, idempotency_key=idempotency_key)
    ):  # an ordinary order, or a retry: the core answers with the first order (or refuses another request)
        return await orders.place_order(runtime, member, line, address, idempotency_key=idempotency_key, context=context)
    if sale is not None:
        _precheck(runtime, sale, quantity)
    held = await coupons.holdable(runtime, member.id, session, coupon_id) if coupon_id is not None else None
    token = _RESERVED.set({sale.id: (sku_id, quantity)} if sale else {})
    try:
        with coupons.holding(held):
            async with in_transaction():
                if sale is not None:
                    await _reserve(runtime, sale, member.id, quantity)
                if held is not None:
                    await coupons.take(held)
                placement = await orders.place_order(runtime, member, line, address, idempotency_key=idempotency_key,
                                                     context=context)
                if placement.replayed:
                    raise _Replayed(placement)
    except _Replayed as replay:
        return replay.placement
    except (SoldOut, LimitReached, CouponUsed):
        if idempotency_key and await Order.exists(member_id=member.id, idempotency_key=idempotency_key):
            # a concurrent duplicate of this request won the units or the coupon: answer with its order
            return await orders.place_order(runtime, member, line, address, idempotency_key=idempotency_key,
                                            context=context)
        raise
    finally:
        _RESERVED.reset(token)
    return placement


def _precheck(runtime, sale: LiveSale, quantity: int) -> None:
    """Refusals that need no write: most of a sold-out burst ends here."""
    if sale.ends_at <= runtime.now():
        raise SaleClosed()
    if sale.remaining < quantity:
        raise SoldOut()
    if quantity > sale.per_member_limit:
        raise LimitReached(limit=sale.per_member_limit)


async def _reserve(runtime, sale: LiveSale, member_id: int, quantity: int) -> None:
    now = runtime.now()
    taken = await LiveSale.filter(
        id=sale.id, status=SaleStatus.OPEN, ends_at__gt=now, remaining__gte=quantity
    ).update(remaining=F("remaining") - quantity)
    if not taken:
        current = await LiveSale.get(id=sale.id)
        raise SoldOut() if current.status == SaleStatus.OPEN and current.ends_at > now else SaleClosed()
    await LivePurchase.bulk_create(
        [LivePurchase(sale_id=sale.id, member_id=member_id, remaining=sale.per_member_limit)], ignore_conflicts=True
    )
    if not await LivePurchase.filter(sale_id=sale.id, member_id=member_id, remaining__gte=quantity).update(
        remaining=F("remaining") - quantity
    ):
        raise LimitReached(limit=sale.per_member_limit)
    await catalog.adjust_stock(sale.sku_id, quantity)  # back onto the SKU, for the order to take


async def live_adjustments(lines, context: Mapping[str, Any]) -> list[Adjustment]:
    """The ``price_adjustments`` impl: the live price, on order lines whose units this very
    placement took from the named open sale."""
    reserved = _RESERVED.get()
    if context.get("purpose") != "order" or not context.get("live_sale") or not reserved:
        return []
    sale_id = int(context["live_sale"])
    if sale_id not in reserved:
        return []
    sku_id, quantity = reserved[sale_id]
    price = await LiveSale.filter(id=sale_id).values_list("live_price", flat=True)
    return [
        Adjustment(i, (price[0] - line.unit_price) * line.quantity, "Live price", "livestream", str(sale_id))
        for i, line in enumerate(lines)
        if price and line.sku_id == sku_id and line.quantity == quantity
    ]


def check_live_order(draft) -> None:
    """The ``order_validate`` impl: an order naming a live sale must come from :func:`buy`."""
    sale = draft.context.get("live_sale")
    if sale and (not sale.isdigit() or int(sale) not in (_RESERVED.get() or {})):
        raise LiveOrderOutsideRoom()


async def record_order(order) -> None:
    """The ``order_placed`` impl: remember orders placed from a room by :func:`buy` (the funnel)."""
    session_id = _FROM_ROOM.get()
    if session_id is not None:
        sale = (order.context or {}).get("live_sale")
        await LiveOrder.create(session_id=session_id, order_id=order.id, sale_id=int(sale) if sale else None)
