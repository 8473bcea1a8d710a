"""The sandbox provider, for the demo and tests: a signed JSON callback, like a real provider's.

Callback body ``{"intent_id", "transaction_id", "amount"}``; headers ``X-Sandbox-Timestamp``
(Unix seconds) and ``X-Sandbox-Signature``: hex HMAC-SHA256 with ``[payments] sandbox_secret``
over ``f"{timestamp}.".encode() + raw_body``. A callback is refused when the signature does not
match or the timestamp is more than ``callback_tolerance_seconds`` away from now.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from ...validation import invalid_body
from ..base import BadSignature, CallbackData, CallbackExpired, PaymentProvider

TIMESTAMP_HEADER = "x-sandbox-timestamp"
SIGNATURE_HEADER = "x-sandbox-signature"

Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class SandboxCallback(msgspec.Struct, forbid_unknown_fields=True):
    intent_id: Id
    transaction_id: Id
    amount: Annotated[int, msgspec.Meta(ge=0, le=10**12)]


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_callback(secret: str, callback: SandboxCallback, timestamp: int) -> tuple[dict[str, str], bytes]:
    """Headers and body of a callback as the sandbox would send it."""
    body = msgspec.json.encode(callback)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(secret, body, timestamp)}, body


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    title = "Sandbox (demo payments)"

    async def create_intent(self, runtime, order, payment) -> dict[str, Any]:
        return {"complete_url": f"/api/payments/sandbox/{payment.intent_id}/complete"}

    async def parse_callback(self, runtime, headers: Mapping[str, str], raw_body: bytes) -> CallbackData:
        settings = runtime.config.payments
        timestamp = headers.get(TIMESTAMP_HEADER, "")
        signature = headers.get(SIGNATURE_HEADER, "")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise BadSignature()
        expected = sign(settings.sandbox_secret, raw_body, timestamp)
        if not hmac.compare_digest(expected.encode(), signature.encode("latin-1", "replace")):
            raise BadSignature()
        if abs(runtime.now().timestamp() - int(timestamp)) > settings.callback_tolerance_seconds:
            raise CallbackExpired()
        try:
            data = msgspec.json.decode(raw_body, type=SandboxCallback)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise invalid_body(exc) from None
        return CallbackData(data.intent_id, data.transaction_id, data.amount)
