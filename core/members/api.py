"""Members JSON API: sign-up and login (``/api/auth``), the caller's account (``/api/me``) and
staff management of members (``/api/members``, permissions ``members.*``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, JSONBody, Parameter
from litestar.stores.base import Store

from ..errors import NotAuthenticated, PermissionDenied
from ..runtime import Runtime
from ..web.auth import SESSION_MEMBER
from ..web.guards import login_required, permission
from ..web.sessions import rotate_session
from . import service
from .models import Level, Member

Locale = Literal["zh_CN", "en"]
SearchText = Annotated[str | None, Parameter(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]


class RegisterIn(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=128)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]
    display_name: Annotated[str, msgspec.Meta(max_length=200)]
    locale: Locale | None = None
    context: Annotated[
        dict[Annotated[str, msgspec.Meta(max_length=32)], Annotated[str, msgspec.Meta(max_length=512)]],
        msgspec.Meta(max_length=16),
    ] = {}


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=256)]
    password: Annotated[str, msgspec.Meta(max_length=1024)]


class ProfilePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    display_name: Annotated[str, msgspec.Meta(max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    locale: Locale | None | msgspec.UnsetType = msgspec.UNSET


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, msgspec.Meta(max_length=1024)]
    new_password: Annotated[str, msgspec.Meta(max_length=1024)]


class TokenIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=200)]


class RolesIn(msgspec.Struct, forbid_unknown_fields=True):
    roles: Annotated[list[Annotated[str, msgspec.Meta(min_length=1, max_length=32)]], msgspec.Meta(max_length=20)]


class TagIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: Annotated[str, msgspec.Meta(max_length=200)]


class LevelIn(msgspec.Struct, forbid_unknown_fields=True):
    level: Level
    reason: Annotated[str, msgspec.Meta(max_length=200)]


class SessionRequired(PermissionDenied):
    code = "session_required"
    message = "Sign in with your password to do this; API tokens cannot."


def session_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Account security (password, tokens) is managed only from a signed-in session."""
    if connection.user is None:
        raise NotAuthenticated()
    if connection.auth != "session":
        raise SessionRequired()


def login_store(request: Request) -> Store:
    return request.app.stores.get("rate_limit")


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def start_session(request: Request, member: Member) -> None:
    """Sign ``member`` in under a fresh session id (against session fixation)."""
    rotate_session(request)
    request.set_session({**(request.session or {}), SESSION_MEMBER: member.id})


async def me_out(member: Member) -> dict[str, Any]:
    return {
        "id": member.id,
        "login": member.login,
        "display_name": member.display_name,
        "locale": member.locale,
        "level": member.level,
        "roles": await service.member_roles(member.id),
    }


class AuthController(Controller):
    path = "/api/auth"
    tags = ["members"]

    @post("/register", summary="Register a member and sign them in")
    async def register(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[RegisterIn]) -> dict[str, Any]:
        member = await service.register(
            runtime, login=data.login, password=data.password, display_name=data.display_name,
            locale=data.locale, context=data.context,
        )
        start_session(request, member)
        return await me_out(member)

    @post("/login", status_code=200, summary="Sign in with a phone number or e-mail and a password")
    async def login(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[LoginIn]) -> dict[str, Any]:
        member = await service.authenticate(runtime, login_store(request), data.login, data.password, client_ip(request))
        start_session(request, member)
        return await me_out(member)

    @post("/logout", status_code=204, summary="Sign out (ends the session)")
    async def logout(self, request: Request) -> None:
        request.clear_session()


class MeController(Controller):
    path = "/api/me"
    tags = ["members"]
    guards = [login_required]

    @get("/", summary="The signed-in member")
    async def me(self, request: Request) -> dict[str, Any]:
        return await me_out(request.user)

    @patch("/", summary="Change the display name or language")
    async def update(self, request: Request, data: JSONBody[ProfilePatch]) -> dict[str, Any]:
        changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
        return await me_out(await service.update_profile(request.user, **changes))

    @post("/password", status_code=204, guards=[session_required], summary="Change the password (signs in anew)")
    async def change_password(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[PasswordChange]) -> None:
        await service.change_password(
            runtime, login_store(request), request.user, data.current_password, data.new_password, client_ip(request)
        )
        start_session(request, request.user)

    @get("/tokens", guards=[session_required], summary="The caller's API tokens (without secrets)")
    async def tokens(self, request: Request) -> list[dict[str, Any]]:
        return await service.list_tokens(request.user)

    @post("/tokens", guards=[session_required], summary="Create an API token; the secret is shown only in this answer")
    async def create_token(self, request: Request, data: JSONBody[TokenIn]) -> dict[str, Any]:
        token, secret = await service.create_token(request.user, data.name)
        return {"id": token.id, "name": token.name, "prefix": token.prefix, "token": secret, "created_at": token.created_at}

    @delete("/tokens/{token_id:int}", guards=[session_required], summary="Revoke an API token")
    async def revoke_token(self, request: Request, runtime: NamedDependency[Runtime], token_id: FromPath[int]) -> None:
        await service.revoke_token(runtime, request.user, token_id)


class MembersController(Controller):
    path = "/api/members"
    tags = ["members"]

    @get("/", guards=[permission("members.view")], summary="Search members (staff)")
    async def list_members(
        self,
        q: SearchText = None,
        tag: SearchText = None,
        level: Annotated[Level | None, Parameter()] = None,
        role: Annotated[str | None, Parameter(max_length=32, pattern=r"^[a-z0-9_]+$")] = None,
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
    ) -> dict[str, Any]:
        return await service.list_members(q=q, tag=tag, level=level, role=role, limit=limit, offset=offset)

    @get("/{member_id:int}", guards=[permission("members.view")], summary="A member with roles, tags and origin (staff)")
    async def detail(self, member_id: FromPath[int]) -> dict[str, Any]:
        return await service.member_detail(member_id)

    @put("/{member_id:int}/roles", guards=[permission("members.roles")], summary="Set a member's staff roles")
    async def set_roles(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int], data: JSONBody[RolesIn]) -> dict[str, Any]:
        return {"roles": await service.set_roles(runtime, request.user, member_id, data.roles)}

    @post("/{member_id:int}/tags", status_code=200, guards=[permission("members.manage")], summary="Tag a member")
    async def add_tag(self, member_id: FromPath[int], data: JSONBody[TagIn]) -> dict[str, Any]:
        return {"tags": await service.add_tag(member_id, data.tag)}

    @delete("/{member_id:int}/tags", status_code=200, guards=[permission("members.manage")], summary="Remove a tag")
    async def remove_tag(self, member_id: FromPath[int], tag: Annotated[str, Parameter(max_length=200)]) -> dict[str, Any]:
        return {"tags": await service.remove_tag(member_id, tag)}

    @put("/{member_id:int}/level", guards=[permission("members.manage")], summary="Move a member's level")
    async def set_level(self, runtime: NamedDependency[Runtime], member_id: FromPath[int], data: JSONBody[LevelIn]) -> dict[str, Any]:
        member = await service.set_level(runtime, await service.get_member(member_id), data.level, data.reason)
        return {"id": member.id, "level": member.level}

    @post("/{member_id:int}/disable", status_code=200, guards=[permission("members.manage")], summary="Disable an account")
    async def disable(self, request: Request, member_id: FromPath[int]) -> dict[str, Any]:
        member = await service.set_active(request.user, member_id, False)
        return {"id": member.id, "is_active": member.is_active}

    @post("/{member_id:int}/enable", status_code=200, guards=[permission("members.manage")], summary="Re-enable an account")
    async def enable(self, request: Request, member_id: FromPath[int]) -> dict[str, Any]:
        member = await service.set_active(request.user, member_id, True)
        return {"id": member.id, "is_active": member.is_active}
