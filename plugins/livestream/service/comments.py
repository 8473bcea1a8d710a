"""Live comments: members only, length-capped, rate-limited per member, muted members refused,
deleted by the host. Text is stored as typed and escaped wherever it is shown (Jinja2
autoescape on the page, ``textContent`` in the page's script)."""

from __future__ import annotations

import unicodedata
from typing import Any

from litestar.stores.base import Store

from qunshang.errors import NotFound

from .. import realtime
from ..errors import CommentInvalid, Muted, SessionStateError, TooFast
from ..models import Comment, LiveSession, Mute, SessionStatus
from . import throttle

RECENT = 50


def clean(text: Any, limit: int) -> str:
    """Trimmed text without control characters; :class:`CommentInvalid` if empty or too long."""
    if not isinstance(text, str):
        raise CommentInvalid(limit=limit)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch == "\n").strip()
    if not text or len(text) > limit:
        raise CommentInvalid(limit=limit)
    return text


async def post(runtime, store: Store, session_id: int, member, text: Any) -> dict[str, Any]:
    settings = runtime.settings("livestream")
    text = clean(text, settings.comment_max_length)
    session = await LiveSession.get_or_none(id=session_id)
    if session is None:
        raise NotFound()
    if session.status not in (SessionStatus.LIVE, SessionStatus.PAUSED):
        raise SessionStateError(state=str(session.status))
    if await Mute.exists(room_id=session.room_id, member_id=member.id):
        raise Muted()
    await throttle.once_per(store, f"livestream:comment:{member.id}", settings.comment_interval_seconds, TooFast)
    comment = await Comment.create(session_id=session_id, member_id=member.id, text=text, created_at=runtime.now())
    out = {"id": comment.id, "member": member.display_name, "text": text, "at": comment.created_at.isoformat()}
    await realtime.publish(runtime, session_id, {"type": "comment", "comment": out})
    return out


async def recent(session_id: int, limit: int = RECENT) -> list[dict[str, Any]]:
    rows = await Comment.filter(session_id=session_id, deleted=False).order_by("-id").limit(limit).values(
        "id", "text", "created_at", "member_id", member="member__display_name")
    return [{"id": r["id"], "member": r["member"], "member_id": r["member_id"], "text": r["text"],
             "at": r["created_at"].isoformat()} for r in reversed(rows)]


async def delete(runtime, session: LiveSession, comment_id: int) -> None:
    if not await Comment.filter(id=comment_id, session_id=session.id, deleted=False).update(deleted=True):
        raise NotFound()
    await realtime.publish(runtime, session.id, {"type": "comment_deleted", "ids": [comment_id]})


async def mute(runtime, session: LiveSession, comment_id: int, by_id: int) -> int:
    """Mute the author of a comment in this session from the whole room, hiding their comments
    here; returns their member id."""
    comment = await Comment.get_or_none(id=comment_id, session_id=session.id)
    if comment is None:
        raise NotFound()
    await Mute.bulk_create([Mute(room_id=session.room_id, member_id=comment.member_id, by_id=by_id,
                                 created_at=runtime.now())], ignore_conflicts=True)
    hidden = Comment.filter(session_id=session.id, member_id=comment.member_id, deleted=False)
    ids = await hidden.values_list("id", flat=True)
    await Comment.filter(id__in=ids).update(deleted=True)
    await realtime.publish(runtime, session.id, {"type": "comment_deleted", "ids": ids})
    return comment.member_id


async def unmute(session: LiveSession, member_id: int) -> None:
    if not await Mute.filter(room_id=session.room_id, member_id=member_id).delete():
        raise NotFound()
