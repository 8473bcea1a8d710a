"""Livestream JSON API under ``/api/livestream``: viewers read a session, comment, like, share
and buy; hosts (``livestream.host``, their own rooms; ``livestream.manage``, every room) run it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from qunshang.errors import NotFound
from qunshang.orders.service import Address
from qunshang.runtime import Runtime
from qunshang.web.guards import login_required, permission

from . import share
from .errors import SaleClosed
from .models import LiveSale, LiveSession, Room
from .service import comments, coupons, funnel, rooms, sales

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Text = Annotated[str, msgspec.Meta(max_length=2000)]
Url = Annotated[str, msgspec.Meta(max_length=500)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Count = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
IdempotencyKey = Annotated[str | None, HeaderParameter(name="idempotency-key", max_length=64)]
HOST = permission("livestream.host")


class RoomIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Text
    description: Text = ""
    cover_url: Url = ""


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Text
    starts_at: datetime
    ends_at: datetime
    stream_url: Url = ""


class StateIn(msgspec.Struct, forbid_unknown_fields=True):
    action: Literal["start", "pause", "end"]


class ProductIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: Id


class SaleIn(msgspec.Struct, forbid_unknown_fields=True):
    sku_id: Id
    live_price: Money
    cap: Count
    per_member_limit: Count
    ends_at: datetime


class GroupIn(msgspec.Struct, forbid_unknown_fields=True):
    group_id: Id


class MuteIn(msgspec.Struct, forbid_unknown_fields=True):
    comment_id: Id


class ReplayIn(msgspec.Struct, forbid_unknown_fields=True):
    replay_url: Url


class ClipIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: Id
    start_seconds: Annotated[int, msgspec.Meta(ge=0)]
    end_seconds: Annotated[int, msgspec.Meta(ge=0)]


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    text: Text


class LikeIn(msgspec.Struct, forbid_unknown_fields=True):
    count: Annotated[int, msgspec.Meta(ge=1, le=20)] = 1


class BuyIn(msgspec.Struct, forbid_unknown_fields=True):
    sku_id: Id
    quantity: Count
    address: Address
    coupon_id: Id | None = None  # a live coupon the caller claimed (its amount is the server's)


class CouponIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**10)]
    min_spend: Money = 0
    quantity: Count = 1
    valid_until: datetime | None = None  # none: until the session ends


async def session_state(runtime: Runtime, session_id: int, member_id: int | None = None) -> dict[str, Any]:
    """What a room page needs: the session, its shelf and pinned product, open sales, the live
    coupons (with the member's claims), comments."""
    session = await rooms.public_session(session_id)
    shelf = await rooms.shelf(session_id)
    pinned = next((card for card in shelf if card["id"] == session["pinned_product_id"]), None)
    offered = await coupons.offered(runtime, await LiveSession.get(id=session_id), member_id)
    return {"session": session, "shelf": shelf, "pinned": pinned, "sales": await sales.open_sales(session_id),
            "coupons": offered, "comments": await comments.recent(session_id)}


class LiveController(Controller):
    """What viewers do."""

    path = "/api/livestream"
    tags = ["livestream"]

    @get("/sessions", summary="Sessions live now and coming up")
    async def list_sessions(self) -> list[dict[str, Any]]:
        return await rooms.list_sessions()

    @get("/sessions/{session_id:int}", summary="A session's public state")
    async def detail(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> dict[str, Any]:
        return await session_state(runtime, session_id, request.user.id if request.user else None)

    @post("/sessions/{session_id:int}/coupons/{coupon_id:int}/claim", guards=[login_required],
          summary="Claim a live coupon (once per member: a repeated claim answers with the first)")
    async def claim(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                    coupon_id: FromPath[int]) -> Response[dict[str, Any]]:
        claim, made = await coupons.claim(runtime, request.user.id, session_id, coupon_id)
        return Response(claim, status_code=201 if made else 200)

    @post("/sessions/{session_id:int}/comments", guards=[login_required], summary="Post a live comment")
    async def comment(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                      data: JSONBody[CommentIn]) -> dict[str, Any]:
        return await comments.post(runtime, request.app.stores.get("rate_limit"), session_id, request.user, data.text)

    @post("/sessions/{session_id:int}/likes", status_code=204, summary="Like (batched taps)")
    async def like(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                   data: JSONBody[LikeIn]) -> None:
        liker = f"m{request.user.id}" if request.user else (request.client.host if request.client else "unknown")
        await rooms.like(runtime, request.app.stores.get("rate_limit"), session_id, data.count, liker)

    @get("/sessions/{session_id:int}/share", guards=[login_required], summary="The caller's personal share link")
    async def share_link(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> dict[str, str]:
        await rooms.public_session(session_id)
        return {"url": await share.link(runtime, request.user, session_id)}

    @post("/sessions/{session_id:int}/orders", guards=[login_required],
          summary="Order from the live room (the live price while its sale is open)")
    async def buy(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                  data: JSONBody[BuyIn], idempotency_key: IdempotencyKey = None) -> Response[dict[str, Any]]:
        placed = await sales.buy(runtime, request.user, session_id, data.sku_id, data.quantity,
                                 msgspec.structs.asdict(data.address), idempotency_key, data.coupon_id)
        body = await placed.detail()
        return Response(body, status_code=200 if placed.replayed else 201)


class HostController(Controller):
    """What hosts do, on their own rooms (operators with ``livestream.manage``: on every room)."""

    path = "/api/livestream"
    tags = ["livestream"]
    guards = [HOST]

    @post("/rooms", summary="Create a room hosted by the caller")
    async def create_room(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[RoomIn]) -> dict[str, Any]:
        room = await rooms.create_room(runtime, request.user.id, title=data.title, description=data.description,
                                       cover_url=data.cover_url)
        return {"id": room.id, "title": room.title, "host_id": room.host_id}

    @get("/rooms", summary="The caller's rooms")
    async def my_rooms(self, request: Request) -> list[dict[str, Any]]:
        return await Room.filter(host_id=request.user.id).order_by("id").values("id", "title", "description", "cover_url")

    @post("/rooms/{room_id:int}/sessions", summary="Schedule a session")
    async def schedule(self, request: Request, runtime: NamedDependency[Runtime], room_id: FromPath[int],
                       data: JSONBody[SessionIn]) -> dict[str, Any]:
        room = await rooms.room_for(runtime, request.user, room_id)
        session = await rooms.schedule(runtime, room, title=data.title, starts_at=data.starts_at, ends_at=data.ends_at,
                                       stream_url=data.stream_url)
        return await rooms.public_session(session.id)

    @post("/sessions/{session_id:int}/state", status_code=200, summary="Start, pause or end a session")
    async def state(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                    data: JSONBody[StateIn]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        await rooms.transition(runtime, session, data.action)
        return await rooms.public_session(session_id)

    @post("/sessions/{session_id:int}/push", status_code=200, summary="Push and pin a product for every viewer")
    async def push(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                   data: JSONBody[ProductIn]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        return await rooms.push(runtime, session, data.product_id)

    @post("/sessions/{session_id:int}/unpin", status_code=204, summary="Unpin the pinned product")
    async def unpin(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> None:
        await rooms.unpin(runtime, await rooms.session_for(runtime, request.user, session_id))

    @post("/sessions/{session_id:int}/sales", summary="Open a live flash sale (reserves its cap from the SKU)")
    async def open_sale(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                        data: JSONBody[SaleIn]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        sale = await sales.open_sale(runtime, session, sku_id=data.sku_id, live_price=data.live_price, cap=data.cap,
                                     per_member_limit=data.per_member_limit, ends_at=data.ends_at)
        return sales.sale_out(sale)

    @post("/sessions/{session_id:int}/sales/{sale_id:int}/close", status_code=200,
          summary="Close a live sale: unsold units return to the SKU")
    async def close_sale(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                         sale_id: FromPath[int]) -> dict[str, Any]:
        await rooms.session_for(runtime, request.user, session_id)
        if not await LiveSale.exists(id=sale_id, session_id=session_id):
            raise NotFound()
        returned = await sales.close(runtime, sale_id)
        if returned is None:
            raise SaleClosed()
        return {"returned": returned}

    @post("/sessions/{session_id:int}/coupons", summary="Push a live coupon to every viewer")
    async def push_coupon(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                          data: JSONBody[CouponIn]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        coupon = await coupons.push(runtime, session, amount=data.amount, min_spend=data.min_spend,
                                    quantity=data.quantity, valid_until=data.valid_until)
        return coupons.coupon_out(coupon)

    @post("/sessions/{session_id:int}/group", status_code=200, summary="Show a group's QR card (you administer it)")
    async def group(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                    data: JSONBody[GroupIn]) -> dict[str, str]:
        session = await rooms.session_for(runtime, request.user, session_id)
        code = await rooms.attach_group(runtime, request.user, session, data.group_id)
        return {"invite_code": code, "url": f"/g/{code}"}

    @delete("/sessions/{session_id:int}/comments/{comment_id:int}", status_code=204, summary="Delete a comment")
    async def delete_comment(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                             comment_id: FromPath[int]) -> None:
        await comments.delete(runtime, await rooms.session_for(runtime, request.user, session_id), comment_id)

    @post("/sessions/{session_id:int}/mutes", summary="Mute a comment's author in this room")
    async def mute(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                   data: JSONBody[MuteIn]) -> dict[str, int]:
        session = await rooms.session_for(runtime, request.user, session_id)
        return {"member_id": await comments.mute(runtime, session, data.comment_id, request.user.id)}

    @delete("/sessions/{session_id:int}/mutes/{member_id:int}", status_code=204, summary="Unmute a member")
    async def unmute(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                     member_id: FromPath[int]) -> None:
        await comments.unmute(await rooms.session_for(runtime, request.user, session_id), member_id)

    @post("/sessions/{session_id:int}/replay", status_code=204, summary="Set the replay URL of an ended session")
    async def replay(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                     data: JSONBody[ReplayIn]) -> None:
        await rooms.set_replay(runtime, await rooms.session_for(runtime, request.user, session_id), data.replay_url)

    @post("/sessions/{session_id:int}/clips", summary="Mark a product's segment of the replay")
    async def clip(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int],
                   data: JSONBody[ClipIn]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        mark = await rooms.add_clip(session, data.product_id, data.start_seconds, data.end_seconds)
        return {"id": mark.id, "product_id": mark.product_id, "start_seconds": mark.start_seconds,
                "end_seconds": mark.end_seconds}

    @get("/sessions/{session_id:int}/summary", summary="Live figures and the funnel")
    async def summary(self, request: Request, runtime: NamedDependency[Runtime], session_id: FromPath[int]) -> dict[str, Any]:
        session = await rooms.session_for(runtime, request.user, session_id)
        return {"viewers_now": session.viewers, **await funnel.figures(session)}
