"""Team queries over the closure table: a bounded number of queries whatever the team size."""

from __future__ import annotations

from typing import Any

from tortoise.functions import Count

from qunshang.errors import NotFound
from qunshang.members.models import Member
from qunshang.orders.models import Order

from .. import sql
from ..models import Binding, TreePath
from .distributors import SPENDING
from .tree import uplines


async def level_counts(member_id: int) -> dict[int, int]:
    """``{depth: members}`` below ``member_id`` (one grouped query)."""
    rows = await (
        TreePath.filter(ancestor_id=member_id, depth__gte=1)
        .annotate(n=Count("id")).group_by("depth").values("depth", "n")
    )
    return {int(r["depth"]): int(r["n"]) for r in rows}


async def team_size(member_id: int) -> int:
    return await TreePath.filter(ancestor_id=member_id, depth__gte=1).count()


async def sales(member_id: int, *, min_depth: int, max_depth: int | None = None) -> int:
    """Net paid order totals of the members at ``min_depth..max_depth`` below (0 is oneself)."""
    t, o = sql.table(TreePath), sql.table(Order)
    statuses = [str(s) for s in SPENDING]
    depth = "AND t.depth <= ?" if max_depth is not None else ""
    params: list[Any] = [member_id, min_depth, *([max_depth] if max_depth is not None else []), *statuses]
    rows = await sql.rows(
        TreePath,
        f"SELECT COALESCE(SUM(o.total - o.refunded_amount), 0) AS s FROM {t} t JOIN {o} o ON o.member_id = t.descendant_id"
        f" WHERE t.ancestor_id = ? AND t.depth >= ? {depth} AND o.status IN ({', '.join('?' for _ in statuses)})",
        params,
    )
    return int(rows[0]["s"] or 0)


async def figures(member_id: int) -> dict[str, int]:
    """What grade rules look at: team size, team sales (whole team) and own sales (own orders
    and those of direct members)."""
    return {
        "team_size": await team_size(member_id),
        "team_sales": await sales(member_id, min_depth=1),
        "own_sales": await sales(member_id, min_depth=0, max_depth=1),
    }


async def summary(member_id: int, recent: int = 10) -> dict[str, Any]:
    """My team: members per level, size, sales and the latest joins (4 queries)."""
    counts = await level_counts(member_id)
    joins = await (
        Binding.filter(upline_id=member_id, ended_at=None).order_by("-bound_at", "-id").limit(recent)
        .values("member_id", "bound_at", "source", name="member__display_name")
    )
    return {
        "levels": [{"level": d, "members": n} for d, n in sorted(counts.items())],
        "team_size": sum(counts.values()),
        "direct_members": counts.get(1, 0),
        "team_sales": await sales(member_id, min_depth=1),
        "recent_joins": joins,
    }


async def direct_members(member_id: int, *, limit: int, offset: int) -> dict[str, Any]:
    rows = await (
        Binding.filter(upline_id=member_id, ended_at=None).order_by("-bound_at", "-id").offset(offset).limit(limit + 1)
        .values("member_id", "bound_at", "expires_at", "source", name="member__display_name")
    )
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def around(member_id: int) -> dict[str, Any]:
    """The tree around a member, for operators: the uplines to the root, the member's team."""
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise NotFound()
    chain = await uplines(member_id)
    names = dict(await Member.filter(id__in=chain).values_list("id", "display_name"))
    return {
        "member": {"id": member.id, "name": member.display_name},
        "uplines": [{"member_id": m, "name": names.get(m), "depth": i} for i, m in enumerate(chain, start=1)],
        "team": await summary(member_id),
        "direct": await direct_members(member_id, limit=50, offset=0),
    }
