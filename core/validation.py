"""msgspec's validation messages as translatable :class:`~qunshang.errors.InvalidInput` errors.

msgspec (and Litestar, which uses it) explains a bad body in English ("Expected `int`, got
`str` - at `$.quantity`"). The known shapes become a msgid with the field and the numbers as
parameters, so the caller reads the whole message in their language; other shapes keep
msgspec's text after the translated field name.
"""

from __future__ import annotations

import re

import msgspec

from .errors import InvalidInput

_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$\.?(?P<path>[^`]*)`)?$", re.S)
_PROBLEMS = (
    (re.compile(r"Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`"), "{field}: expected {expected}, got {got}"),
    (re.compile(r"Object missing required field `(?P<name>[^`]+)`"), "{field} is required"),
    (re.compile(r"Object contains unknown field `(?P<name>[^`]+)`"), "unknown field {field}"),
    (re.compile(r"Expected `[^`]+` matching regex .*", re.S), "{field} is not in a valid format"),
    (re.compile(r"Expected `[^`]+` of length <= (?P<limit>\d+)"), "{field}: the length must be at most {limit}"),
    (re.compile(r"Expected `[^`]+` of length >= (?P<limit>\d+)"), "{field}: the length must be at least {limit}"),
    (re.compile(r"Expected `[^`]+` <= (?P<limit>-?[\d.]+)"), "{field} must be at most {limit}"),
    (re.compile(r"Expected `[^`]+` >= (?P<limit>-?[\d.]+)"), "{field} must be at least {limit}"),
    (re.compile(r"Expected `[^`]+` < (?P<limit>-?[\d.]+)"), "{field} must be less than {limit}"),
    (re.compile(r"Expected `[^`]+` > (?P<limit>-?[\d.]+)"), "{field} must be greater than {limit}"),
)


def invalid_body(exc: msgspec.ValidationError | msgspec.DecodeError, prefix: str = "") -> InvalidInput:
    """A msgspec error as a translatable :class:`InvalidInput` (field and numbers as params).

    ``prefix`` names the part of the body that was checked (``address``). Messages of another
    shape keep msgspec's English text.
    """
    if isinstance(exc, msgspec.DecodeError) and not isinstance(exc, msgspec.ValidationError):
        return InvalidInput(detail="the body is not valid JSON")
    return validation_error(str(exc), prefix)


def validation_error(text: str, prefix: str = "", key: str = "") -> InvalidInput:
    """msgspec's validation ``text`` (optionally for body ``key``) as a translatable error."""
    at = _AT.match(text)
    problem, path = (at["problem"], at["path"] or "") if at else (text, "")
    where = ".".join(part for part in (prefix, key, path) if part)
    for pattern, detail in _PROBLEMS:
        if found := pattern.fullmatch(problem):
            params = found.groupdict()
            field = ".".join(part for part in (where, params.pop("name", "")) if part)
            return InvalidInput(detail=detail, field=field or "body", **params)
    return InvalidInput(detail="{field}: {problem}", field=where, problem=problem) if where else InvalidInput(detail=text)
