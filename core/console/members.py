"""Console pages for members (list, profile, tags, level, roles, disable) and groups (list,
members, join requests, announcements). Writes go through the members and groups services."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from ..groups import service as groups
from ..groups.models import Group
from ..members import service as members
from ..members.models import Level
from . import audit, forms
from .templates import render

PAGE = 50


@get("/members")
async def member_list(
    request: Request, q: FromQuery[str | None] = None, tag: FromQuery[str | None] = None, level: FromQuery[str | None] = None, role: FromQuery[str | None] = None,
    offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0,
) -> Response:
    page = await members.list_members(q=q, tag=tag or None, level=level if level in {lv.value for lv in Level} else None,
                                      role=role or None, limit=PAGE, offset=offset)
    return render(request, "console/members.html", page=page, q=q or "", tag=tag or "", level=level or "", role=role or "",
                  levels=[lv.value for lv in Level], roles=sorted(members.known_roles(request.app.state.runtime)))


@get("/members/{member_id:int}")
async def member_view(request: Request, member_id: FromPath[int]) -> Response:
    detail = await members.member_detail(member_id)
    return render(request, "console/member.html", member=detail, levels=[lv.value for lv in Level],
                  all_roles=sorted(members.known_roles(request.app.state.runtime)))


@post("/members/{member_id:int}/tags", opt={"permission": "members.manage"})
async def member_tags(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    tag = forms.text(form, "tag", max_length=32, required=True)
    remove = form.get("remove") == "1"
    async with in_transaction():
        before = await members.member_tags((await members.get_member(member_id)).id)
        after = await (members.remove_tag if remove else members.add_tag)(member_id, tag)
        await audit.record(request, "member.tags", "member", member_id, before={"tags": before}, after={"tags": after})
    return Redirect(f"/console/members/{member_id}", status_code=303)


@post("/members/{member_id:int}/level", opt={"permission": "members.manage"})
async def member_level(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    level = forms.text(form, "level", max_length=16, required=True)
    reason = forms.text(form, "reason", max_length=200) or "console"
    async with in_transaction():
        member = await members.get_member(member_id)
        before = str(member.level)
        await members.set_level(request.app.state.runtime, member, level, reason)
        await audit.record(request, "member.level", "member", member_id, before={"level": before}, after={"level": level, "reason": reason})
    return Redirect(f"/console/members/{member_id}", status_code=303)


@post("/members/{member_id:int}/roles", opt={"permission": "members.roles"})
async def member_roles(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    wanted = [str(role) for role in form.getall("roles", [])]
    async with in_transaction():
        before = await members.member_roles((await members.get_member(member_id)).id)
        after = await members.set_roles(request.app.state.runtime, request.user, member_id, wanted)
        await audit.record(request, "member.roles", "member", member_id, before={"roles": before}, after={"roles": after})
    return Redirect(f"/console/members/{member_id}", status_code=303)


@post("/members/{member_id:int}/active", opt={"permission": "members.manage"})
async def member_active(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    active = form.get("active") == "1"
    async with in_transaction():
        before = (await members.get_member(member_id)).is_active
        await members.set_active(request.user, member_id, active)
        await audit.record(request, "member.enable" if active else "member.disable", "member", member_id,
                           before={"is_active": before}, after={"is_active": active})
    return Redirect(f"/console/members/{member_id}", status_code=303)


# --------------------------------------------------------------------------- groups


@get("/groups")
async def group_list(request: Request, q: FromQuery[str | None] = None, offset: Annotated[int, Parameter(ge=0, le=10**9)] = 0) -> Response:
    query = Group.all()
    if q:
        query = query.filter(Q(name__icontains=q.strip()) | Q(description__icontains=q.strip()))
    rows = await query.order_by("-id").offset(offset).limit(PAGE + 1).values("id", "name", "join_policy", "member_count", "owner_id", "created_at")
    return render(request, "console/groups.html", items=rows[:PAGE], has_more=len(rows) > PAGE, offset=offset, q=q or "")


@get("/groups/{group_id:int}")
async def group_view(request: Request, group_id: FromPath[int]) -> Response:
    runtime, me = request.app.state.runtime, request.user
    info = await groups.group_detail(runtime, group_id, me)
    active = await groups.list_memberships(runtime, me, group_id, status="active", limit=200)
    pending = await groups.list_memberships(runtime, me, group_id, status="pending", limit=200)
    notes = await groups.list_announcements(runtime, me, group_id, limit=50)
    return render(request, "console/group.html", group=info, active=active["items"], pending=pending["items"], notes=notes["items"])


@post("/groups/{group_id:int}/requests/{member_id:int}")
async def group_request(request: Request, group_id: FromPath[int], member_id: FromPath[int]) -> Response:
    form = await request.form()
    approve = form.get("decision") == "approve"
    runtime = request.app.state.runtime
    async with in_transaction():
        if approve:
            await groups.approve(runtime, request.user, group_id, member_id)
        else:
            await groups.reject(runtime, request.user, group_id, member_id)
        await audit.record(request, "group.approve" if approve else "group.reject", "group", group_id,
                           before={"member_id": member_id, "status": "pending"},
                           after={"member_id": member_id, "status": "active" if approve else "rejected"})
    return Redirect(f"/console/groups/{group_id}", status_code=303)


@post("/groups/{group_id:int}/announcements")
async def group_announce(request: Request, group_id: FromPath[int]) -> Response:
    form = await request.form()
    title = forms.text(form, "title", max_length=100, required=True)
    body = forms.text(form, "body", max_length=5000, required=True)
    async with in_transaction():
        note = await groups.create_announcement(request.app.state.runtime, request.user, group_id, title, body, form.get("pinned") == "1")
        await audit.record(request, "group.announce", "announcement", note.id, after={"group_id": group_id, "title": title, "body": body})
    return Redirect(f"/console/groups/{group_id}", status_code=303)


MEMBER_HANDLERS = (member_list, member_view, member_tags, member_level, member_roles, member_active)
GROUP_HANDLERS = (group_list, group_view, group_request, group_announce)


