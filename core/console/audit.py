"""Record console writes. Call :func:`record` inside the transaction of the write it describes."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request

from .models import AuditEntry


def _plain(value: Any) -> Any:
    """JSON-safe copy (dates and enums as text)."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


async def record(
    request: Request, action: str, target_type: str, target_id: Any, *, before: Any = None, after: Any = None
) -> AuditEntry:
    actor = request.user
    return await AuditEntry.create(
        actor_id=getattr(actor, "id", None), actor_login=getattr(actor, "login", ""), action=action,
        target_type=target_type, target_id=str(target_id), before=_plain(before), after=_plain(after),
        at=request.app.state.runtime.now(), ip=request.client.host if request.client else "",
    )


async def search(
    *, action: str | None = None, target_type: str | None = None, target_id: str | None = None,
    actor_id: int | None = None, limit: int = 50, offset: int = 0,
) -> dict[str, Any]:
    query = AuditEntry.all()
    if action:
        query = query.filter(action__startswith=action)
    if target_type:
        query = query.filter(target_type=target_type)
    if target_id:
        query = query.filter(target_id=target_id)
    if actor_id is not None:
        query = query.filter(actor_id=actor_id)
    rows = await query.order_by("-id").offset(offset).limit(limit + 1)
    return {"items": rows[:limit], "has_more": len(rows) > limit, "limit": limit, "offset": offset}
