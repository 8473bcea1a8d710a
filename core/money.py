"""Money is an ``int`` of minor units (fen for CNY); rates are basis points (1 bp = 0.01%).

The one rounding rule: **half-up to the minor unit, away from zero for negatives** — applied
once, where a rate meets an amount. Splitting an amount into parts (refunds, proportional
reversals) uses :func:`allocate`, which hands out the remainder so the parts add up exactly.
"""

from __future__ import annotations

BASIS_POINTS = 10_000


def apply_rate(amount: int, rate_bp: int) -> int:
    """``amount × rate_bp / 10000`` rounded half-up (¥0.005 → ¥0.01)."""
    _require_int(amount, rate_bp)
    return _div_half_up(amount * rate_bp, BASIS_POINTS)


def apply_rate_each(amounts: list[int], rate_bp: int) -> list[int]:
    """:func:`apply_rate` on each of ``amounts`` (a listing's lines): checked once, not per amount."""
    _require_int(rate_bp, *amounts)
    return [_div_half_up(amount * rate_bp, BASIS_POINTS) for amount in amounts]


def prorate(amount: int, part: int, whole: int) -> int:
    """``amount × part / whole`` rounded half-up; ``whole`` must be positive."""
    _require_int(amount, part, whole)
    if whole <= 0:
        raise ValueError("whole must be positive")
    return _div_half_up(amount * part, whole)


def allocate(amount: int, weights: list[int]) -> list[int]:
    """Split ``amount`` by ``weights`` so the parts sum to ``amount`` exactly.

    Each part is floored, then the leftover minor units go to the largest remainders
    (ties to the earliest), the usual largest-remainder method.
    """
    _require_int(amount, *weights)
    total = sum(weights)
    if total <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive sum")
    sign = -1 if amount < 0 else 1
    quotas = [(abs(amount) * w) for w in weights]
    parts = [q // total for q in quotas]
    leftover = abs(amount) - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] % total), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


def format_amount(amount: int, currency: str = "CNY", locale: str = "zh_CN") -> str:
    """Localised display, e.g. ``¥1,299.00``. Display only: never parse this back."""
    from babel.numbers import format_currency
    from decimal import Decimal

    return format_currency(Decimal(amount) / 100, currency, locale=locale)


def _div_half_up(numerator: int, denominator: int) -> int:
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def _require_int(*values: int) -> None:
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"money arithmetic takes int, got {type(value).__name__}")
