"""Checks for short user-written text: names, tags, titles, bodies.

Text is stored as written (escaping is the templates' job), but trimmed, length-checked and
free of control characters: PostgreSQL refuses NUL in text, and invisible characters make
names impersonate each other.
"""

from __future__ import annotations

import unicodedata

from ..errors import InvalidInput

_LINE_BREAKS = frozenset("\n\r\t")


def clean_text(value: str, field: str, *, max_length: int, min_length: int = 1, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(detail="{field} must be text", field=field)
    text = value.strip()
    allowed = _LINE_BREAKS if multiline else frozenset()
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise InvalidInput(detail="{field} must not contain control characters", field=field)
    if not min_length <= len(text) <= max_length:
        raise InvalidInput(
            detail="{field} must be {min_length} to {max_length} characters long",
            field=field, min_length=min_length, max_length=max_length,
        )
    return text
