"""Ownership: invites, assignment rules with capacity caps, claims, manual reassignment and the
release of lapsed customers to the pool.

Every change is two conditional updates in one transaction: the new owner's ``load`` goes up
only while under their cap (``… WHERE load < cap``), and the customer changes hands only if
its owner is still the one we saw (``… WHERE owner_id IS NULL`` or ``= old``). Whoever loses a
race changes no row and rolls back, so a lead is assigned once and a cap is never passed, on
SQLite and PostgreSQL alike.

Choosing a salesperson (deterministic): routing rules first (by ``position`` then id, the first
that matches — the customer has the tag, their region starts with the rule's value (``浙江``
matches ``浙江省杭州市``), or their source equals it — and has a salesperson with room), then the
strategy over all salespeople: ``least_loaded`` orders by current load, then by who received
an assignment longest ago, then by salesperson id; ``round_robin`` orders by who received an
assignment longest ago, then by id; ``pool`` leaves the customer unowned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F, Subquery
from tortoise.transactions import in_transaction

from qunshang.members.models import Member, MemberRole

from ..errors import AlreadyOwned, AtCapacity, CustomerNotFound, NotASalesperson, Protected
from ..models import AssignKind, Assignment, Customer, CustomerTag, Route, Salesperson
from . import salespeople, sql
from .salespeople import ROLE

CANDIDATES = 8
RELEASE_BATCH = 500


def _cap_sql(default: int | None) -> tuple[str, list[Any]]:
    """The condition "has room" on ``crm_salesperson`` aliased ``s``."""
    if default is None:
        return "(s.capacity IS NULL OR s.load < s.capacity)", []
    return "(s.load < COALESCE(s.capacity, ?))", [default]


async def candidates(runtime: Any, strategy: str, only: list[int] | None = None, limit: int = CANDIDATES) -> list[int]:
    """Member ids of salespeople with room, best first (see the module docs for the order)."""
    cap, params = _cap_sql(runtime.settings("crm").default_capacity)
    order = "s.load, s.last_assignment_id, s.id" if strategy == "least_loaded" else "s.last_assignment_id, s.id"
    where = ""
    if only is not None:
        if not only:
            return []
        where = f" AND s.member_id IN ({', '.join('?' * len(only))})"
        params = [*params, *only]
    rows = await sql.rows(Salesperson, f"""
        SELECT s.member_id FROM {sql.table(Salesperson)} s
        JOIN {sql.table(MemberRole)} r ON r.member_id = s.member_id AND r.role = ?
        JOIN {sql.table(Member)} m ON m.id = s.member_id AND m.is_active = ?
        WHERE s.disabled = ? AND {cap}{where}
        ORDER BY {order} LIMIT ?""", [ROLE, True, False, *params, limit])
    return [r["member_id"] for r in rows]


async def _reserve(runtime: Any, owner_id: int, capped: bool) -> bool:
    """One more customer for ``owner_id`` if under their cap, when ``capped`` (a conditional update)."""
    cap, params = _cap_sql(runtime.settings("crm").default_capacity) if capped else ("1 = 1", [])
    return bool(await sql.run(Salesperson, f"""
        UPDATE {sql.table(Salesperson)} SET load = load + 1
        WHERE member_id = ? AND disabled = ? AND {cap.replace('s.', '')}""", [owner_id, False, *params]))


async def _move(runtime: Any, customer: Customer, to: int | None, kind: AssignKind, *, reason: str = "",
                actor_id: int | None = None, lapsed_only: bool = False) -> Assignment:
    """Hand ``customer`` from the owner we saw to ``to``; inside the caller's transaction. Caps
    apply to every kind but invites: a customer a salesperson brought in personally is theirs."""
    now = runtime.now()
    old = customer.owner_id
    if to is not None and not await _reserve(runtime, to, capped=kind != AssignKind.INVITE):
        raise AtCapacity()
    query = Customer.filter(id=customer.id, owner_id=old)
    if lapsed_only and old is not None:
        query = query.filter(protected_until__lt=now)
    protected = now + timedelta(days=runtime.settings("crm").protection_days) if to is not None else None
    if not await query.update(owner_id=to, owned_at=now if to else None, protected_until=protected):
        raise AlreadyOwned()
    if to is not None and customer.first_owner_id is None:
        await Customer.filter(id=customer.id, first_owner_id=None).update(first_owner_id=to)
        customer.first_owner_id = to
    if old is not None:
        await Salesperson.filter(member_id=old, load__gt=0).update(load=F("load") - 1)
    entry = await Assignment.create(customer_id=customer.member_id, from_owner_id=old, to_owner_id=to, kind=kind,
                                    reason=reason[:200], actor_id=actor_id, at=now)
    if to is not None:
        await Salesperson.filter(member_id=to).update(last_assignment_id=entry.id)
    customer.owner_id, customer.protected_until = to, protected
    return entry


async def customer_of(member_id: int) -> Customer:
    row = await Customer.get_or_none(member_id=member_id)
    if row is None:
        raise CustomerNotFound()
    return row


async def ensure_customer(runtime: Any, member_id: int, source: str = "", *, registering: bool = False) -> Customer:
    """The member's CRM record: made at registration (``registering``: registered now, by the
    runtime's clock), or on first use for members who registered before the CRM was enabled."""
    row = await Customer.get_or_none(member_id=member_id)
    if row is not None:
        return row
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise CustomerNotFound()
    row, _ = await Customer.get_or_create(member_id=member_id, defaults={
        "source": source or str((member.registered_via or {}).get("source", "")),
        "registered_at": runtime.now() if registering else member.created_at})
    return row


async def take_by_invite(runtime: Any, customer: Customer, owner_id: int) -> Assignment:
    async with in_transaction():
        return await _move(runtime, customer, owner_id, AssignKind.INVITE)


async def _routes_for(customer: Customer) -> list[list[int]]:
    """The salesperson lists of the routing rules the customer matches, in rule order."""
    routes = await Route.all().order_by("position", "id")
    if not routes:
        return []
    tags = set(await CustomerTag.filter(customer_id=customer.member_id).values_list("tag", flat=True))
    matched = []
    for route in routes:
        if (route.match == "tag" and route.value in tags) or (route.match == "source" and route.value == customer.source) \
                or (route.match == "region" and customer.region.startswith(route.value)):
            matched.append([int(i) for i in route.salesperson_ids])
    return matched


async def assign(runtime: Any, member_id: int, *, actor_id: int | None = None) -> int | None:
    """Assign an unowned customer by the rules; the new owner's member id, or ``None`` (pool)."""
    strategy = runtime.settings("crm").strategy
    customer = await customer_of(member_id)
    if customer.owner_id is not None:
        raise AlreadyOwned()
    pools = [*await _routes_for(customer), *([None] if strategy != "pool" else [])]
    for only in pools:
        for owner in await candidates(runtime, "least_loaded" if strategy == "pool" else strategy, only):
            try:
                async with in_transaction():
                    await _move(runtime, customer, owner, AssignKind.RULE, actor_id=actor_id)
                return owner
            except AtCapacity:  # filled up since we looked: next candidate
                continue
    return None


async def assign_pool(runtime: Any, limit: int = 1000, *, actor_id: int | None = None) -> int:
    """Run the rules over unowned customers who are not staff (oldest first); how many were assigned."""
    assigned = 0
    staff = Subquery(MemberRole.all().values("member_id"))
    pool = Customer.filter(owner_id=None).exclude(member_id__in=staff).order_by("id").limit(limit)
    for member_id in await pool.values_list("member_id", flat=True):
        try:
            if await assign(runtime, member_id, actor_id=actor_id) is not None:
                assigned += 1
        except AlreadyOwned:
            continue
    return assigned


async def claim(runtime: Any, salesperson_id: int, member_id: int) -> Assignment:
    """A salesperson takes a pool customer, or one whose protection has lapsed."""
    if not await salespeople.is_active_salesperson(salesperson_id):
        raise NotASalesperson()
    customer = await customer_of(member_id)
    if customer.owner_id == salesperson_id:
        raise AlreadyOwned()
    if customer.owner_id is not None and customer.protected_until and customer.protected_until >= runtime.now():
        raise Protected(until=customer.protected_until.date().isoformat())
    async with in_transaction():
        return await _move(runtime, customer, salesperson_id, AssignKind.CLAIM, actor_id=salesperson_id, lapsed_only=True)


async def reassign(runtime: Any, member_id: int, to: int | None, reason: str, actor_id: int) -> Assignment:
    """A manager moves a customer to another salesperson (``None``: back to the pool)."""
    customer = await customer_of(member_id)
    if to is not None:
        await salespeople.ensure(runtime, to)
    if to == customer.owner_id:
        raise AlreadyOwned()
    async with in_transaction():
        return await _move(runtime, customer, to, AssignKind.MANUAL, reason=reason, actor_id=actor_id)


async def release_lapsed(runtime: Any) -> int:
    """Return customers whose protection lapsed without follow-up to the pool (job crm.release)."""
    if not runtime.settings("crm").release_to_pool:
        return 0
    released = 0
    now: datetime = runtime.now()
    for customer in await Customer.filter(owner_id__not_isnull=True, protected_until__lt=now).order_by("id").limit(RELEASE_BATCH):
        try:
            async with in_transaction():
                await _move(runtime, customer, None, AssignKind.RELEASE, lapsed_only=True)
            released += 1
        except AlreadyOwned:  # followed up or moved meanwhile
            continue
    return released


async def history(member_id: int, limit: int = 100) -> list[dict[str, Any]]:
    return await Assignment.filter(customer_id=member_id).order_by("-id").limit(limit).values(
        "id", "from_owner_id", "to_owner_id", "kind", "reason", "actor_id", "at")
