"""Community groups (社群): creation, joining by policy or invitation, moderation, invitations
and announcements.

Who may do what:

* anyone sees open and approval groups; an invite-only group is visible only to its members
  and to staff with ``groups.manage`` (to everyone else it does not exist: 404);
* the group's owner and admins moderate (approve, remove, invite, announce); only the owner
  appoints admins and hands the group over; staff with ``groups.manage`` may do all of it.

``Group.member_count`` and ``GroupInvite.uses`` change only by atomic conditional updates, and
every membership change is a conditional update on the membership's previous status, so
concurrent joins, leaves and approvals can neither double-count nor overshoot an invite.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import segno
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from .. import db
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..members.models import Member
from ..members.text import clean_text
from ..web.guards import has_permission
from .models import Announcement, Group, GroupInvite, GroupMembership, GroupRole, JoinPolicy, MembershipStatus

if TYPE_CHECKING:
    from ..runtime import Runtime

VIAS = frozenset({"invite", "link", "open", "approval", "livestream", "salesperson", "group_qr"})
OWNER_VIA = "owner"
NAME_MAX = 64
DESCRIPTION_MAX = 2000
TITLE_MAX = 100
BODY_MAX = 5000
CODE_MAX = 32
INVITE_MAX_USES = 100_000
INVITE_MAX_HOURS = 24 * 366
PUBLIC_POLICIES = (JoinPolicy.OPEN, JoinPolicy.APPROVAL)
GROUP_FIELDS = ("id", "name", "description", "join_policy", "member_count", "created_at")

ACTIVE, PENDING = MembershipStatus.ACTIVE, MembershipStatus.PENDING


class InviteRequired(PermissionDenied):
    code = "invite_required"
    message = "This group admits members by invitation only."


class InviteInvalid(PermissionDenied):
    code = "invite_invalid"
    message = "This invitation has expired, been used up or been withdrawn."


class GroupAdminRequired(PermissionDenied):
    code = "group_admin_required"
    message = "Only the group's owner or admins can do this."


class GroupOwnerRequired(PermissionDenied):
    code = "group_owner_required"
    message = "Only the group's owner can do this."


class OwnerCannotLeave(Conflict):
    code = "owner_cannot_leave"
    message = "Hand the group over to another member before leaving it."


class CannotRemoveOwner(Conflict):
    code = "cannot_remove_owner"
    message = "The group's owner cannot be removed or demoted."


class NotPending(Conflict):
    code = "not_pending"
    message = "This request to join is no longer pending."


class NotActiveMember(Conflict):
    code = "not_active_member"
    message = "This person is not an active member of the group."


class _Raced(Exception):
    """The membership changed under us: undo this attempt and report the current state."""


@dataclass(frozen=True)
class Standing:
    """What the caller is to a group: their membership (if any) and whether they are staff."""

    role: GroupRole | None
    status: MembershipStatus | None
    staff: bool

    @property
    def active(self) -> bool:
        return self.status == ACTIVE

    @property
    def admin(self) -> bool:
        return self.staff or (self.active and self.role in (GroupRole.OWNER, GroupRole.ADMIN))

    @property
    def owner(self) -> bool:
        return self.staff or (self.active and self.role == GroupRole.OWNER)


# --------------------------------------------------------------------------- groups


async def authorize_creation(runtime: Runtime, actor: Member, owner_id: int | None) -> Member:
    """The owner ``actor`` may create a group for: themself with ``groups.create``, anyone
    with ``groups.manage``."""
    if owner_id is None or owner_id == actor.id:
        if not await has_permission(runtime, actor.id, "groups.create"):
            raise PermissionDenied()
        return actor
    if not await has_permission(runtime, actor.id, "groups.manage"):
        raise PermissionDenied()
    owner = await Member.get_or_none(id=owner_id, is_active=True)
    if owner is None:
        raise NotFound()
    return owner


async def create_group(
    runtime: Runtime, owner: Member, name: str, description: str = "", join_policy: str = JoinPolicy.OPEN
) -> Group:
    """A new group whose owner is its first active member; fires ``group_created``."""
    name = clean_text(name, "name", max_length=NAME_MAX)
    description = clean_text(description, "description", max_length=DESCRIPTION_MAX, min_length=0, multiline=True)
    policy = _policy(join_policy)
    async with in_transaction():
        group = await Group.create(name=name, description=description, owner_id=owner.id, join_policy=policy)
        await GroupMembership.create(
            group=group, member_id=owner.id, role=GroupRole.OWNER, status=ACTIVE, via=OWNER_VIA, joined_at=runtime.now()
        )
        await db.give(Group, group.id, "member_count", 1)
        await group.refresh_from_db()
        await runtime.call("group_created", group=group)
    return group


async def update_group(runtime: Runtime, actor: Member, group_id: int, **changes: Any) -> Group:
    unknown = set(changes) - {"name", "description", "join_policy"}
    if unknown:
        raise InvalidInput(detail="unknown fields {fields}", fields=", ".join(sorted(unknown)))
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    if "name" in changes:
        changes["name"] = clean_text(changes["name"], "name", max_length=NAME_MAX)
    if "description" in changes:
        changes["description"] = clean_text(
            changes["description"], "description", max_length=DESCRIPTION_MAX, min_length=0, multiline=True
        )
    if "join_policy" in changes:
        changes["join_policy"] = _policy(changes["join_policy"])
    if changes:
        await Group.filter(id=group.id).update(**changes)
        await group.refresh_from_db()
    return group


async def list_groups(*, q: str | None = None, limit: int = 20, offset: int = 0) -> dict[str, Any]:
    """Open and approval groups, newest first (invite-only groups are not listed)."""
    query = Group.filter(join_policy__in=PUBLIC_POLICIES)
    if q:
        query = query.filter(Q(name__icontains=q.strip()) | Q(description__icontains=q.strip()))
    rows = await query.order_by("-id").offset(offset).limit(limit + 1).values(*GROUP_FIELDS)
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def group_detail(runtime: Runtime, group_id: int, viewer: Member | None) -> dict[str, Any]:
    group, standing = await _visible(runtime, group_id, viewer)
    mine = {"status": standing.status, "role": standing.role} if standing.status else None
    return {**public_info(group), "membership": mine}


async def my_groups(member: Member) -> list[dict[str, Any]]:
    """The groups ``member`` belongs to or asked to join, most recent first."""
    rows = await (
        GroupMembership.filter(member_id=member.id, status__in=(ACTIVE, PENDING))
        .order_by("-id")
        .values("role", "status", "via", "joined_at", *(f"group__{f}" for f in GROUP_FIELDS))
    )
    return [
        {
            **{f: r[f"group__{f}"] for f in GROUP_FIELDS},
            "membership": {"role": r["role"], "status": r["status"], "via": r["via"], "joined_at": r["joined_at"]},
        }
        for r in rows
    ]


def public_info(group: Group) -> dict[str, Any]:
    return {field: getattr(group, field) for field in GROUP_FIELDS}


# --------------------------------------------------------------------------- joining and leaving


async def join(
    runtime: Runtime, group_id: int, member: Member, invite_code: str | None = None, via: str | None = None
) -> GroupMembership:
    """Join a group, or ask to.

    A valid invitation admits under any policy (and is recorded with its ``via``). Without one,
    an open group admits, an approval group records a pending request, and an invite-only group
    refuses. Joining again while active changes nothing; joining after leaving works.
    ``group_member_joined`` fires when the member becomes active.
    """
    if via is not None and via not in VIAS:
        raise InvalidInput(detail="via must be one of {choices}", choices=", ".join(sorted(VIAS)))
    try:
        async with in_transaction():
            group = await _group(group_id)
            current = await GroupMembership.get_or_none(group_id=group.id, member_id=member.id)
            if current is not None and current.status == ACTIVE:
                return current
            invite = await _claim_invite(runtime, group.id, invite_code) if invite_code else None
            if invite is not None:
                status, how = ACTIVE, invite.via
            elif group.join_policy == JoinPolicy.OPEN:
                status, how = ACTIVE, via or "open"
            elif group.join_policy == JoinPolicy.APPROVAL:
                status, how = PENDING, via or "approval"
            else:
                raise InviteInvalid() if invite_code else InviteRequired()
            if current is not None and current.status == PENDING and status == PENDING:
                return current
            membership = await _write_membership(
                group.id, member.id, current, status=status, via=how, invite_id=invite.id if invite else None,
                joined_at=runtime.now() if status == ACTIVE else None,
            )
            if status == ACTIVE:
                await _count(group, +1)
                await runtime.call("group_member_joined", group=group, member=member, via=how)
            return membership
    except (IntegrityError, _Raced):  # the same member joined concurrently; that attempt stands
        return await GroupMembership.get(group_id=group_id, member_id=member.id)


async def join_by_code(runtime: Runtime, code: str, member: Member, via: str | None = None) -> GroupMembership:
    """Join the group an invitation code belongs to (the share-link landing page)."""
    group_id = await _invite_group_id(code)
    return await join(runtime, group_id, member, invite_code=code, via=via)


async def leave(runtime: Runtime, group_id: int, member: Member) -> None:
    """Leave a group, or withdraw a pending request. The owner must hand the group over first."""
    async with in_transaction():
        group = await _group(group_id)
        membership = await GroupMembership.get_or_none(group_id=group.id, member_id=member.id, status__in=(ACTIVE, PENDING))
        if membership is None:
            raise NotFound()
        if membership.role == GroupRole.OWNER:
            raise OwnerCannotLeave()
        await _end_membership(runtime, group, membership, member)


async def remove_member(runtime: Runtime, actor: Member, group_id: int, member_id: int) -> None:
    """Remove an active member (owner, admins, staff); only the owner or staff remove an admin."""
    async with in_transaction():
        group, standing = await _visible(runtime, group_id, actor)
        _require(standing.admin, GroupAdminRequired)
        membership = await _active_membership(group.id, member_id)
        if membership.role == GroupRole.OWNER:
            raise CannotRemoveOwner()
        if membership.role == GroupRole.ADMIN:
            _require(standing.owner, GroupOwnerRequired)
        await _end_membership(runtime, group, membership, await Member.get(id=member_id))


async def approve(runtime: Runtime, actor: Member, group_id: int, member_id: int) -> GroupMembership:
    """Admit a pending request; fires ``group_member_joined`` with the request's ``via``."""
    async with in_transaction():
        group, membership = await _pending(runtime, actor, group_id, member_id)
        changed = await GroupMembership.filter(id=membership.id, status=PENDING).update(
            status=ACTIVE, joined_at=runtime.now()
        )
        if not changed:
            raise NotPending()
        await _count(group, +1)
        await membership.refresh_from_db()
        await runtime.call("group_member_joined", group=group, member=await Member.get(id=member_id), via=membership.via)
    return membership


async def reject(runtime: Runtime, actor: Member, group_id: int, member_id: int) -> None:
    async with in_transaction():
        _, membership = await _pending(runtime, actor, group_id, member_id)
        if not await GroupMembership.filter(id=membership.id, status=PENDING).update(status=MembershipStatus.REJECTED):
            raise NotPending()


async def set_member_role(runtime: Runtime, actor: Member, group_id: int, member_id: int, role: str) -> None:
    """Make an active member an admin or a plain member again (the owner or staff only)."""
    if role not in (GroupRole.ADMIN, GroupRole.MEMBER):
        raise InvalidInput(detail="role must be admin or member")
    async with in_transaction():
        group, standing = await _visible(runtime, group_id, actor)
        _require(standing.owner, GroupOwnerRequired)
        membership = await _active_membership(group.id, member_id)
        if membership.role == GroupRole.OWNER:
            raise CannotRemoveOwner()
        if not await GroupMembership.filter(id=membership.id, status=ACTIVE).update(role=role):
            raise NotActiveMember()


async def transfer_ownership(runtime: Runtime, actor: Member, group_id: int, new_owner_id: int) -> Group:
    """Hand the group to another active member; the previous owner stays on as an admin."""
    async with in_transaction():
        group, standing = await _visible(runtime, group_id, actor)
        _require(standing.owner, GroupOwnerRequired)
        if new_owner_id == group.owner_id:
            return group
        successor = await GroupMembership.get_or_none(group_id=group.id, member_id=new_owner_id, status=ACTIVE)
        if successor is None:
            raise NotActiveMember()
        if not await Group.filter(id=group.id, owner_id=group.owner_id).update(owner_id=new_owner_id):
            raise Conflict()
        await GroupMembership.filter(group_id=group.id, member_id=group.owner_id).update(role=GroupRole.ADMIN)
        await GroupMembership.filter(id=successor.id).update(role=GroupRole.OWNER)
        await group.refresh_from_db()
    return group


async def list_memberships(
    runtime: Runtime, viewer: Member, group_id: int, *, status: str = ACTIVE, limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A group's members or pending requests, for its owner, admins and staff."""
    group, standing = await _visible(runtime, group_id, viewer)
    _require(standing.admin, GroupAdminRequired)
    rows = await (
        GroupMembership.filter(group_id=group.id, status=MembershipStatus(status))
        .order_by("id")
        .offset(offset)
        .limit(limit + 1)
        .values("member_id", "member__display_name", "role", "status", "via", "joined_at")
    )
    items = [{**{k: v for k, v in r.items() if k != "member__display_name"}, "display_name": r["member__display_name"]} for r in rows[:limit]]
    return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}


# --------------------------------------------------------------------------- invitations


async def create_invite(
    runtime: Runtime,
    actor: Member,
    group_id: int,
    *,
    via: str = "invite",
    max_uses: int | None = None,
    expires_in_hours: int | None = None,
) -> GroupInvite:
    if via not in VIAS:
        raise InvalidInput(detail="via must be one of {choices}", choices=", ".join(sorted(VIAS)))
    if max_uses is not None and not (isinstance(max_uses, int) and 1 <= max_uses <= INVITE_MAX_USES):
        raise InvalidInput(detail="max_uses must be an integer from 1 to {high}", high=INVITE_MAX_USES)
    if expires_in_hours is not None and not (isinstance(expires_in_hours, int) and 1 <= expires_in_hours <= INVITE_MAX_HOURS):
        raise InvalidInput(detail="expires_in_hours must be an integer from 1 to {high}", high=INVITE_MAX_HOURS)
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    expires_at = runtime.now() + timedelta(hours=expires_in_hours) if expires_in_hours else None
    return await GroupInvite.create(
        group_id=group.id, code=secrets.token_urlsafe(12), created_by_id=actor.id, via=via,
        max_uses=max_uses, expires_at=expires_at,
    )


async def list_invites(runtime: Runtime, actor: Member, group_id: int) -> list[dict[str, Any]]:
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    invites = await GroupInvite.filter(group_id=group.id).order_by("-id")
    return [invite_out(runtime, invite) for invite in invites]


async def revoke_invite(runtime: Runtime, actor: Member, group_id: int, invite_id: int) -> None:
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    if not await GroupInvite.filter(id=invite_id, group_id=group.id).update(revoked=True):
        raise NotFound()


def invite_link(runtime: Runtime, code: str) -> str:
    return f"{runtime.config.app.base_url.rstrip('/')}/g/{code}"


def invite_usable(runtime: Runtime, invite: GroupInvite) -> bool:
    if invite.revoked or (invite.expires_at is not None and invite.expires_at <= runtime.now()):
        return False
    return invite.max_uses is None or invite.uses < invite.max_uses


def invite_out(runtime: Runtime, invite: GroupInvite) -> dict[str, Any]:
    return {
        "id": invite.id, "code": invite.code, "link": invite_link(runtime, invite.code), "via": invite.via,
        "max_uses": invite.max_uses, "uses": invite.uses, "expires_at": invite.expires_at,
        "revoked": invite.revoked, "usable": invite_usable(runtime, invite), "created_at": invite.created_at,
    }


async def invite_landing(runtime: Runtime, code: str) -> dict[str, Any]:
    """What a share link shows before joining: the group's public card and whether the link works."""
    invite = await _live_invite(code)
    group = await Group.get(id=invite.group_id)
    return {
        "code": invite.code, "link": invite_link(runtime, invite.code), "via": invite.via,
        "usable": invite_usable(runtime, invite), "group": public_info(group),
    }


async def invite_qr_svg(runtime: Runtime, code: str) -> bytes:
    """The share link as a QR code (SVG), for posters and chat groups."""
    invite = await _live_invite(code)
    out = io.BytesIO()
    segno.make(invite_link(runtime, invite.code), error="m").save(out, kind="svg", scale=4, border=2)
    return out.getvalue()


# --------------------------------------------------------------------------- announcements


async def create_announcement(
    runtime: Runtime, actor: Member, group_id: int, title: str, body: str, pinned: bool = False
) -> Announcement:
    title = clean_text(title, "title", max_length=TITLE_MAX)
    body = clean_text(body, "body", max_length=BODY_MAX, multiline=True)
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    return await Announcement.create(group_id=group.id, author_id=actor.id, title=title, body=body, pinned=bool(pinned))


async def list_announcements(
    runtime: Runtime, viewer: Member | None, group_id: int, *, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    """Pinned first, then newest: for active members and staff, or anyone if the group is open."""
    group, standing = await _visible(runtime, group_id, viewer)
    if group.join_policy != JoinPolicy.OPEN and not (standing.active or standing.staff):
        raise PermissionDenied()
    rows = await (
        Announcement.filter(group_id=group.id)
        .order_by("-pinned", "-id")
        .offset(offset)
        .limit(limit + 1)
        .values("id", "title", "body", "pinned", "created_at", "author__display_name")
    )
    items = [{**{k: v for k, v in r.items() if k != "author__display_name"}, "author": r["author__display_name"]} for r in rows[:limit]]
    return {"items": items, "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def pin_announcement(runtime: Runtime, actor: Member, group_id: int, announcement_id: int, pinned: bool) -> None:
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    if not await Announcement.filter(id=announcement_id, group_id=group.id).update(pinned=bool(pinned)):
        raise NotFound()


async def delete_announcement(runtime: Runtime, actor: Member, group_id: int, announcement_id: int) -> None:
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    if not await Announcement.filter(id=announcement_id, group_id=group.id).delete():
        raise NotFound()


# --------------------------------------------------------------------------- helpers


def _policy(value: str) -> JoinPolicy:
    try:
        return JoinPolicy(value)
    except ValueError:
        raise InvalidInput(detail="join_policy must be open, approval or invite") from None


def _require(allowed: bool, error: type[PermissionDenied]) -> None:
    if not allowed:
        raise error()


async def _group(group_id: int) -> Group:
    group = await Group.get_or_none(id=group_id)
    if group is None:
        raise NotFound()
    return group


async def _standing(runtime: Runtime, group: Group, member: Member | None) -> Standing:
    if member is None:
        return Standing(None, None, False)
    row = await GroupMembership.filter(group_id=group.id, member_id=member.id).first().values("role", "status")
    staff = await has_permission(runtime, member.id, "groups.manage")
    return Standing(row and GroupRole(row["role"]), row and MembershipStatus(row["status"]), staff)


async def _visible(runtime: Runtime, group_id: int, viewer: Member | None) -> tuple[Group, Standing]:
    """The group and the viewer's standing; an invite-only group is not found by outsiders."""
    group = await _group(group_id)
    standing = await _standing(runtime, group, viewer)
    if group.join_policy == JoinPolicy.INVITE and not (standing.staff or standing.status in (ACTIVE, PENDING)):
        raise NotFound()
    return group, standing


async def _active_membership(group_id: int, member_id: int) -> GroupMembership:
    membership = await GroupMembership.get_or_none(group_id=group_id, member_id=member_id, status=ACTIVE)
    if membership is None:
        raise NotFound()
    return membership


async def _pending(runtime: Runtime, actor: Member, group_id: int, member_id: int) -> tuple[Group, GroupMembership]:
    group, standing = await _visible(runtime, group_id, actor)
    _require(standing.admin, GroupAdminRequired)
    membership = await GroupMembership.get_or_none(group_id=group.id, member_id=member_id)
    if membership is None:
        raise NotFound()
    if membership.status != PENDING:
        raise NotPending()
    return group, membership


async def _write_membership(
    group_id: int, member_id: int, current: GroupMembership | None, **fields: Any
) -> GroupMembership:
    if current is None:
        return await GroupMembership.create(group_id=group_id, member_id=member_id, role=GroupRole.MEMBER, **fields)
    changed = await GroupMembership.filter(id=current.id, status=current.status).update(role=GroupRole.MEMBER, **fields)
    if not changed:
        raise _Raced()
    await current.refresh_from_db()
    return current


async def _end_membership(runtime: Runtime, group: Group, membership: GroupMembership, member: Member) -> None:
    changed = await GroupMembership.filter(id=membership.id, status=membership.status).update(
        status=MembershipStatus.LEFT, role=GroupRole.MEMBER
    )
    if not changed:
        raise NotFound()
    if membership.status == ACTIVE:
        await _count(group, -1)
        await runtime.call("group_member_left", group=group, member=member)


async def _count(group: Group, delta: int) -> None:
    await db.give(Group, group.id, "member_count", delta)
    group.member_count = await Group.filter(id=group.id).first().values_list("member_count", flat=True)


async def _claim_invite(runtime: Runtime, group_id: int, code: str) -> GroupInvite | None:
    """Take one use of a valid invitation of this group, atomically; ``None`` if it is not valid."""
    if not isinstance(code, str) or len(code) > CODE_MAX:
        return None
    now = runtime.now()
    invite = await GroupInvite.filter(code=code, group_id=group_id, revoked=False).filter(
        Q(expires_at=None) | Q(expires_at__gt=now)
    ).first()
    if invite is None:
        return None
    room = {} if invite.max_uses is None else {"uses__lt": invite.max_uses}
    claimed = await GroupInvite.filter(id=invite.id, revoked=False, **room).update(uses=F("uses") + 1)
    return invite if claimed else None


async def _invite_group_id(code: str) -> int:
    if not isinstance(code, str) or len(code) > CODE_MAX:
        raise NotFound()
    group_id = await GroupInvite.filter(code=code).first().values_list("group_id", flat=True)
    if group_id is None:
        raise NotFound()
    return group_id


async def _live_invite(code: str) -> GroupInvite:
    if not isinstance(code, str) or len(code) > CODE_MAX:
        raise NotFound()
    invite = await GroupInvite.get_or_none(code=code, revoked=False)
    if invite is None:
        raise NotFound()
    return invite
