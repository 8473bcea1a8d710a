"""Pricing: list prices plus the ``price_adjustments`` hook, called once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..members.models import Member
    from ..runtime import Runtime


@dataclass(slots=True)
class PriceLine:
    """A line to price. ``sku_id`` is ``None`` on listings, which price products."""

    product_id: int
    sku_id: int | None
    quantity: int
    unit_price: int

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


@dataclass(slots=True)
class Adjustment:
    """A change to one line's total: ``amount < 0`` is a discount. ``line`` indexes ``lines``.

    Treat it as a value; it is not ``frozen`` because a listing page creates one per line and
    plugin, and frozen instances cost three times as much to create (20 µs a page).
    """

    line: int
    amount: int
    label: str
    source: str
    code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "label": self.label, "source": self.source, "code": self.code}


@dataclass(slots=True)
class PricedLine:
    line: PriceLine
    adjustments: list[Adjustment] = field(default_factory=list)
    total: int = 0

    @property
    def discount(self) -> int:
        return self.line.subtotal - self.total


async def price_lines(
    runtime: Runtime, lines: list[PriceLine], member: Member | None, context: dict[str, Any]
) -> list[PricedLine]:
    """Apply every plugin's adjustments; a line's total is clamped to ``[0, subtotal]``."""
    priced = [PricedLine(line, total=line.subtotal) for line in lines]
    if not lines or not runtime.impls("price_adjustments"):
        return priced
    for batch in await runtime.call("price_adjustments", lines=lines, member=member, context=context):
        for adj in batch:
            if not isinstance(adj.amount, int) or not 0 <= adj.line < len(priced):
                raise TypeError(f"bad adjustment from {adj.source}: {adj!r}")
            target = priced[adj.line]
            target.adjustments.append(adj)
            target.total += adj.amount
    for p in priced:
        if p.adjustments:  # the others are at their subtotal
            p.total = max(0, min(p.total, p.line.subtotal))
    return priced
