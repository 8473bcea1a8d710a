"""Reading console form fields: typed, bounded, with the field named in the error."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput

MAX_INT = 2**53


def text(form: Any, name: str, *, max_length: int = 200, required: bool = False) -> str:
    value = str(form.get(name) or "").strip()
    if required and not value:
        raise InvalidInput(detail=f"{name} is required")
    if len(value) > max_length:
        raise InvalidInput(detail=f"{name} must be at most {max_length} characters")
    return value


def integer(form: Any, name: str, *, low: int = -MAX_INT, high: int = MAX_INT, default: int | None = None) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(detail=f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise InvalidInput(detail=f"{name} must be between {low} and {high}")
    return value


def money(form: Any, name: str, *, default: int | None = None) -> int:
    """A yuan amount as typed (``12.9``) to fen, exactly (no float)."""
    from decimal import Decimal, InvalidOperation

    raw = str(form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(detail=f"{name} must be an amount like 12.90") from None
    fen = amount * 100
    if not amount.is_finite() or fen != fen.to_integral_value() or not 0 <= fen <= 10**12:
        raise InvalidInput(detail=f"{name} must be an amount like 12.90")
    return int(fen)
