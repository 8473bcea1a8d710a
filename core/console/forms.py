"""Reading console form fields: typed, bounded, with the field named in the error."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidInput

MAX_INT = 2**53


def text(form: Any, name: str, *, max_length: int = 200, required: bool = False) -> str:
    value = str(form.get(name) or "").strip()
    if required and not value:
        raise InvalidInput(detail="{field} is required", field=name)
    if len(value) > max_length:
        raise InvalidInput(detail="{field} must be at most {max_length} characters", field=name, max_length=max_length)
    return value


def integer(form: Any, name: str, *, low: int = -MAX_INT, high: int = MAX_INT, default: int | None = None) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(detail="{field} must be a whole number", field=name) from None
    if not low <= value <= high:
        raise InvalidInput(detail="{field} must be between {low} and {high}", field=name, low=low, high=high)
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
        raise InvalidInput(detail="{field} must be an amount like 12.90", field=name) from None
    fen = amount * 100
    if not amount.is_finite() or fen != fen.to_integral_value() or not 0 <= fen <= 10**12:
        raise InvalidInput(detail="{field} must be an amount like 12.90", field=name)
    return int(fen)
