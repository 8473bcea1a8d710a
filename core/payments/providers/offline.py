"""Offline payment: the buyer transfers money by bank or pays cash; staff confirm receipt
(``POST /api/orders/{id}/confirm-payment``), which goes through the same confirmation as a
provider callback."""

from __future__ import annotations

from typing import Any

from ..base import PaymentProvider


class OfflineProvider(PaymentProvider):
    name = "offline"
    title = "Bank transfer or cash, confirmed by staff"

    async def create_intent(self, runtime, order, payment) -> dict[str, Any]:
        return {"reference": order.number, "confirmed_by": "staff"}
