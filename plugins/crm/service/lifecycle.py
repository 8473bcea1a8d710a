"""Lifecycle stages from behaviour, kept as the member's core level.

``user`` (registered) → ``member`` (a paid order or a group joined) → ``fan`` (repeat orders,
``fan_min_orders``, or active in groups, ``fan_min_groups``) → ``loyal_fan`` (recency,
frequency and monetary value all at their thresholds, bounds inclusive). Stages change only
through ``qunshang.members.service.set_level``, so ``member_level_changed`` fires for other
plugins and themes. Events only promote; a loyal fan who stops ordering falls back when the
sweep (job ``crm.lifecycle``) sees it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Q, Subquery

from qunshang.members import service as members
from qunshang.members.models import Level, Member

from ..models import Customer, Sale
from ..settings import Thresholds
from .assignment import ensure_customer

SWEEP_BATCH = 1000


def stage_of(orders: int, spend: int, groups: int, last_order_at: datetime | None, now: datetime,
             t: Thresholds) -> Level:
    recent = last_order_at is not None and last_order_at >= now - timedelta(days=t.loyal_recency_days)
    if orders >= t.loyal_min_orders and spend >= t.loyal_min_spend and recent:
        return Level.LOYAL_FAN
    if orders >= t.fan_min_orders or groups >= t.fan_min_groups:
        return Level.FAN
    if orders >= 1 or groups >= 1:
        return Level.MEMBER
    return Level.USER


async def refresh(runtime: Any, member_id: int, reason: str, *, promote_only: bool = True) -> Level | None:
    """Recompute one customer's stage and move their level to it; the stage.

    Events (an order, a group) only promote, so a level set by hand or imported is not
    lowered by one order; the daily sweep (``promote_only=False``) lets loyal fans fall back.
    """
    settings = runtime.settings("crm")
    c = await Customer.get_or_none(member_id=member_id)
    if c is None:
        return None
    stage = stage_of(c.orders_count, c.paid_total, c.groups_joined, c.last_order_at, runtime.now(), settings.thresholds)
    if settings.manage_levels:
        member = await Member.get(id=member_id)
        order = list(Level)
        if member.level != stage and not (promote_only and order.index(stage) < order.index(Level(member.level))):
            await members.set_level(runtime, member, stage.value, reason)
    return stage


async def record_order(runtime: Any, order: Any) -> None:
    """Credit a paid order to the buyer's owner now (once: a replay hits the unique order id),
    count it (atomic increments), note the buyer's region, recompute their stage."""
    customer = await ensure_customer(runtime, order.member_id)
    paid_at = order.paid_at or runtime.now()
    await Sale.create(order_id=order.id, customer_id=order.member_id, owner_id=customer.owner_id, total=order.total,
                      paid_at=paid_at)
    await Customer.filter(id=customer.id).update(
        orders_count=F("orders_count") + 1, paid_total=F("paid_total") + order.total, last_order_at=paid_at)
    await Customer.filter(id=customer.id, first_order_at=None).update(first_order_at=paid_at)
    region = str((order.address or {}).get("region", "")).strip()[:32]
    if region:  # the first shipping region known becomes the customer's region (staff may change it)
        await Customer.filter(id=customer.id, region="").update(region=region)
    await refresh(runtime, order.member_id, "order paid")


async def record_refund(order: Any, amount: int) -> None:
    """Reverse a refund's share of what ``record_order`` credited: the sale's GMV and the buyer's spend."""
    await Sale.filter(order_id=order.id).update(refunded=F("refunded") + amount)
    await Customer.filter(member_id=order.member_id).update(paid_total=F("paid_total") - amount)


async def record_group_join(runtime: Any, member_id: int) -> None:
    customer = await ensure_customer(runtime, member_id)
    await Customer.filter(id=customer.id).update(groups_joined=F("groups_joined") + 1)
    await refresh(runtime, member_id, "joined a group")


async def sweep(runtime: Any) -> int:
    """Demote loyal fans whose last order is now too long ago (job crm.lifecycle)."""
    settings = runtime.settings("crm")
    if not settings.manage_levels:
        return 0
    cutoff = runtime.now() - timedelta(days=settings.thresholds.loyal_recency_days)
    loyal = Subquery(Member.filter(level=Level.LOYAL_FAN).values("id"))
    ids = await Customer.filter(Q(last_order_at__lt=cutoff) | Q(last_order_at=None), member_id__in=loyal).limit(
        SWEEP_BATCH).values_list("member_id", flat=True)
    for member_id in ids:
        await refresh(runtime, member_id, "no recent order", promote_only=False)
    return len(ids)
