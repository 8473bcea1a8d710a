"""Storefront pages: the sessions list, a session's room page, its event stream (SSE) and the
room's buy and coupon-claim forms (for browsers without script)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import weakref
from collections.abc import AsyncIterator

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage

from qunshang.errors import InvalidInput, NotFound, QunshangError
from qunshang.runtime import Runtime
from qunshang.web.locale import gettext_for
from qunshang.web.storefront.render import error_text, member_or_login, remember_arrival, render, see_other

from . import limits, realtime, share
from .api import session_state
from .models import LiveSession
from .service import coupons, funnel, rooms, sales

VISITOR_COOKIE = "qs_live_v"
RECONNECT_MS = 1000  # the browser's EventSource waits this long before reconnecting
ADDRESS_FIELDS = ("name", "phone", "region", "detail")


@get("/live", name="livestream:sessions", include_in_schema=False)
async def sessions_page(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    return await render(request, runtime, "livestream/sessions.html", {"sessions": await rooms.list_sessions()})


async def _room(request: Request, runtime: Runtime, session_id: int, error: str = "", status_code: int = 200) -> Response:
    state = await session_state(runtime, session_id, request.user.id if request.user else None)
    visitor = request.cookies.get(VISITOR_COOKIE) or secrets.token_urlsafe(12)
    await funnel.record_view(session_id, f"m{request.user.id}" if request.user else visitor)
    if request.user is None:
        remember_arrival(request, channel=f"livestream:{session_id}")
    context = {**state, "error": error,
               "share_url": await share.link(runtime, request.user, session_id) if request.user else ""}
    response = await render(request, runtime, "livestream/room.html", context, status_code=status_code)
    if VISITOR_COOKIE not in request.cookies:
        response.set_cookie(VISITOR_COOKIE, visitor, max_age=86400 * 30, httponly=True, samesite="lax")
    return response


@get("/live/{session_id:int}", name="livestream:room", include_in_schema=False)
async def room_page(request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> Response:
    return await _room(request, runtime, session_id)


@post("/live/{session_id:int}/buy", name="livestream:buy", include_in_schema=False)
async def buy_form(request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    form = await request.form()
    try:
        sku_id, quantity = (int(str(form.get(k, ""))) for k in ("sku_id", "quantity"))
    except ValueError:
        return await _room(request, runtime, session_id, error_text(request, runtime, InvalidInput(detail="sku_id and quantity must be whole numbers")), 400)
    coupon = str(form.get("coupon_id", ""))
    address = {k: str(form.get(k, ""))[:200] for k in ADDRESS_FIELDS}
    try:
        placed = await sales.buy(runtime, member, session_id, sku_id, quantity, address,
                                 coupon_id=int(coupon) if coupon.isdigit() else None)
    except QunshangError as exc:
        return await _room(request, runtime, session_id, error_text(request, runtime, exc), exc.status_code)
    return see_other(f"/orders/{placed.order.id}")


@post("/live/{session_id:int}/coupons/{coupon_id:int}/claim", name="livestream:claim", include_in_schema=False)
async def claim_form(request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                     coupon_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    try:
        await coupons.claim(runtime, member.id, session_id, coupon_id)
    except QunshangError as exc:
        return await _room(request, runtime, session_id, error_text(request, runtime, exc), exc.status_code)
    return see_other(f"/live/{session_id}")


@get("/live/{session_id:int}/events", name="livestream:events", include_in_schema=False)
async def events(request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> ServerSentEvent:
    """The session's live events: ``pinned``, ``sale``, ``coupon``, ``comment``,
    ``comment_deleted``, ``group``, ``status``, ``stats``; a comment line every
    ``heartbeat_seconds``. A client may hold only so many open at once (429, see ``limits``)."""
    if not await LiveSession.exists(id=session_id):
        raise NotFound()
    slot = limits.acquire(runtime, request)
    stream = _stream(runtime, session_id, slot)
    weakref.finalize(stream, slot.release)  # a stream the server never started still frees its slot
    return ServerSentEvent(stream, headers={"cache-control": "no-store", "x-accel-buffering": "no"})


async def _stream(runtime: Runtime, session_id: int, slot: limits.Slot) -> AsyncIterator[ServerSentEventMessage]:
    """The viewer's events, holding the client's stream slot until they end."""
    try:
        async for message in _events(runtime, session_id):
            yield message
    finally:
        slot.release()


async def _events(runtime: Runtime, session_id: int) -> AsyncIterator[ServerSentEventMessage]:
    """First a snapshot (the pinned product, the figures), then the session's events. It ends
    after ``stream_seconds`` (the browser reconnects within a second and gets a fresh snapshot):
    a server asked to stop waits for open responses, so none may be endless."""
    settings = runtime.settings("livestream")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.stream_seconds
    async with realtime.hub(runtime).connect(session_id) as conn:
        await rooms.viewer_joined(runtime, session_id)
        try:
            yield ServerSentEventMessage(data=json.dumps({"type": "pinned", "product": await rooms.pinned_card(session_id)},
                                                         ensure_ascii=False))
            yield ServerSentEventMessage(data=None, comment="connected", retry=RECONNECT_MS)
            while not conn.cut and (left := deadline - loop.time()) > 0:
                try:
                    payload = await asyncio.wait_for(conn.queue.get(), min(settings.heartbeat_seconds, left))
                except asyncio.TimeoutError:
                    yield ServerSentEventMessage(data=None, comment="ping")
                    continue
                if conn.cut:
                    break
                yield ServerSentEventMessage(data=payload.decode())
        finally:
            with contextlib.suppress(Exception):  # the app may be shutting down
                await rooms.viewer_left(runtime, session_id)


@get("/live/{session_id:int}/poster.svg", name="livestream:poster", include_in_schema=False)
async def poster(request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> Response:
    """The signed-in viewer's share poster (their personal link as a QR code)."""
    member = member_or_login(request)
    session = await rooms.public_session(session_id)
    caption = gettext_for(request)("Scan to watch the live")
    svg = share.poster_svg(await share.link(runtime, member, session_id), session["title"], session["room_title"], caption)
    return Response(svg, media_type="image/svg+xml", headers={
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
        "cache-control": "private, max-age=300", "x-content-type-options": "nosniff",
    })


PAGES = [sessions_page, room_page, buy_form, claim_form, events, poster]
