"""Dormant customers: no paid order in ``dormant_days`` — a reactivation list for their owners,
each with the reason and a suggested action by lifecycle stage, the longest idle first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Coalesce

from qunshang.members.models import Member

from ..models import Customer
from .access import Scope

ACTIONS = {
    "loyal_fan": "Call them personally and offer a loyal-fan privilege.",
    "fan": "Send a member-only offer on what they bought before.",
    "member": "Recommend new arrivals in their favourite category.",
    "user": "Invite them to a group and send a first-order coupon.",
}


async def listing(runtime: Any, scope: Scope, *, owner_id: int | None = None, limit: int = 50,
                  offset: int = 0) -> dict[str, Any]:
    now = runtime.now()
    days = runtime.settings("crm").dormant_days
    cutoff = now - timedelta(days=days)
    query = Customer.filter(scope.customer_filter()).filter(
        Q(last_order_at__lt=cutoff) | Q(last_order_at=None, registered_at__lt=cutoff)).annotate(
        idle_since=Coalesce("last_order_at", F("registered_at")))
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    rows = await query.order_by("idle_since", "id").offset(offset).limit(limit + 1).values(
        "member_id", "owner_id", "last_order_at", "registered_at", "orders_count")
    people = {m["id"]: m for m in await Member.filter(
        id__in=[r["member_id"] for r in rows] + [r["owner_id"] for r in rows if r["owner_id"]]).values("id", "display_name", "level")}
    items = []
    for r in rows[:limit]:
        level = str(people.get(r["member_id"], {}).get("level", "user"))
        since = r["last_order_at"] or r["registered_at"]
        items.append({
            **r, "name": people.get(r["member_id"], {}).get("display_name", ""),
            "owner_name": people.get(r["owner_id"], {}).get("display_name", "") if r["owner_id"] else "",
            "stage": level, "idle_days": (now - since).days,
            "reason": "no_order_since_registration" if r["last_order_at"] is None else "no_order",
            "suggested_action": ACTIONS.get(level, ACTIONS["user"]),
        })
    return {"items": items, "has_more": len(rows) > limit, "limit": limit, "offset": offset, "days": days}
