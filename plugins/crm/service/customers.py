"""Customers as a viewer in a given scope sees them: lists, one customer, their timeline."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from qunshang.groups.models import GroupMembership
from qunshang.members.models import Member
from qunshang.orders.models import Order

from ..errors import CustomerNotFound
from ..models import Customer, CustomerTag
from . import assignment, followups, tags
from .access import Scope

FIELDS = ("member_id", "owner_id", "owned_at", "protected_until", "source", "region", "registered_at", "orders_count",
          "paid_total", "last_order_at", "last_follow_up_at", "next_follow_up_at")


async def visible(scope: Scope, member_id: int) -> Customer:
    """The customer if the viewer may see them; otherwise they do not exist (404)."""
    row = await Customer.get_or_none(member_id=member_id)
    if row is None or not scope.sees_owner(row.owner_id):
        raise CustomerNotFound()
    return row


async def set_region(customer: Customer, region: str) -> None:
    """The customer's region, matched by region routing rules (staff may correct the one from the first order)."""
    await Customer.filter(id=customer.id).update(region=region)


async def _people(ids: set[int]) -> dict[int, dict[str, Any]]:
    return {m["id"]: m for m in await Member.filter(id__in=list(ids)).values("id", "display_name", "login", "level")}


async def listing(scope: Scope, *, q: str | None = None, tag: str | None = None, stage: str | None = None,
                  owner_id: int | None = None, pool: bool = False, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    query = Customer.filter(scope.customer_filter())
    if pool:
        query = query.filter(owner_id=None)
    elif owner_id is not None:
        query = query.filter(owner_id=owner_id)
    if tag:
        query = query.filter(member_id__in=Subquery(CustomerTag.filter(tag=tag).values("customer_id")))
    if q or stage:
        members = Member.all()
        if q:
            members = members.filter(Q(display_name__icontains=q) | Q(login__icontains=q))
        if stage:
            members = members.filter(level=stage)
        query = query.filter(member_id__in=Subquery(members.values("id")))
    rows = await query.order_by("-id").offset(offset).limit(limit + 1).values(*FIELDS)
    people = await _people({r["member_id"] for r in rows} | {r["owner_id"] for r in rows if r["owner_id"]})
    items = [_with_names(r, people) for r in rows[:limit]]
    return {"items": items, "has_more": len(rows) > limit, "limit": limit, "offset": offset}


def _with_names(row: dict[str, Any], people: dict[int, dict[str, Any]]) -> dict[str, Any]:
    me = people.get(row["member_id"], {})
    return {**row, "name": me.get("display_name", ""), "login": me.get("login", ""), "stage": str(me.get("level", "user")),
            "owner_name": people.get(row["owner_id"], {}).get("display_name", "") if row["owner_id"] else ""}


async def detail(scope: Scope, member_id: int) -> dict[str, Any]:
    row = await visible(scope, member_id)
    data = {f: getattr(row, f) for f in FIELDS}
    people = await _people({row.member_id} | ({row.owner_id} if row.owner_id else set()))
    return {**_with_names(data, people), "tags": await tags.tags_of(member_id)}


async def timeline(member_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Orders, groups joined, follow-ups and ownership changes, newest first."""
    events: list[dict[str, Any]] = []
    for o in await Order.filter(member_id=member_id).order_by("-placed_at").limit(limit).values(
            "id", "number", "status", "total", "placed_at", "paid_at"):
        events.append({"type": "order", "at": o["paid_at"] or o["placed_at"], "order_id": o["id"], "number": o["number"],
                       "status": str(o["status"]), "total": o["total"]})
    for g in await GroupMembership.filter(member_id=member_id, joined_at__not_isnull=True).order_by("-joined_at").limit(
            limit).values("group_id", "group__name", "joined_at", "status"):
        events.append({"type": "group", "at": g["joined_at"], "group_id": g["group_id"], "group": g["group__name"],
                       "status": str(g["status"])})
    for f in await followups.for_customer(member_id, limit):
        events.append({"type": "follow_up", **f, "kind": str(f["kind"])})
    for a in await assignment.history(member_id, limit):
        events.append({"type": "assignment", **a, "kind": str(a["kind"])})
    events.sort(key=lambda e: e["at"], reverse=True)
    return events[:limit]
