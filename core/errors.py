"""Typed domain errors.

Every error has a stable machine ``code`` and an English message template that is also the
gettext msgid; the web layer translates it into the caller's language and renders
``{"error": {"code": ..., "message": ...}}`` with ``status_code``. Services raise these and
nothing else for bad input, so no request ends in a 500 or a partial write.
"""

from __future__ import annotations

from typing import Any


class QunshangError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request is not valid."

    def __init__(self, message: str | None = None, /, **params: Any) -> None:
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.render())

    @property
    def headers(self) -> dict[str, str]:
        """Extra response headers (e.g. ``Retry-After``)."""
        return {}

    def render(self, translate=lambda s: s) -> str:
        return _format(translate(self.message), self.params)


class InvalidInput(QunshangError):
    """Bad input. ``detail`` is a msgid of its own, formatted with the other params::

        InvalidInput(detail="{field} must be at most {max_length} characters", field="title", max_length=100)

    Params are values, never words (field names, numbers, allowed values): the words are in
    the msgid so that the whole message reads in the caller's language.
    """

    code = "invalid_input"
    message = "The request is not valid: {detail}"

    def render(self, translate=lambda s: s) -> str:
        params = dict(self.params)
        detail = params.pop("detail", "")
        if isinstance(detail, str) and detail:
            detail = translate(detail)
            if params:  # a detail without params is shown as is, braces and all
                detail = _format(detail, params)
        return _format(translate(self.message), {**params, "detail": detail})


class NotAuthenticated(QunshangError):
    status_code = 401
    code = "not_authenticated"
    message = "Please log in first."


class PermissionDenied(QunshangError):
    status_code = 403
    code = "permission_denied"
    message = "You do not have permission to do this."


class NotFound(QunshangError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(QunshangError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class InvalidState(Conflict):
    code = "invalid_state"
    message = "This is not possible while the {thing} is {state}."


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = "Not enough stock for {title}."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used for a different request."


class TooManyRequests(QunshangError):
    status_code = 429
    code = "too_many_requests"
    message = "Too many attempts. Please try again in {seconds} seconds."

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.params.get("seconds", 60))}


def _format(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError, AttributeError):
        return text


class ConfigError(Exception):
    """Startup refused: the deployment configuration is wrong. One line, naming the cause."""


class PluginError(ConfigError):
    """Startup refused because of a plugin: unknown id, missing requirement, import failure."""
