"""Console access: every console route declares the permission it needs in ``opt``; one guard
checks it. Routes without a declaration are refused (deny by default)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ..errors import NotAuthenticated, PermissionDenied
from ..members.models import MemberRole

PUBLIC = "public"  # opt["permission"] of the login page and the language switch
STAFF = "console.view"


async def grants_of(runtime: Any, member_id: int) -> set[str]:
    """Every permission the member's roles grant (``"area.*"`` and ``"*"`` included as such)."""
    roles = await MemberRole.filter(member_id=member_id).values_list("role", flat=True)
    table = runtime.state["permissions"]
    return set().union(*(table.get(role, set()) for role in roles)) if roles else set()


def allows(grants: set[str], name: str) -> bool:
    area = name.split(".", 1)[0]
    return bool({name, f"{area}.*", "*"} & grants)


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
