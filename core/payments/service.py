"""Taking payments: intents for buyers, and one confirmation path for every provider.

:func:`confirm` is where money arrives, whoever reports it (a signed provider callback, the
sandbox's demo button, staff confirming a bank transfer). In one transaction it checks the
amount, marks the payment and the order paid by conditional updates, posts
``platform:cash:<provider> → platform:sales`` to the ledger under the key
``payment:<provider>:<transaction id>`` and calls the ``order_paid`` guard hook. A replay of
the same transaction returns the first result and changes nothing.

Money that arrives for an order that can no longer be paid (cancelled by the unpaid timeout
while the buyer was paying) is not refused — the provider has taken it: the payment is marked
``to_refund`` and the amount posted to ``platform:refunds_due`` for staff to return, and the
provider gets a success answer so it stops retrying.
"""

from __future__ import annotations

import logging

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from ..errors import Conflict, InvalidInput, NotFound
from ..ledger import service as ledger
from ..orders import service as orders
from ..orders.models import Order, OrderStatus
from .base import AmountMismatch, OrderNotPayable, PaymentAlreadyConfirmed, PaymentProvider
from .models import Payment, PaymentStatus
from .providers.sandbox import SandboxCallback, signed_callback

log = logging.getLogger("qunshang.payments")

if TYPE_CHECKING:
    from ..runtime import Runtime


class DuplicateTransaction(Conflict):
    code = "duplicate_transaction"
    message = "This transaction was already used for another payment."


def offered(runtime: Runtime) -> dict[str, PaymentProvider]:
    """The providers buyers may use: those installed and named in ``[payments] providers``."""
    allowed = runtime.config.payments.providers
    return {name: p for name, p in runtime.state["payment_providers"].items() if name in allowed}


def provider(runtime: Runtime, name: str) -> PaymentProvider:
    found = offered(runtime).get(name)
    if found is None:
        raise NotFound()
    return found


def posting_key(provider_name: str, transaction_id: str) -> str:
    return f"payment:{provider_name}:{transaction_id}"


async def create_intent(runtime: Runtime, order: Order, provider_name: str) -> dict[str, Any]:
    """A new payment of ``order.total`` with ``provider_name``, and what the client needs to pay."""
    chosen = provider(runtime, provider_name)
    if order.status != OrderStatus.PLACED or order.expires_at <= runtime.now():
        raise OrderNotPayable()
    payment = await _new_payment(runtime, order, chosen.name)
    details = await chosen.create_intent(runtime, order, payment)
    return {**payment_out(payment), "currency": order.currency, **details}


async def confirm(
    runtime: Runtime, provider_name: str, intent_id: str, transaction_id: str, amount: int, *, actor_id: int | None = None
) -> Payment:
    """Record that ``amount`` was paid for ``intent_id`` (see the module docs)."""
    if not isinstance(transaction_id, str) or not 1 <= len(transaction_id) <= 64:
        raise InvalidInput(detail="transaction_id must be 1 to 64 characters")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(detail="amount must be an integer of minor units")
    async with in_transaction():
        payment = await Payment.get_or_none(intent_id=intent_id, provider=provider_name)
        if payment is None:
            raise NotFound()
        if payment.status != PaymentStatus.PENDING:
            return _replayed(payment, transaction_id)
        order = await Order.get(id=payment.order_id)
        if amount != payment.amount or payment.amount != order.total:
            raise AmountMismatch()
        now = runtime.now()
        try:
            async with in_transaction():
                changed = await Payment.filter(id=payment.id, status=PaymentStatus.PENDING).update(
                    status=PaymentStatus.SUCCEEDED, transaction_id=transaction_id, succeeded_at=now
                )
        except IntegrityError:  # unique (provider, transaction_id)
            raise DuplicateTransaction() from None
        if not changed:  # confirmed concurrently: answer like a replay
            return _replayed(await Payment.get(id=payment.id), transaction_id)
        try:
            order = await orders.mark_paid(runtime, order.id, provider_name, actor_id=actor_id)
        except orders.OrderStateError:
            return await _hold_for_refund(payment.id, order, provider_name, transaction_id, now)
        if order.total:
            await ledger.post(
                posting_key(provider_name, transaction_id), "payment",
                [(ledger.cash(provider_name), -order.total), (ledger.SALES, order.total)],
                at=now, ref=f"order:{order.id}", memo=f"order {order.number}",
            )
        payment = await Payment.get(id=payment.id)
        await runtime.call("order_paid", order=order, payment=payment)
    return payment


async def handle_callback(runtime: Runtime, provider_name: str, headers: Mapping[str, str], raw_body: bytes) -> Payment:
    chosen = provider(runtime, provider_name)
    data = await chosen.parse_callback(runtime, headers, raw_body)
    return await confirm(runtime, chosen.name, data.intent_id, data.transaction_id, data.amount)


async def confirm_offline(runtime: Runtime, order_id: int, reference: str, amount: int, actor_id: int) -> Payment:
    """Staff record an offline payment (``reference``: the bank transfer's or receipt's id)."""
    provider(runtime, "offline")
    order = await orders.get_order(order_id)
    payment = await Payment.filter(order_id=order_id, provider="offline").order_by("-id").first()
    if payment is None:
        if order.status != OrderStatus.PLACED:
            raise OrderNotPayable()
        payment = await _new_payment(runtime, order, "offline")
    return await confirm(runtime, "offline", payment.intent_id, reference, amount, actor_id=actor_id)


async def complete_sandbox(runtime: Runtime, member_id: int, intent_id: str) -> Payment:
    """The demo's "pay" button: a signed sandbox callback for the buyer's own intent, fed
    through the same verification as one arriving from outside."""
    provider(runtime, "sandbox")
    payment = await Payment.get_or_none(intent_id=intent_id, provider="sandbox", order__member_id=member_id)
    if payment is None:
        raise NotFound()
    callback = SandboxCallback(intent_id, f"sbx_{intent_id.removeprefix('pi_')}"[:64], payment.amount)
    headers, body = signed_callback(runtime.config.payments.sandbox_secret, callback, int(runtime.now().timestamp()))
    return await handle_callback(runtime, "sandbox", headers, body)


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": payment.id, "order_id": payment.order_id, "intent_id": payment.intent_id,
        "provider": payment.provider, "amount": payment.amount, "status": str(payment.status),
        "transaction_id": payment.transaction_id,
    }


async def _new_payment(runtime: Runtime, order: Order, provider_name: str) -> Payment:
    return await Payment.create(
        order_id=order.id, provider=provider_name, intent_id=f"pi_{secrets.token_hex(16)}",
        amount=order.total, created_at=runtime.now(),
    )


async def _hold_for_refund(payment_id: int, order: Order, provider_name: str, transaction_id: str, now: datetime) -> Payment:
    await Payment.filter(id=payment_id).update(status=PaymentStatus.TO_REFUND)
    if order.total:
        await ledger.post(
            posting_key(provider_name, transaction_id), "payment_to_refund",
            [(ledger.cash(provider_name), -order.total), (ledger.REFUNDS_DUE, order.total)],
            at=now, ref=f"order:{order.id}", memo=f"order {order.number} was {order.status} when paid: refund the buyer",
        )
    log.warning("payment %s for order %s arrived when it was %s: held for refund", transaction_id, order.number, order.status)
    return await Payment.get(id=payment_id)


def _replayed(payment: Payment, transaction_id: str) -> Payment:
    if payment.transaction_id != transaction_id:
        raise PaymentAlreadyConfirmed()
    return payment
