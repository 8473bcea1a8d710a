"""Every error leaves as ``{"error": {"code": …, "message": …}}`` in the caller's language.

Domain errors keep their status and code; Litestar's own 4xx (validation, unknown route,
wrong method, rate limit) get stable codes too; anything unexpected is logged and becomes a
generic 500 without internals.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from ..errors import InvalidInput, QunshangError
from ..validation import validation_error
from .locale import gettext_for

log = logging.getLogger("qunshang.web")

_HTTP_CODES = {
    400: ("invalid_input", InvalidInput.message),
    401: ("not_authenticated", "Please log in first."),
    403: ("permission_denied", "You do not have permission to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request is too large."),
    415: ("unsupported_media_type", "This content type is not supported."),
    429: ("too_many_requests", "Too many requests. Please slow down."),
}


def error_response(request: Request, status: int, code: str, message: str, extra: dict | None = None) -> Response:
    body = {"error": {"code": code, "message": message, **(extra or {})}}
    return Response(body, status_code=status, media_type=MediaType.JSON)


def domain_error(request: Request, exc: QunshangError) -> Response:
    response = error_response(request, exc.status_code, exc.code, exc.render(gettext_for(request)))
    response.headers.update(exc.headers)
    return response


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        return internal_error(request, exc)
    code, template = _HTTP_CODES.get(status, ("bad_request", InvalidInput.message))
    if isinstance(exc, (NotAuthorizedException, PermissionDeniedException)) and "csrf" in str(exc.detail).lower():
        code, template = "csrf_failed", "The form expired or was sent from another site. Please reload and try again."
    translate = gettext_for(request)
    message = invalid_http(exc).render(translate) if template == InvalidInput.message else translate(template)
    response = error_response(request, status, code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = gettext_for(request)("Something went wrong on our side. Please try again.")
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", message)


def invalid_http(exc: HTTPException) -> InvalidInput:
    """A Litestar 4xx as :class:`InvalidInput`: msgspec's validation messages become translatable."""
    extra = exc.extra
    if isinstance(exc, ValidationException) and isinstance(extra, list) and extra and isinstance(extra[0], dict):
        first = extra[0]
        key = str(first.get("key") or first.get("source") or "")
        return validation_error(str(first.get("message", "")), key=key)
    return InvalidInput(detail=str(exc.detail))


EXCEPTION_HANDLERS = {
    QunshangError: domain_error,
    HTTPException: http_error,
    Exception: internal_error,
}
