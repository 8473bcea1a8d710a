"""Groups JSON API under ``/api/groups`` (plus ``/api/me/groups``).

Browsing open and approval groups, invitation landing pages and their QR codes need no login;
everything else does. Who may moderate is decided by :mod:`.service`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter

from ..runtime import Runtime
from ..web.guards import login_required
from . import service
from .models import Group, GroupMembership, JoinPolicy

Via = Literal["invite", "link", "open", "approval", "livestream", "salesperson", "group_qr"]
Name = Annotated[str, msgspec.Meta(max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=service.DESCRIPTION_MAX + 100)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=service.CODE_MAX)]
Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class GroupIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description = ""
    join_policy: JoinPolicy = JoinPolicy.OPEN
    owner_id: int | None = None


class GroupPatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    join_policy: JoinPolicy | msgspec.UnsetType = msgspec.UNSET


class JoinIn(msgspec.Struct, forbid_unknown_fields=True):
    invite_code: Code | None = None
    via: Via | None = None


class ViaIn(msgspec.Struct, forbid_unknown_fields=True):
    via: Via | None = None


class TransferIn(msgspec.Struct, forbid_unknown_fields=True):
    member_id: int


class RoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Literal["admin", "member"]


class InviteIn(msgspec.Struct, forbid_unknown_fields=True):
    via: Via = "invite"
    max_uses: Annotated[int, msgspec.Meta(ge=1, le=service.INVITE_MAX_USES)] | None = None
    expires_in_hours: Annotated[int, msgspec.Meta(ge=1, le=service.INVITE_MAX_HOURS)] | None = None


class AnnouncementIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(max_length=service.TITLE_MAX + 50)]
    body: Annotated[str, msgspec.Meta(max_length=service.BODY_MAX + 500)]
    pinned: bool = False


class PinIn(msgspec.Struct, forbid_unknown_fields=True):
    pinned: bool


def membership_out(membership: GroupMembership) -> dict[str, Any]:
    return {
        "group_id": membership.group_id, "member_id": membership.member_id, "role": membership.role,
        "status": membership.status, "via": membership.via, "joined_at": membership.joined_at,
    }


def group_out(group: Group) -> dict[str, Any]:
    return {**service.public_info(group), "owner_id": group.owner_id}


class GroupsController(Controller):
    path = "/api/groups"
    tags = ["groups"]

    @get("/", summary="Open and approval groups (public information)")
    async def list_groups(
        self,
        q: Annotated[str | None, Parameter(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return await service.list_groups(q=q, limit=limit, offset=offset)

    @post("/", guards=[login_required], summary="Create a group (groups.create; groups.manage for another owner)")
    async def create(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[GroupIn]) -> dict[str, Any]:
        owner = await service.authorize_creation(runtime, request.user, data.owner_id)
        return group_out(await service.create_group(runtime, owner, data.name, data.description, data.join_policy))

    @get("/{group_id:int}", summary="A group's public information and the caller's membership")
    async def detail(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int]) -> dict[str, Any]:
        return await service.group_detail(runtime, group_id, request.user)

    @patch("/{group_id:int}", guards=[login_required], summary="Edit a group (owner, admins)")
    async def update(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], data: JSONBody[GroupPatch]) -> dict[str, Any]:
        changes = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
        return group_out(await service.update_group(runtime, request.user, group_id, **changes))

    @post("/{group_id:int}/join", status_code=200, guards=[login_required], summary="Join, or ask to join, a group")
    async def join(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], data: JSONBody[JoinIn]) -> dict[str, Any]:
        membership = await service.join(runtime, group_id, request.user, invite_code=data.invite_code, via=data.via)
        return membership_out(membership)

    @post("/{group_id:int}/leave", status_code=204, guards=[login_required], summary="Leave a group or withdraw a request")
    async def leave(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int]) -> None:
        await service.leave(runtime, group_id, request.user)

    @post("/{group_id:int}/transfer", status_code=200, guards=[login_required], summary="Hand the group to another member (owner)")
    async def transfer(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], data: JSONBody[TransferIn]) -> dict[str, Any]:
        return group_out(await service.transfer_ownership(runtime, request.user, group_id, data.member_id))

    @get("/{group_id:int}/members", guards=[login_required], summary="Members or pending requests (owner, admins, staff)")
    async def members(
        self,
        request: Request,
        runtime: NamedDependency[Runtime],
        group_id: FromPath[int],
        status: Annotated[Literal["active", "pending"], Parameter()] = "active",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        return await service.list_memberships(runtime, request.user, group_id, status=status, limit=limit, offset=offset)

    @delete("/{group_id:int}/members/{member_id:int}", guards=[login_required], summary="Remove a member")
    async def remove(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], member_id: FromPath[int]) -> None:
        await service.remove_member(runtime, request.user, group_id, member_id)

    @post("/{group_id:int}/members/{member_id:int}/approve", status_code=200, guards=[login_required], summary="Admit a pending request")
    async def approve(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], member_id: FromPath[int]) -> dict[str, Any]:
        return membership_out(await service.approve(runtime, request.user, group_id, member_id))

    @post("/{group_id:int}/members/{member_id:int}/reject", status_code=204, guards=[login_required], summary="Turn down a pending request")
    async def reject(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], member_id: FromPath[int]) -> None:
        await service.reject(runtime, request.user, group_id, member_id)

    @put("/{group_id:int}/members/{member_id:int}/role", status_code=204, guards=[login_required], summary="Appoint or dismiss an admin (owner)")
    async def set_role(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], member_id: FromPath[int], data: JSONBody[RoleIn]) -> None:
        await service.set_member_role(runtime, request.user, group_id, member_id, data.role)

    @get("/{group_id:int}/invites", guards=[login_required], summary="A group's invitations (owner, admins)")
    async def invites(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int]) -> list[dict[str, Any]]:
        return await service.list_invites(runtime, request.user, group_id)

    @post("/{group_id:int}/invites", guards=[login_required], summary="Create an invitation with a share link")
    async def create_invite(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], data: JSONBody[InviteIn]) -> dict[str, Any]:
        invite = await service.create_invite(
            runtime, request.user, group_id, via=data.via, max_uses=data.max_uses, expires_in_hours=data.expires_in_hours
        )
        return service.invite_out(runtime, invite)

    @delete("/{group_id:int}/invites/{invite_id:int}", guards=[login_required], summary="Withdraw an invitation")
    async def revoke_invite(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], invite_id: FromPath[int]) -> None:
        await service.revoke_invite(runtime, request.user, group_id, invite_id)

    @get("/invites/{code:str}", summary="The landing page of a share link: the group's public card")
    async def invite_landing(self, runtime: NamedDependency[Runtime], code: FromPath[str]) -> dict[str, Any]:
        return await service.invite_landing(runtime, code)

    @get("/invites/{code:str}/qr.svg", summary="The share link as a QR code", media_type="image/svg+xml")
    async def invite_qr(self, runtime: NamedDependency[Runtime], code: FromPath[str]) -> Response[bytes]:
        svg = await service.invite_qr_svg(runtime, code)
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})

    @post("/invites/{code:str}/join", status_code=200, guards=[login_required], summary="Join through a share link")
    async def join_by_code(self, request: Request, runtime: NamedDependency[Runtime], code: FromPath[str], data: JSONBody[ViaIn]) -> dict[str, Any]:
        return membership_out(await service.join_by_code(runtime, code, request.user, via=data.via))

    @get("/{group_id:int}/announcements", summary="Announcements, pinned first (members; anyone for open groups)")
    async def announcements(
        self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], limit: Limit = 20, offset: Offset = 0
    ) -> dict[str, Any]:
        return await service.list_announcements(runtime, request.user, group_id, limit=limit, offset=offset)

    @post("/{group_id:int}/announcements", guards=[login_required], summary="Post an announcement (owner, admins)")
    async def announce(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], data: JSONBody[AnnouncementIn]) -> dict[str, Any]:
        a = await service.create_announcement(runtime, request.user, group_id, data.title, data.body, data.pinned)
        return {"id": a.id, "title": a.title, "body": a.body, "pinned": a.pinned, "created_at": a.created_at}

    @post("/{group_id:int}/announcements/{announcement_id:int}/pin", status_code=204, guards=[login_required], summary="Pin or unpin an announcement")
    async def pin(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], announcement_id: FromPath[int], data: JSONBody[PinIn]) -> None:
        await service.pin_announcement(runtime, request.user, group_id, announcement_id, data.pinned)

    @delete("/{group_id:int}/announcements/{announcement_id:int}", guards=[login_required], summary="Delete an announcement")
    async def delete_announcement(self, request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int], announcement_id: FromPath[int]) -> None:
        await service.delete_announcement(runtime, request.user, group_id, announcement_id)


@get("/api/me/groups", guards=[login_required], tags=["groups"], summary="The caller's groups and pending requests")
async def my_groups(request: Request) -> list[dict[str, Any]]:
    return await service.my_groups(request.user)
