"""Follow-ups and the "today" list: what each salesperson must do today, and what is overdue."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from tortoise.transactions import in_transaction

from qunshang.members.models import Member

from ..errors import NaiveTime, NotClaimed
from ..models import Customer, FollowUp, FollowUpKind
from .assignment import customer_of

NOTE_MAX = 500


def day_bounds(runtime: Any, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The start and end of the business day (the deployment's ``[app] timezone``) containing ``now``."""
    zone = runtime.tz
    local = (now or runtime.now()).astimezone(zone)
    start = datetime.combine(local.date(), time(), tzinfo=zone)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


async def add(runtime: Any, author_id: int, member_id: int, kind: FollowUpKind, note: str = "",
              next_at: datetime | None = None) -> FollowUp:
    """Record a follow-up on an owned customer; the owner's protection restarts, the next
    follow-up date is replaced."""
    if next_at is not None and next_at.tzinfo is None:
        raise NaiveTime()
    now = runtime.now()
    next_at = next_at.astimezone(timezone.utc) if next_at is not None else None  # stored in UTC: compared as text on SQLite
    customer = await customer_of(member_id)
    if customer.owner_id is None:
        raise NotClaimed()
    changes: dict[str, Any] = {"last_follow_up_at": now, "next_follow_up_at": next_at}
    if customer.owner_id == author_id:
        changes["protected_until"] = now + timedelta(days=runtime.settings("crm").protection_days)
    async with in_transaction():
        row = await FollowUp.create(customer_id=member_id, salesperson_id=author_id, kind=kind, note=note[:NOTE_MAX],
                                    next_at=next_at, due_by=day_bounds(runtime, next_at)[1] if next_at else None, at=now)
        await Customer.filter(id=customer.id).update(**changes)
    return row


async def for_customer(member_id: int, limit: int = 100) -> list[dict[str, Any]]:
    return await FollowUp.filter(customer_id=member_id).order_by("-at", "-id").limit(limit).values(
        "id", "salesperson_id", "kind", "note", "next_at", "at")


async def today(runtime: Any, owner_id: int) -> dict[str, list[dict[str, Any]]]:
    """The owner's customers with a follow-up due today (``due``) or before today (``overdue``)."""
    start, end = day_bounds(runtime)
    rows = await Customer.filter(owner_id=owner_id, next_follow_up_at__lt=end).order_by("next_follow_up_at", "id").values(
        "member_id", "next_follow_up_at", "last_follow_up_at")
    names = dict(await Member.filter(id__in=[r["member_id"] for r in rows]).values_list("id", "display_name"))
    out: dict[str, list[dict[str, Any]]] = {"overdue": [], "due": []}
    for r in rows:
        r["name"] = names.get(r["member_id"], "")
        out["due" if r["next_follow_up_at"] >= start else "overdue"].append(r)
    return out
