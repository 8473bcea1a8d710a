"""What a payment provider is, and the errors of taking payments.

A provider (offered through the ``payment_providers`` hook) turns an order into a *payment
intent* — whatever its client needs to pay — and turns the provider's callback into verified
:class:`CallbackData`. Confirming the payment is always :func:`qunshang.payments.service.confirm`:
the same checks (amount, idempotency by transaction id) whoever calls it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Conflict, InvalidInput, NotFound

if TYPE_CHECKING:
    from ..orders.models import Order
    from ..runtime import Runtime
    from .models import Payment


@dataclass(frozen=True)
class CallbackData:
    """A provider's verified statement that ``amount`` was paid for ``intent_id``."""

    intent_id: str
    transaction_id: str
    amount: int


class PaymentProvider(ABC):
    """Base class of payment providers. ``name`` is unique and at most 32 characters."""

    name: str
    title: str

    @abstractmethod
    async def create_intent(self, runtime: Runtime, order: Order, payment: Payment) -> dict[str, Any]:
        """What the buyer's client needs to pay ``payment.amount`` (JSON-serialisable)."""

    async def parse_callback(self, runtime: Runtime, headers: Mapping[str, str], raw_body: bytes) -> CallbackData:
        """Verify a callback (signature, freshness) and extract its data; raise a
        ``QunshangError`` to refuse it. Providers without callbacks keep this default."""
        raise NotFound()


class BadSignature(InvalidInput):
    code = "bad_signature"
    message = "The callback signature is not valid."


class CallbackExpired(InvalidInput):
    code = "callback_expired"
    message = "The callback timestamp is too old or in the future."


class AmountMismatch(Conflict):
    code = "amount_mismatch"
    message = "The amount paid does not match the order total."


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    message = "This order can no longer be paid."


class PaymentAlreadyConfirmed(Conflict):
    code = "payment_already_confirmed"
    message = "This payment was already confirmed with another transaction."
