"""Orders: placing them (priced server-side, stock taken atomically) and their state machine.

States: ``placed → paid → shipped → completed → closed``; ``placed → cancelled``; an order
fully refunded from ``paid``/``shipped``/``completed`` becomes ``refunded`` (see ``refunds``).
Every transition is one conditional ``UPDATE … WHERE status IN (<expected>)`` plus an
:class:`OrderEvent`, so of two concurrent callers (buyer and job, two workers) one wins and
the other gets :class:`OrderStateError`.

Lock order: stock rows are locked every SKU by id, then every product by id
(``catalog.service.take_stock``/``return_stock``), so concurrent orders, cancellations and
refunds can never deadlock on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..catalog import service as catalog
from ..catalog.models import ProductStatus
from ..catalog.pricing import PriceLine, price_lines
from ..errors import IdempotencyKeyReused, InvalidInput, InvalidState, NotFound, OutOfStock
from ..validation import invalid_body
from .models import Order, OrderEvent, OrderLine, OrderStatus

if TYPE_CHECKING:
    from ..members.models import Member
    from ..runtime import Runtime

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,64}$")  # printable ASCII, no spaces
MAX_ID = 2**31 - 1
#: attempts at a unique order number (10 random digits per day: a clash is already unlikely)
NUMBER_ATTEMPTS = 3


class Address(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"\S")]
    phone: Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]
    region: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    detail: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
    postal_code: Annotated[str, msgspec.Meta(max_length=10)] = ""


class OrderStateError(InvalidState):
    message = "This is not possible while the order is {state}."


class ItemUnavailable(NotFound):
    code = "item_unavailable"
    message = "This item is not available: {sku_id}."


@dataclass
class DraftLine:
    sku_id: int
    product_id: int
    title: str
    sku_name: str
    unit_price: int
    quantity: int
    total: int
    adjustments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def discount(self) -> int:
        return self.unit_price * self.quantity - self.total


@dataclass
class OrderDraft:
    """A priced order not yet written, as ``order_validate`` sees it."""

    member: Member
    lines: list[DraftLine]
    subtotal: int
    discount: int
    shipping_fee: int
    total: int
    address: dict[str, str]
    note: str
    context: dict[str, str]


@dataclass(frozen=True)
class Placement:
    order: Order
    replayed: bool  # True when an Idempotency-Key replay returned an earlier order
    written: dict[str, Any] | None = None  # the new order's detail as written, when nothing can have changed it

    async def detail(self) -> dict[str, Any]:
        """The order as :func:`order_detail` shows it, read back only when needed."""
        return self.written or await order_detail(self.order)


async def place_order(
    runtime: Runtime,
    member: Member,
    lines: Sequence[Mapping[str, Any]],
    address: Mapping[str, Any],
    note: str = "",
    idempotency_key: str | None = None,
    context: Mapping[str, Any] | None = None,
) -> Placement:
    """Place an order for ``member``: ``lines`` are ``{"sku_id", "quantity"}`` (other keys,
    such as a client's idea of the price, are ignored: prices come from the catalog).

    First a read outside any transaction refuses what cannot be sold: unknown or unavailable
    items, and SKUs already short of stock (most requests of a flash sale end here, having
    written nothing and locked nothing). Then one transaction takes the stock (its first
    statement is a write, so SQLite never runs it on a stale snapshot; any shortage raises
    :class:`OutOfStock` before anything else is written), prices the SKUs as those updates
    return them, runs ``order_validate``, writes the order and calls ``order_placed``: all or
    nothing.
    With ``idempotency_key``, the same key and request return the first order
    (``replayed=True``) and the same key with another request raises
    :class:`IdempotencyKeyReused`; concurrent duplicates place one order (unique key).
    """
    settings = runtime.config.orders
    wanted = _wanted(lines, settings.max_quantity, settings.max_lines)
    address = _address(address)
    note = _note(note)
    context = _context(context)
    key = check_idempotency_key(idempotency_key)
    request_hash = _request_hash(wanted, address, note, context) if key else ""
    if key and (earlier := await _replay(member, key, request_hash)):
        return Placement(earlier, True)
    attempts = NUMBER_ATTEMPTS
    while True:
        try:
            takes = await _check_available(wanted)
            return await _write(runtime, member, wanted, takes, address, note, context, key, request_hash)
        except (IntegrityError, OutOfStock) as exc:
            if key and (earlier := await _replay(member, key, request_hash)):
                return Placement(earlier, True)  # a concurrent request with this key won
            attempts -= 1
            if isinstance(exc, OutOfStock) or not attempts:
                raise


def check_idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(detail="Idempotency-Key must be 1 to 64 printable characters")
    return key


async def _replay(member: Member, key: str, request_hash: str) -> Order | None:
    earlier = await Order.get_or_none(member_id=member.id, idempotency_key=key)
    if earlier is not None and earlier.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return earlier


@dataclass(frozen=True)
class StockTake:
    sku_id: int
    product_id: int
    quantity: int
    title: str  # the product's, for OutOfStock


async def _check_available(wanted: dict[int, int]) -> list[StockTake]:
    """Refuse unavailable items and visible shortages; return the stock to take."""
    rows = await catalog.skus_for_sale(list(wanted))
    _refuse_unavailable(wanted, rows)
    for sku_id, quantity in wanted.items():
        if rows[sku_id]["stock"] < quantity:
            raise OutOfStock(title=rows[sku_id]["title"])
    return [StockTake(s, rows[s]["product_id"], q, rows[s]["title"]) for s, q in wanted.items()]


def _refuse_unavailable(wanted: dict[int, int], rows: dict[int, dict[str, Any]]) -> None:
    for sku_id in wanted:
        if sku_id not in rows:
            raise ItemUnavailable(sku_id=sku_id)


async def _draft(
    runtime: Runtime, member: Member, wanted: dict[int, int], rows: dict[int, dict[str, Any]],
    address: dict[str, str], note: str, context: dict[str, str],
) -> OrderDraft:
    to_price = [PriceLine(rows[s]["product_id"], s, q, rows[s]["price"]) for s, q in wanted.items()]
    priced = await price_lines(runtime, to_price, member, {**context, "purpose": "order"})
    lines = [
        DraftLine(
            sku_id=p.line.sku_id, product_id=p.line.product_id, title=rows[p.line.sku_id]["title"],
            sku_name=rows[p.line.sku_id]["name"], unit_price=p.line.unit_price, quantity=p.line.quantity,
            total=p.total, adjustments=[a.as_dict() for a in p.adjustments],
        )
        for p in priced
    ]
    subtotal = sum(p.line.subtotal for p in priced)
    paid = sum(line.total for line in lines)
    settings = runtime.config.orders
    free = settings.free_shipping_over is not None and paid >= settings.free_shipping_over
    shipping = 0 if free else settings.shipping_fee
    return OrderDraft(member, lines, subtotal, subtotal - paid, shipping, paid + shipping, address, note, context)


async def _write(
    runtime: Runtime, member: Member, wanted: dict[int, int], takes: list[StockTake], address: dict[str, str],
    note: str, context: dict[str, str], key: str | None, request_hash: str,
) -> Placement:
    """The placement transaction: stock first (in the global lock order; the updates also return
    the SKUs as they are now), then the draft priced from them, its validation and the order's
    rows. Lines are inserted one by one, which gives their ids: unless an ``order_placed`` impl
    may have changed the order, its detail is built from what was written instead of being
    read back."""
    now = runtime.now()
    async with in_transaction():
        try:
            current = await catalog.take_stock({take.sku_id: take.quantity for take in takes})
        except catalog.StockShort as short:
            raise OutOfStock(title=next(t.title for t in takes if t.sku_id == short.sku_id)) from None
        taken = {  # not withdrawn since the check
            sku_id: sku for sku_id, sku in current.items()
            if sku["active"] and sku["status"] == ProductStatus.PUBLISHED
        }
        _refuse_unavailable(wanted, taken)
        draft = await _draft(runtime, member, wanted, taken, address, note, context)
        await runtime.call("order_validate", draft=draft)
        order = await Order.create(
            number=_number(now), member_id=member.id, currency=runtime.config.orders.currency,
            subtotal=draft.subtotal, discount=draft.discount, shipping_fee=draft.shipping_fee, total=draft.total,
            address=draft.address, note=draft.note, context=draft.context, idempotency_key=key,
            request_hash=request_hash, placed_at=now,
            expires_at=now + timedelta(minutes=runtime.config.orders.unpaid_timeout_minutes),
        )
        lines = [
            await OrderLine.create(
                order_id=order.id, sku_id=line.sku_id, product_id=line.product_id, title=line.title,
                sku_name=line.sku_name, unit_price=line.unit_price, quantity=line.quantity,
                discount=line.discount, total=line.total, adjustments=line.adjustments,
            )
            for line in draft.lines
        ]
        event = await OrderEvent.create(order_id=order.id, status=OrderStatus.PLACED, actor_id=member.id, at=now)
        await runtime.call("order_placed", order=order)
    if runtime.impls("order_placed"):
        return Placement(order, False)
    written = _detail(order, [_pick(line, LINE_FIELDS) for line in lines], [_pick(event, EVENT_FIELDS)])
    return Placement(order, False, written)


# --------------------------------------------------------------------------- transitions


async def move(
    runtime: Runtime, order_id: int, sources: Iterable[OrderStatus], target: OrderStatus, *,
    actor_id: int | None = None, note: str = "", event: str | None = None, **changes: Any,
) -> Order:
    """Move an order from one of ``sources`` to ``target`` (a conditional update) and record
    the event; raise :class:`OrderStateError` if it is in no source state. Call it inside the
    transaction that does the rest of the change."""
    changed = await Order.filter(id=order_id, status__in=list(sources)).update(status=target, **changes)
    if not changed:
        current = await Order.filter(id=order_id).values_list("status", flat=True)
        if not current:
            raise NotFound()
        raise OrderStateError(state=str(current[0]))
    await OrderEvent.create(order_id=order_id, status=event or target, note=note, actor_id=actor_id, at=runtime.now())
    return await Order.get(id=order_id)


async def cancel(runtime: Runtime, order_id: int, *, reason: str, actor_id: int | None = None) -> Order:
    """Cancel an unpaid order and return its stock. ``reason``: buyer, staff or timeout."""
    now = runtime.now()
    async with in_transaction():
        order = await move(runtime, order_id, [OrderStatus.PLACED], OrderStatus.CANCELLED,
                           actor_id=actor_id, note=reason, cancelled_at=now)
        lines = await OrderLine.filter(order_id=order_id).values_list("sku_id", "product_id", "quantity")
        await catalog.return_stock(lines)
        await runtime.call("order_cancelled", order=order, reason=reason)
    return order


async def mark_paid(runtime: Runtime, order_id: int, provider: str, *, actor_id: int | None = None) -> Order:
    """``placed → paid``; called by payment confirmation inside its transaction."""
    return await move(runtime, order_id, [OrderStatus.PLACED], OrderStatus.PAID, actor_id=actor_id,
                      note=provider, paid_at=runtime.now(), payment_provider=provider)


async def ship(runtime: Runtime, order_id: int, *, carrier: str, tracking_number: str, actor_id: int | None) -> Order:
    async with in_transaction():
        order = await move(runtime, order_id, [OrderStatus.PAID], OrderStatus.SHIPPED, actor_id=actor_id,
                           note=f"{carrier} {tracking_number}", carrier=carrier, tracking_number=tracking_number,
                           shipped_at=runtime.now())
        await runtime.call("order_shipped", order=order)
    return order


async def complete(runtime: Runtime, order_id: int, *, actor_id: int | None, note: str) -> Order:
    """``shipped → completed``: received by the buyer (``note="buyer"``) or auto-confirmed;
    the after-sales window starts."""
    now = runtime.now()
    async with in_transaction():
        order = await move(runtime, order_id, [OrderStatus.SHIPPED], OrderStatus.COMPLETED, actor_id=actor_id,
                           note=note, completed_at=now,
                           after_sales_ends_at=now + timedelta(days=runtime.config.orders.after_sales_days))
        await runtime.call("order_completed", order=order)
    return order


async def close(runtime: Runtime, order_id: int) -> Order:
    """``completed → closed`` once the after-sales window is over: money may settle."""
    async with in_transaction():
        order = await move(runtime, order_id, [OrderStatus.COMPLETED], OrderStatus.CLOSED, closed_at=runtime.now())
        await runtime.call("after_sales_closed", order=order)
    return order


# --------------------------------------------------------------------------- reading


async def get_order(order_id: int, member_id: int | None = None) -> Order:
    """The order, or :class:`NotFound`; with ``member_id``, only that member's own order."""
    query = Order.filter(id=order_id)
    if member_id is not None:
        query = query.filter(member_id=member_id)
    order = await query.first()
    if order is None:
        raise NotFound()
    return order


SUMMARY_FIELDS = ("id", "number", "member_id", "status", "currency", "total", "refunded_amount", "placed_at", "paid_at")


async def list_orders(
    *, member_id: int | None = None, status: OrderStatus | None = None, number: str | None = None,
    limit: int = 20, offset: int = 0,
) -> dict[str, Any]:
    query = Order.all().order_by("-id")
    if member_id is not None:
        query = query.filter(member_id=member_id)
    if status is not None:
        query = query.filter(status=status)
    if number:
        query = query.filter(number=number)
    rows = await query.offset(offset).limit(limit + 1).values(*SUMMARY_FIELDS)
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


LINE_FIELDS = (
    "id", "sku_id", "product_id", "title", "sku_name", "unit_price", "quantity", "discount", "total",
    "adjustments", "refunded_quantity", "refunded_amount",
)
EVENT_FIELDS = ("status", "note", "actor_id", "at")


async def order_detail(order: Order) -> dict[str, Any]:
    lines = await OrderLine.filter(order_id=order.id).values(*LINE_FIELDS)
    events = await OrderEvent.filter(order_id=order.id).values(*EVENT_FIELDS)
    return _detail(order, lines, events)


def _pick(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


def _detail(order: Order, lines: list[dict[str, Any]], events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": order.id, "number": order.number, "member_id": order.member_id, "status": str(order.status),
        "currency": order.currency, "subtotal": order.subtotal, "discount": order.discount,
        "shipping_fee": order.shipping_fee, "total": order.total, "refunded_amount": order.refunded_amount,
        "address": order.address, "note": order.note, "payment_provider": order.payment_provider,
        "carrier": order.carrier, "tracking_number": order.tracking_number, "placed_at": order.placed_at,
        "expires_at": order.expires_at, "paid_at": order.paid_at, "shipped_at": order.shipped_at,
        "completed_at": order.completed_at, "after_sales_ends_at": order.after_sales_ends_at,
        "closed_at": order.closed_at, "cancelled_at": order.cancelled_at, "lines": lines, "events": events,
    }


# --------------------------------------------------------------------------- helpers


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _wanted(lines: Sequence[Mapping[str, Any]], max_quantity: int, max_lines: int) -> dict[int, int]:
    """``{sku_id: quantity}`` in the order given, duplicate SKUs merged."""
    if not isinstance(lines, (list, tuple)) or not lines:
        raise InvalidInput(detail="an order needs at least one line")
    wanted: dict[int, int] = {}
    for line in lines:
        if not isinstance(line, Mapping):
            raise InvalidInput(detail="each line is an object with sku_id and quantity")
        sku_id, quantity = line.get("sku_id"), line.get("quantity")
        if not _is_int(sku_id) or not 1 <= sku_id <= MAX_ID:
            raise InvalidInput(detail="sku_id must be a positive integer")
        if not _is_int(quantity) or not 1 <= quantity <= max_quantity:
            raise InvalidInput(detail="quantity must be an integer from 1 to {high}", high=max_quantity)
        wanted[sku_id] = wanted.get(sku_id, 0) + quantity
        if wanted[sku_id] > max_quantity:
            raise InvalidInput(detail="quantity must be an integer from 1 to {high}", high=max_quantity)
    if len(wanted) > max_lines:
        raise InvalidInput(detail="an order has at most {max_lines} lines", max_lines=max_lines)
    return wanted


def _address(raw: Mapping[str, Any]) -> dict[str, str]:
    try:
        return msgspec.structs.asdict(msgspec.convert(raw, Address, strict=True))
    except msgspec.ValidationError as exc:
        raise invalid_body(exc, "address") from None


def _note(note: str) -> str:
    if not isinstance(note, str) or len(note) > 200:
        raise InvalidInput(detail="note must be text of at most 200 characters")
    return note


def _context(context: Mapping[str, Any] | None) -> dict[str, str]:
    context = dict(context or {})
    if len(context) > 10 or not all(
        isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 32 and len(v) <= 100 for k, v in context.items()
    ):
        raise InvalidInput(detail="context holds at most 10 short text values")
    return context


def _request_hash(wanted: dict[int, int], address: dict[str, str], note: str, context: dict[str, str]) -> str:
    canonical = json.dumps(
        {"lines": list(wanted.items()), "address": address, "note": note, "context": context},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _number(now: datetime) -> str:
    return f"{now:%Y%m%d}{secrets.randbelow(10**10):010d}"
