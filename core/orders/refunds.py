"""Refunds: staff return money for some or all of a paid order, once per Idempotency-Key.

A line's refunds are prorated from what was paid for it: after refunding ``q`` of its ``n``
units the line has returned ``prorate(line.total, q, n)`` in all, so partial refunds add up
exactly to the line total and never exceed it. Shipping is refunded with the last item.
Counters move by conditional updates on the values the refund was planned from (a concurrent
refund of the same order makes this one roll back and plan again), and the money goes back through a reversal of the payment's ledger
posting (``platform:sales → platform:cash:<provider>``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..catalog import service as catalog
from ..errors import Conflict, IdempotencyKeyReused, InvalidInput, NotFound
from ..ledger import service as ledger
from ..money import prorate
from ..payments.models import Payment, PaymentStatus
from ..payments.service import posting_key
from .models import Order, OrderEvent, OrderLine, OrderStatus, Refund
from .service import OrderStateError, check_idempotency_key

if TYPE_CHECKING:
    from ..runtime import Runtime

REFUNDABLE = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
MAX_QUANTITY = 1_000_000
ATTEMPTS = 3  # plans of a refund raced by other refunds of the same order


class OverRefund(Conflict):
    code = "over_refund"
    message = "This refund is more than what is left to refund."


class _ChangedMeanwhile(Exception):
    """A conditional update found a line or the order changed since it was read."""


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    replayed: bool


@dataclass(frozen=True)
class _Part:
    line: OrderLine
    quantity: int
    amount: int

    @property
    def sku_id(self) -> int:
        return self.line.sku_id

    @property
    def product_id(self) -> int:
        return self.line.product_id


async def refund(
    runtime: Runtime,
    order_id: int,
    *,
    key: str,
    lines: Sequence[Mapping[str, Any]] | None = None,
    restock: bool = False,
    reason: str = "",
    actor_id: int | None = None,
) -> RefundResult:
    """Refund ``lines`` (``[{"line_id", "quantity"}]``) or, when ``None``, everything left.

    ``key`` (the request's Idempotency-Key) makes a retry return the first refund; the same
    key with a different request raises :class:`IdempotencyKeyReused`.
    """
    if check_idempotency_key(key) is None:
        raise InvalidInput(detail="a refund needs an Idempotency-Key")
    requested = None if lines is None else _requested(lines)
    if not isinstance(reason, str) or len(reason) > 200:
        raise InvalidInput(detail="reason must be text of at most 200 characters")
    stored_key = f"order:{order_id}:{key}"
    request_hash = hashlib.sha256(json.dumps(
        [sorted(requested.items()) if requested is not None else None, bool(restock), reason], ensure_ascii=False,
    ).encode()).hexdigest()
    if earlier := await _replay(stored_key, request_hash):
        return RefundResult(earlier, True)
    for _attempt in range(ATTEMPTS):
        try:
            created = await _refund(runtime, order_id, stored_key, request_hash, requested, bool(restock), reason, actor_id)
        except IntegrityError:
            if earlier := await _replay(stored_key, request_hash):
                return RefundResult(earlier, True)  # a concurrent retry won
            raise
        except _ChangedMeanwhile:
            continue  # another refund of this order committed first: plan again from fresh rows
        return RefundResult(created, False)
    raise Conflict()



async def _replay(stored_key: str, request_hash: str) -> Refund | None:
    earlier = await Refund.get_or_none(key=stored_key)
    if earlier is not None and earlier.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return earlier


async def _refund(
    runtime: Runtime, order_id: int, stored_key: str, request_hash: str,
    requested: dict[int, int] | None, restock: bool, reason: str, actor_id: int | None,
) -> Refund:
    now = runtime.now()
    async with in_transaction():
        order = await Order.get_or_none(id=order_id)
        if order is None:
            raise NotFound()
        if order.status not in REFUNDABLE:
            raise OrderStateError(state=str(order.status))
        lines = {line.id: line for line in await OrderLine.filter(order_id=order_id)}
        parts = _plan(lines, requested)
        refunded = {p.line.id: p.quantity for p in parts}
        fully = all(line.refunded_quantity + refunded.get(line.id, 0) == line.quantity for line in lines.values())
        shipping = order.shipping_fee if fully else 0
        amount = sum(p.amount for p in parts) + shipping
        created = await Refund.create(
            order_id=order_id, key=stored_key, request_hash=request_hash, amount=amount, shipping_amount=shipping,
            lines=[{"line_id": p.line.id, "quantity": p.quantity, "amount": p.amount} for p in parts],
            reason=reason, restock=restock, actor_id=actor_id, created_at=now,
        )
        for p in parts:
            changed = await OrderLine.filter(id=p.line.id, refunded_quantity=p.line.refunded_quantity).update(
                refunded_quantity=F("refunded_quantity") + p.quantity, refunded_amount=F("refunded_amount") + p.amount
            )
            if not changed:
                raise _ChangedMeanwhile()
        changed = await Order.filter(
            id=order_id, status__in=REFUNDABLE, refunded_amount=order.refunded_amount,
            refunded_amount__lte=order.total - amount,  # never more than was paid, whatever happened
        ).update(refunded_amount=F("refunded_amount") + amount, **({"status": OrderStatus.REFUNDED} if fully else {}))
        if not changed:
            raise _ChangedMeanwhile()
        await OrderEvent.create(
            order_id=order_id, status=OrderStatus.REFUNDED if fully else "partial_refund",
            note=f"{amount} {reason}"[:200], actor_id=actor_id, at=now,
        )
        if restock:
            await catalog.return_stock((p.sku_id, p.product_id, p.quantity) for p in parts)
        if amount:
            await ledger.reverse(await _payment_posting(order_id), f"refund:{created.id}", amount=amount, at=now,
                                 memo=f"refund of order {order.number}")
        await runtime.call("order_refunded", order=await Order.get(id=order_id), refund=created)
    return created


def _plan(lines: dict[int, OrderLine], requested: dict[int, int] | None) -> list[_Part]:
    if requested is None:
        requested = {i: line.quantity - line.refunded_quantity for i, line in lines.items()}
        requested = {i: q for i, q in requested.items() if q}
    if not requested:
        raise OverRefund()
    parts = []
    for line_id, quantity in requested.items():
        line = lines.get(line_id)
        if line is None:
            raise NotFound()
        after = line.refunded_quantity + quantity
        if after > line.quantity:
            raise OverRefund()
        parts.append(_Part(line, quantity, prorate(line.total, after, line.quantity) - line.refunded_amount))
    return parts


def _requested(lines: Sequence[Mapping[str, Any]]) -> dict[int, int]:
    if not isinstance(lines, (list, tuple)) or not 1 <= len(lines) <= 200:
        raise InvalidInput(detail="lines must list 1 to 200 order lines")
    requested: dict[int, int] = {}
    for item in lines:
        line_id = item.get("line_id") if isinstance(item, Mapping) else None
        quantity = item.get("quantity") if isinstance(item, Mapping) else None
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (line_id, quantity)):
            raise InvalidInput(detail="each line is an object with line_id and quantity")
        if line_id < 1 or not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(detail="line_id and quantity must be positive integers")
        requested[line_id] = requested.get(line_id, 0) + quantity
    return requested


async def _payment_posting(order_id: int) -> str:
    payment = await Payment.get(order_id=order_id, status=PaymentStatus.SUCCEEDED)
    return posting_key(payment.provider, payment.transaction_id)
