"""Route guards: ``login_required`` and ``permission("orders.refund")``.

Roles map to permissions through the ``register_permissions`` hook; ``"area.*"`` grants every
action of an area, ``"*"`` everything (the owner).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ..errors import NotAuthenticated, PermissionDenied
from ..members.models import MemberRole


async def login_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    # async although it awaits nothing: Litestar would run a sync guard in a worker thread
    if connection.user is None:
        raise NotAuthenticated()


def permission(name: str):
    """A guard admitting members whose roles grant ``name``."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        member = connection.user
        if member is None:
            raise NotAuthenticated()
        runtime = connection.app.state.runtime
        if not await has_permission(runtime, member.id, name):
            raise PermissionDenied()

    guard.__name__ = f"permission[{name}]"
    return guard


async def grants_of(runtime: Any, member_id: int) -> set[str]:
    """Every permission the member's roles grant (``"area.*"`` and ``"*"`` kept as such)."""
    roles = await MemberRole.filter(member_id=member_id).values_list("role", flat=True)
    table = runtime.state["permissions"]
    return set().union(*(table.get(role, set()) for role in roles))


def allows(grants: set[str], name: str) -> bool:
    """Whether ``grants`` include ``name`` directly, through its area's ``"area.*"`` or ``"*"``."""
    area = name.split(".", 1)[0]
    return bool({name, f"{area}.*", "*"} & grants)


async def has_permission(runtime: Any, member_id: int, name: str) -> bool:
    return allows(await grants_of(runtime, member_id), name)


def role_permissions(runtime: Any) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for _plugin, mapping in runtime.call_setup("register_permissions"):
        for role, perms in mapping.items():
            grants.setdefault(role, set()).update(perms)
    return grants
