"""Console access: every console route declares the permission it needs in ``opt``; one guard
checks it. Routes without a declaration are refused (deny by default)."""

from __future__ import annotations


from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ..errors import NotAuthenticated, PermissionDenied
from ..web.guards import allows, grants_of

PUBLIC = "public"  # opt["permission"] of the login page and the language switch
STAFF = "console.view"


async def console_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    needed = handler.opt.get("permission")
    if needed == PUBLIC:
        return
    member = connection.user
    if member is None:
        raise NotAuthenticated()
    grants = await grants_of(connection.app.state.runtime, member.id)
    connection.scope["qunshang.console.grants"] = grants  # type: ignore[typeddict-unknown-key]
    if not needed or not allows(grants, STAFF) or not allows(grants, needed):
        raise PermissionDenied()


def request_grants(connection: ASGIConnection) -> set[str]:
    return connection.scope.get("qunshang.console.grants", set())
