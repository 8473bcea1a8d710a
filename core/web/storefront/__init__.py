"""The storefront: server-rendered pages a community buys from, styled by the active theme.

Pages live in small modules by area; :data:`router` mounts them all with HTML error pages
(a visitor who must log in is sent to the login page and back).
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException, NotFoundException

from ...errors import NotAuthenticated, NotFound, QunshangError
from ..errors import internal_error, invalid_http
from . import account, cart, groups, shop
from .render import error_text, render_filled, render_fragment, see_other


def page_error(request: Request, exc: Exception) -> Response:
    """Errors on a page: an HTML page in the visitor's language (the API keeps its JSON errors).
    Server errors are logged and answered by the application's handler."""
    runtime = request.app.state.runtime
    if isinstance(exc, NotAuthenticated):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return see_other(f"/login?next={quote(target, safe='/')}")
    if isinstance(exc, NotFoundException):
        exc = NotFound()
    elif isinstance(exc, HTTPException):  # e.g. a query parameter out of range
        if exc.status_code >= 500:
            return internal_error(request, exc)
        status, exc = exc.status_code, invalid_http(exc)
        exc.status_code = status
    context = {"message": error_text(request, runtime, exc)}
    response = render_filled(request, runtime, "core/error.html", context, {}, [], exc.status_code)
    response.headers.update(exc.headers)
    return response


__all__ = ["page_error", "render_fragment", "router"]

router = Router(
    path="/",
    route_handlers=[*shop.ROUTES, *cart.ROUTES, *account.ROUTES, *groups.ROUTES],
    exception_handlers={QunshangError: page_error, HTTPException: page_error},
    include_in_schema=False,
)
