"""Community groups on the storefront: list, detail with announcements, joining, invite links."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from typing_extensions import Annotated

from ...errors import PermissionDenied, QunshangError
from ...groups import service as groups
from ...runtime import Runtime
from .render import error_text, member_or_login, remember_arrival, render, see_other
from .shop import Page

Code = Annotated[str, Parameter(max_length=32)]


@get("/groups", name="storefront:groups", include_in_schema=False)
async def group_list(request: Request, runtime: NamedDependency[Runtime], page: Page = 1) -> Response:
    listing = await groups.list_groups(limit=20, offset=(page - 1) * 20)
    return await render(request, runtime, "core/groups.html", {"listing": listing, "page": page})


async def _group_page(request: Request, runtime: Runtime, group_id: int, error: str = "", status_code: int = 200) -> Response:
    group = await groups.group_detail(runtime, group_id, request.user)
    try:
        announcements = (await groups.list_announcements(runtime, request.user, group_id))["items"]
    except PermissionDenied:
        announcements = None  # members only
    context = {"group": group, "announcements": announcements, "error": error}
    return await render(request, runtime, "core/group.html", context, status_code=status_code)


@get("/groups/{group_id:int}", name="storefront:group", include_in_schema=False)
async def group_page(request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int]) -> Response:
    return await _group_page(request, runtime, group_id)


@post("/groups/{group_id:int}/join", name="storefront:group-join", include_in_schema=False)
async def join_group(request: Request, runtime: NamedDependency[Runtime], group_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    try:
        await groups.join(runtime, group_id, member)
    except PermissionDenied as exc:
        return await _group_page(request, runtime, group_id, error_text(request, runtime, exc), exc.status_code)
    return see_other(f"/groups/{group_id}")


@get("/g/{code:str}", name="storefront:invite", include_in_schema=False)
async def invite_landing(request: Request, runtime: NamedDependency[Runtime], code: FromPath[Code]) -> Response:
    """Where a shared invite link or a scanned QR code lands (``?src=qr`` from the poster)."""
    landing = await groups.invite_landing(runtime, code)
    source = "group_qr" if request.query_params.get("src") == "qr" else "link"
    if request.user is None and landing["usable"]:
        remember_arrival(request, invite_code=landing["code"], source=source)
    return await render(request, runtime, "core/invite.html", {"invite": landing, "error": ""})


@post("/g/{code:str}/join", name="storefront:invite-join", include_in_schema=False)
async def join_by_invite(request: Request, runtime: NamedDependency[Runtime], code: FromPath[Code]) -> Response:
    member = member_or_login(request)
    try:
        membership = await groups.join_by_code(runtime, code, member)
    except QunshangError as exc:
        landing = await groups.invite_landing(runtime, code)
        context = {"invite": landing, "error": error_text(request, runtime, exc)}
        return await render(request, runtime, "core/invite.html", context, status_code=exc.status_code)
    return see_other(f"/groups/{membership.group_id}")


@get("/g/{code:str}/qr.svg", name="storefront:invite-qr", include_in_schema=False)
async def invite_qr(runtime: NamedDependency[Runtime], code: FromPath[Code]) -> Response:
    svg = await groups.invite_qr_svg(runtime, code)
    return Response(svg, media_type="image/svg+xml", headers={
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        "cache-control": "private, max-age=300", "x-content-type-options": "nosniff",
    })


ROUTES = [group_list, group_page, join_group, invite_landing, join_by_invite, invite_qr]
