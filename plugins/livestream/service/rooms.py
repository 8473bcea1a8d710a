"""Rooms and sessions: the session state machine, the shelf and the pinned product, replays.

States: ``scheduled → live ⇄ paused → ended`` (a scheduled session may also be ended, i.e.
cancelled). Each transition is one conditional ``UPDATE … WHERE status IN (…)``, so of two
concurrent clicks one wins. Pushing needs a live session and a published product; pushing
pins the product (one pinned product at a time, a column of the session) and tells every viewer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar.stores.base import Store
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from qunshang.catalog.models import Product, ProductStatus
from qunshang.errors import InvalidInput, NotFound
from qunshang.groups import service as groups
from qunshang.web.guards import has_permission

from .. import realtime
from ..errors import LikesTooFast, ProductNotPublished, SessionStateError
from ..models import ClipMark, LiveSession, Room, SessionStatus, ShelfItem
from . import sales, throttle
from .sales import require_on_shelf

S = SessionStatus
MANAGE_ALL = "livestream.manage"
URL_PREFIXES = ("https://", "http://")
TRANSITIONS: dict[str, tuple[tuple[SessionStatus, ...], SessionStatus]] = {
    "start": ((S.SCHEDULED, S.PAUSED), S.LIVE),
    "pause": ((S.LIVE,), S.PAUSED),
    "end": ((S.SCHEDULED, S.LIVE, S.PAUSED), S.ENDED),
}


def _text(value: Any, name: str, max_length: int, *, required: bool = True) -> str:
    if not isinstance(value, str) or len(value) > max_length or (required and not value.strip()):
        raise InvalidInput(detail="{field} must be text of 1 to {max_length} characters", field=name, max_length=max_length)
    return value.strip()


def _url(value: Any, name: str) -> str:
    value = _text(value, name, 500, required=False)
    if value and not value.startswith(URL_PREFIXES):
        raise InvalidInput(detail="{field} must be an http(s) URL", field=name)
    return value


async def create_room(runtime, host_id: int, *, title: str, description: str = "", cover_url: str = "") -> Room:
    return await Room.create(
        title=_text(title, "title", 100), description=_text(description, "description", 2000, required=False),
        cover_url=_url(cover_url, "cover_url"), host_id=host_id, created_at=runtime.now(),
    )


async def room_for(runtime, actor, room_id: int) -> Room:
    """The room, if ``actor`` hosts it or may manage every room; else :class:`NotFound`."""
    room = await Room.get_or_none(id=room_id)
    if room is None or (room.host_id != actor.id and not await has_permission(runtime, actor.id, MANAGE_ALL)):
        raise NotFound()
    return room


async def session_for(runtime, actor, session_id: int) -> LiveSession:
    session = await LiveSession.get_or_none(id=session_id)
    if session is None:
        raise NotFound()
    await room_for(runtime, actor, session.room_id)
    return session


async def schedule(
    runtime, room: Room, *, title: str, starts_at: datetime, ends_at: datetime, stream_url: str = ""
) -> LiveSession:
    """A session starting in the future and lasting at most ``max_duration_hours``."""
    limit = timedelta(hours=runtime.settings("livestream").max_duration_hours)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput(detail="times need a timezone")
    if starts_at <= runtime.now():
        raise InvalidInput(detail="a session starts in the future")
    if not timedelta(minutes=5) <= ends_at - starts_at <= limit:
        raise InvalidInput(
            detail="a session lasts from 5 minutes to {hours} hours", hours=f"{limit.total_seconds() / 3600:g}"
        )
    return await LiveSession.create(
        room_id=room.id, title=_text(title, "title", 100), scheduled_start=starts_at, scheduled_end=ends_at,
        stream_url=_url(stream_url, "stream_url"),
    )


async def transition(runtime, session: LiveSession, action: str) -> LiveSession:
    if action not in TRANSITIONS:
        raise InvalidInput(detail="action must be one of {choices}", choices=", ".join(TRANSITIONS))
    sources, target = TRANSITIONS[action]
    now = runtime.now()
    changes: dict[str, Any] = {"status": target}
    if target == S.ENDED:
        changes |= {"ended_at": now, "viewers": 0, "pinned_product_id": None}
    async with realtime.deferred(runtime), in_transaction():
        if action == "start":
            await LiveSession.filter(id=session.id, started_at=None).update(started_at=now)
        if not await LiveSession.filter(id=session.id, status__in=list(sources)).update(**changes):
            current = await LiveSession.get(id=session.id)
            raise SessionStateError(state=str(current.status))
        if target == S.ENDED:
            await sales.close_all(runtime, session.id)  # the sales close with their session
    session = await LiveSession.get(id=session.id)
    await realtime.publish(runtime, session.id, {"type": "status", "status": str(session.status)})
    return session


async def _require_live(session_id: int) -> LiveSession:
    session = await LiveSession.get(id=session_id)
    if session.status != S.LIVE:
        raise SessionStateError(state=str(session.status))
    return session


async def product_card(product_id: int) -> dict[str, Any] | None:
    return await Product.filter(id=product_id).first().values("id", "title", "price", "images", "status")


async def push(runtime, session: LiveSession, product_id: int) -> dict[str, Any]:
    """Put a published product on the shelf and pin it for every viewer."""
    await _require_live(session.id)
    card = await product_card(product_id)
    if card is None or card["status"] != ProductStatus.PUBLISHED:
        raise ProductNotPublished()
    async with in_transaction():
        await ShelfItem.bulk_create(
            [ShelfItem(session_id=session.id, product_id=product_id, pushed_at=runtime.now())], ignore_conflicts=True
        )
        if not await LiveSession.filter(id=session.id, status=S.LIVE).update(pinned_product_id=product_id):
            raise SessionStateError(state=str((await LiveSession.get(id=session.id)).status))
    event = {"type": "pinned", "product": _public(card)}
    await realtime.publish(runtime, session.id, event)
    return event


async def pinned_card(session_id: int) -> dict[str, Any] | None:
    """The pinned product as viewers see it (``None`` if nothing is pinned)."""
    pinned = await LiveSession.filter(id=session_id).values_list("pinned_product_id", flat=True)
    card = await product_card(pinned[0]) if pinned and pinned[0] else None
    return _public(card) if card else None


async def unpin(runtime, session: LiveSession) -> None:
    await LiveSession.filter(id=session.id).update(pinned_product_id=None)
    await realtime.publish(runtime, session.id, {"type": "pinned", "product": None})


def _public(card: dict[str, Any]) -> dict[str, Any]:
    images = card.get("images") or []
    return {"id": card["id"], "title": card["title"], "price": card["price"], "image": images[0] if images else "",
            "url": f"/p/{card['id']}"}


async def shelf(session_id: int) -> list[dict[str, Any]]:
    ids = await ShelfItem.filter(session_id=session_id).order_by("-pushed_at", "-id").values_list("product_id", flat=True)
    cards = {c["id"]: c for c in await Product.filter(id__in=ids, status=ProductStatus.PUBLISHED).values(
        "id", "title", "price", "images", "status")}
    return [_public(cards[i]) for i in ids if i in cards]


async def like(runtime, store: Store, session_id: int, count: int, liker: str) -> None:
    """Add up to 20 likes at once (a viewer's taps, batched by the page), one batch per second
    per ``liker`` (a member, or an anonymous viewer's address)."""
    if not isinstance(count, int) or not 1 <= count <= 20:
        raise InvalidInput(detail="count must be an integer from 1 to 20")
    await _require_live(session_id)
    await throttle.once_per(store, f"livestream:like:{session_id}:{liker}", 1, LikesTooFast)
    await LiveSession.filter(id=session_id).update(likes=F("likes") + count)
    realtime.touch(runtime, session_id)


async def viewer_joined(runtime, session_id: int) -> None:
    await LiveSession.filter(id=session_id).update(viewers=F("viewers") + 1)
    await LiveSession.filter(id=session_id, viewers__gt=F("peak_viewers")).update(peak_viewers=F("viewers"))
    realtime.touch(runtime, session_id)


async def viewer_left(runtime, session_id: int) -> None:
    await LiveSession.filter(id=session_id, viewers__gt=0).update(viewers=F("viewers") - 1)
    realtime.touch(runtime, session_id)


async def stats(session_id: int) -> dict[str, Any]:
    row = await LiveSession.filter(id=session_id).first().values("viewers", "peak_viewers", "likes")
    return row or {"viewers": 0, "peak_viewers": 0, "likes": 0}


async def attach_group(runtime, actor, session: LiveSession, group_id: int) -> str:
    """Show a group's QR card: a core invite recorded with ``via="livestream"`` (the actor must
    administer the group)."""
    invite = await groups.create_invite(runtime, actor, group_id, via="livestream")
    await LiveSession.filter(id=session.id).update(group_invite_code=invite.code)
    await realtime.publish(runtime, session.id, {"type": "group", "url": f"/g/{invite.code}"})
    return invite.code


async def set_replay(runtime, session: LiveSession, replay_url: str) -> None:
    if session.status != S.ENDED:
        raise SessionStateError(state=str(session.status))
    await LiveSession.filter(id=session.id).update(replay_url=_url(replay_url, "replay_url"))


async def add_clip(session: LiveSession, product_id: int, start: int, end: int) -> ClipMark:
    """A product's segment of the replay: ``0 <= start < end``, on the session's shelf."""
    if session.status != S.ENDED:
        raise SessionStateError(state=str(session.status))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)) or not 0 <= start < end <= 86_400:
        raise InvalidInput(detail="a clip runs from start to end seconds, 0 <= start < end <= 86400")
    await require_on_shelf(session.id, product_id)
    return await ClipMark.create(session_id=session.id, product_id=product_id, start_seconds=start, end_seconds=end)


async def clips_for_product(product_id: int) -> list[dict[str, Any]]:
    """Replay segments explaining a product, newest session first (the product page's slot)."""
    return await ClipMark.filter(product_id=product_id, session__status=S.ENDED).exclude(session__replay_url="").order_by(
        "-session_id", "start_seconds").limit(6).values(
        "start_seconds", "end_seconds", "session_id", title="session__title", replay_url="session__replay_url")


async def public_session(session_id: int) -> dict[str, Any]:
    row = await LiveSession.filter(id=session_id).first().values(
        "id", "title", "status", "scheduled_start", "scheduled_end", "stream_url", "replay_url", "pinned_product_id",
        "group_invite_code", "viewers", "likes", "room_id", room_title="room__title", room_description="room__description",
        room_cover="room__cover_url")
    if row is None:
        raise NotFound()
    return row


async def list_sessions(*, statuses: tuple[SessionStatus, ...] = (S.LIVE, S.PAUSED, S.SCHEDULED), room_ids=None, limit=50):
    query = LiveSession.filter(status__in=list(statuses))
    if room_ids is not None:
        query = query.filter(room_id__in=list(room_ids))
    return await query.order_by("scheduled_start", "id").limit(limit).values(
        "id", "title", "status", "scheduled_start", "room_id", room_title="room__title")
