"""The host workbench in the console (``livestream.host``): rooms and sessions, then per session
start/pause/end, push a product, open and close live sales, push a live coupon, the group QR
card, live comments with delete and mute, live figures (orders and GMV re-read when an
``orders`` event arrives); after the session, its summary with the funnel chart, the replay URL
and clip marks. Writes go through the services and are audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect
from tortoise.transactions import in_transaction

from qunshang.catalog.models import Product, ProductStatus, Sku
from qunshang.console import audit, forms
from qunshang.console.pages import ConsolePage
from qunshang.console.templates import render
from qunshang.errors import InvalidInput, NotFound
from qunshang.groups.models import Group
from qunshang.localtime import input_value, parse_local
from qunshang.money import format_amount
from qunshang.web.guards import has_permission

from . import realtime
from .models import LiveSale, Room
from .service import comments, coupons, funnel, rooms, sales

HOST = "livestream.host"


def _runtime(request: Request):
    return request.app.state.runtime


def _back(session_id: int, page: str = "") -> Redirect:
    return Redirect(f"/console/livestream/sessions/{session_id}{page}", status_code=303)


def _when(runtime, form, name: str) -> datetime:
    """A ``datetime-local`` field, typed in the deployment's time zone."""
    try:
        return parse_local(forms.text(form, name, max_length=32, required=True), runtime.tz)
    except ValueError:
        raise InvalidInput(detail="{field} must be a date and time", field=name) from None


@get("/livestream")
async def workbench_home(request: Request) -> Response:
    runtime = _runtime(request)
    every = await has_permission(runtime, request.user.id, rooms.MANAGE_ALL)
    query = Room.all() if every else Room.filter(host_id=request.user.id)
    my_rooms = await query.order_by("id").values("id", "title", "host_id")
    sessions = await rooms.list_sessions(statuses=tuple(rooms.S), room_ids=[r["id"] for r in my_rooms], limit=100)
    return render(request, "livestream/console_home.html", rooms=my_rooms, sessions=sessions)


@post("/livestream/rooms")
async def room_create(request: Request) -> Response:
    form = await request.form()
    async with in_transaction():
        room = await rooms.create_room(_runtime(request), request.user.id, title=forms.text(form, "title", max_length=100),
                                       description=forms.text(form, "description", max_length=2000),
                                       cover_url=forms.text(form, "cover_url", max_length=500))
        await audit.record(request, "livestream.room", "livestream_room", room.id, after={"title": room.title})
    return Redirect("/console/livestream", status_code=303)


@post("/livestream/rooms/{room_id:int}/sessions")
async def session_create(request: Request, room_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    room = await rooms.room_for(runtime, request.user, room_id)
    async with in_transaction():
        session = await rooms.schedule(runtime, room, title=forms.text(form, "title", max_length=100),
                                       starts_at=_when(runtime, form, "starts_at"), ends_at=_when(runtime, form, "ends_at"),
                                       stream_url=forms.text(form, "stream_url", max_length=500))
        await audit.record(request, "livestream.schedule", "livestream_session", session.id, after={"title": session.title})
    return _back(session.id)


@get("/livestream/sessions/{session_id:int}")
async def session_view(request: Request, session_id: FromPath[int]) -> Response:
    runtime = _runtime(request)
    session = await rooms.session_for(runtime, request.user, session_id)
    products = await Product.filter(status=ProductStatus.PUBLISHED).order_by("-id").limit(200).values("id", "title")
    shelf = await rooms.shelf(session_id)
    skus = await Sku.filter(product_id__in=[c["id"] for c in shelf], active=True).values(
        "id", "code", "name", "price", "stock", title="product__title")
    groups = await Group.filter(owner_id=request.user.id).values("id", "name")
    return render(request, "livestream/console_session.html", session=await rooms.public_session(session_id),
                  figures={"viewers_now": session.viewers, **await funnel.figures(session)}, products=products,
                  shelf=shelf, skus=skus, sales=await sales.open_sales(session_id),
                  coupons=await coupons.list_for_host(session_id),
                  comments=await comments.recent(session_id), groups=groups,
                  default_end=input_value(runtime.now() + timedelta(minutes=30), runtime.tz))


@get("/livestream/sessions/{session_id:int}/figures")
async def session_figures(request: Request, session_id: FromPath[int]) -> dict[str, Any]:
    """The live figures as JSON, read by the workbench when an ``orders`` event arrives."""
    session = await rooms.session_for(_runtime(request), request.user, session_id)
    figures = {"viewers_now": session.viewers, **await funnel.figures(session)}
    return {**figures, "gmv_text": format_amount(figures["gmv"], "CNY", "zh_CN")}


@post("/livestream/sessions/{session_id:int}/state")
async def session_state(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    action = forms.text(form, "action", max_length=8, required=True)
    async with realtime.deferred(runtime), in_transaction():
        after = await rooms.transition(runtime, session, action)
        await audit.record(request, f"livestream.{action}", "livestream_session", session_id,
                           before={"status": str(session.status)}, after={"status": str(after.status)})
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/push")
async def session_push(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    product_id = forms.integer(form, "product_id", low=1, high=2**31 - 1)
    async with realtime.deferred(runtime), in_transaction():
        await rooms.push(runtime, session, product_id)
        await audit.record(request, "livestream.push", "livestream_session", session_id, after={"product_id": product_id})
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/sales")
async def sale_open(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    fields = {
        "sku_id": forms.integer(form, "sku_id", low=1, high=2**31 - 1), "live_price": forms.money(form, "live_price"),
        "cap": forms.integer(form, "cap", low=1, high=100_000), "ends_at": _when(runtime, form, "ends_at"),
        "per_member_limit": forms.integer(form, "per_member_limit", low=1, high=runtime.config.orders.max_quantity),
    }
    async with realtime.deferred(runtime), in_transaction():
        sale = await sales.open_sale(runtime, session, **fields)
        await audit.record(request, "livestream.sale_open", "livestream_sale", sale.id, after=sales.sale_out(sale))
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/sales/{sale_id:int}/close")
async def sale_close(request: Request, session_id: FromPath[int], sale_id: FromPath[int]) -> Response:
    runtime = _runtime(request)
    await rooms.session_for(runtime, request.user, session_id)
    if not await LiveSale.exists(id=sale_id, session_id=session_id):
        raise NotFound()
    async with realtime.deferred(runtime), in_transaction():
        returned = await sales.close(runtime, sale_id)
        await audit.record(request, "livestream.sale_close", "livestream_sale", sale_id, after={"returned": returned})
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/coupons")
async def coupon_push(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    fields = {
        "amount": forms.money(form, "amount"), "min_spend": forms.money(form, "min_spend", default=0),
        "quantity": forms.integer(form, "quantity", low=1, high=1_000_000),
        "valid_until": _when(runtime, form, "valid_until") if str(form.get("valid_until") or "").strip() else None,
    }
    async with realtime.deferred(runtime), in_transaction():
        coupon = await coupons.push(runtime, session, **fields)
        await audit.record(request, "livestream.coupon", "livestream_coupon", coupon.id, after=coupons.coupon_out(coupon))
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/group")
async def session_group(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    group_id = forms.integer(form, "group_id", low=1, high=2**31 - 1)
    async with realtime.deferred(runtime), in_transaction():
        code = await rooms.attach_group(runtime, request.user, session, group_id)
        await audit.record(request, "livestream.group", "livestream_session", session_id, after={"invite_code": code})
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/comments/{comment_id:int}/delete")
async def comment_delete(request: Request, session_id: FromPath[int], comment_id: FromPath[int]) -> Response:
    runtime = _runtime(request)
    session = await rooms.session_for(runtime, request.user, session_id)
    async with realtime.deferred(runtime), in_transaction():
        await comments.delete(runtime, session, comment_id)
        await audit.record(request, "livestream.comment_delete", "livestream_comment", comment_id)
    return _back(session_id)


@post("/livestream/sessions/{session_id:int}/mutes")
async def member_mute(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    comment_id = forms.integer(form, "comment_id", low=1, high=2**31 - 1)
    async with realtime.deferred(runtime), in_transaction():
        member_id = await comments.mute(runtime, session, comment_id, request.user.id)
        await audit.record(request, "livestream.mute", "member", member_id, after={"room_id": session.room_id})
    return _back(session_id)


@get("/livestream/sessions/{session_id:int}/summary")
async def session_summary(request: Request, session_id: FromPath[int]) -> Response:
    runtime = _runtime(request)
    session = await rooms.session_for(runtime, request.user, session_id)
    figures = await funnel.figures(session)
    from qunshang.web.locale import gettext_for

    _ = gettext_for(request)
    labels = {"title": _("Funnel"), "viewers": _("Viewers"), "group_joins": _("Group joins"),
              "registrations": _("Registrations"), "orders": _("Orders")}
    return render(request, "livestream/console_summary.html", session=await rooms.public_session(session_id),
                  figures=figures, chart=funnel.chart(figures, labels), shelf=await rooms.shelf(session_id),
                  clips=await session.clips.all().order_by("start_seconds").values())


@post("/livestream/sessions/{session_id:int}/replay")
async def session_replay(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    url = forms.text(form, "replay_url", max_length=500, required=True)
    async with in_transaction():
        await rooms.set_replay(runtime, session, url)
        await audit.record(request, "livestream.replay", "livestream_session", session_id, after={"replay_url": url})
    return _back(session_id, "/summary")


@post("/livestream/sessions/{session_id:int}/clips")
async def session_clip(request: Request, session_id: FromPath[int]) -> Response:
    runtime, form = _runtime(request), await request.form()
    session = await rooms.session_for(runtime, request.user, session_id)
    product_id = forms.integer(form, "product_id", low=1, high=2**31 - 1)
    start, end = (forms.integer(form, name, low=0, high=86_400) for name in ("start_seconds", "end_seconds"))
    async with in_transaction():
        mark = await rooms.add_clip(session, product_id, start, end)
        await audit.record(request, "livestream.clip", "livestream_clip", mark.id,
                           after={"product_id": product_id, "start": start, "end": end})
    return _back(session_id, "/summary")


PAGES = [
    ConsolePage("livestream", "Live workbench", "/livestream", HOST, (
        workbench_home, room_create, session_create, session_view, session_figures, session_state, session_push, sale_open, sale_close,
        coupon_push, session_group, comment_delete, member_mute, session_summary, session_replay, session_clip,
    )),
]
