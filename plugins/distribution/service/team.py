"""Team queries over the closure table: a bounded number of queries whatever the team size.

Under ``binding = "valid_days"`` a binding that has expired pays nothing, so the member it
bound (and everyone below them) is not in the team of anyone above: pass ``now`` (see
:func:`cutoff`) and every figure leaves them out, in the same single statement.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from tortoise.expressions import Q
from tortoise.functions import Sum

from qunshang.errors import NotFound
from qunshang.members.models import Member
from qunshang.orders.models import Order

from .. import sql
from ..models import Binding, TreePath
from .distributors import SPENDING
from .tree import uplines

if TYPE_CHECKING:
    from qunshang.runtime import Runtime


def cutoff(runtime: Runtime) -> datetime | None:
    """``now`` when bindings expire (``valid_days``), else ``None``: what team queries take."""
    return runtime.now() if runtime.settings("distribution").binding == "valid_days" else None


def _live(now: datetime | None) -> tuple[str, list[Any]]:
    """``AND …`` keeping descendants ``t.descendant_id`` of ``t.ancestor_id`` whose path up to
    it crosses no expired binding: none of the descendant's own ancestors closer than
    ``t.ancestor_id`` (itself included) holds an open binding past its expiry. Per row that is
    an index walk of the descendant's few ancestors (nothing when ``now`` is ``None``)."""
    if now is None:
        return "", []
    t, b = sql.table(TreePath), sql.table(Binding)
    return (
        f" AND NOT EXISTS (SELECT 1 FROM {t} q JOIN {b} x ON x.open_member_id = q.ancestor_id"
        f" WHERE q.descendant_id = t.descendant_id AND q.depth < t.depth"
        f" AND x.expires_at IS NOT NULL AND x.expires_at <= ?)",
        [now],
    )


async def level_counts(member_id: int, now: datetime | None = None) -> dict[int, int]:
    """``{depth: members}`` below ``member_id`` (one grouped query)."""
    live, params = _live(now)
    rows = await sql.rows(
        TreePath,
        f"SELECT t.depth AS depth, COUNT(*) AS n FROM {sql.table(TreePath)} t"
        f" WHERE t.ancestor_id = ? AND t.depth >= 1{live} GROUP BY t.depth",
        [member_id, *params],
    )
    return {int(r["depth"]): int(r["n"]) for r in rows}


async def team_size(member_id: int, now: datetime | None = None) -> int:
    return sum((await level_counts(member_id, now)).values())


async def sales(member_id: int, *, min_depth: int, max_depth: int | None = None, now: datetime | None = None) -> int:
    """Net paid order totals of the members at ``min_depth..max_depth`` below (0 is oneself)."""
    t, o = sql.table(TreePath), sql.table(Order)
    statuses = [str(s) for s in SPENDING]
    depth = "AND t.depth <= ?" if max_depth is not None else ""
    live, live_params = _live(now)
    params: list[Any] = [member_id, min_depth, *([max_depth] if max_depth is not None else []), *statuses, *live_params]
    rows = await sql.rows(
        TreePath,
        f"SELECT COALESCE(SUM(o.total - o.refunded_amount), 0) AS s FROM {t} t JOIN {o} o ON o.member_id = t.descendant_id"
        f" WHERE t.ancestor_id = ? AND t.depth >= ? {depth} AND o.status IN ({', '.join('?' for _ in statuses)}){live}",
        params,
    )
    return int(rows[0]["s"] or 0)


async def figures(member_id: int, now: datetime | None = None) -> dict[str, int]:
    """One member's :func:`figures_of`."""
    return (await figures_of([member_id], now))[member_id]


FIGURES_CHUNK = 500


async def figures_of(member_ids: list[int], now: datetime | None = None) -> dict[int, dict[str, int]]:
    """What grade rules look at, for many members at once: team size, team sales (whole team)
    and own sales (own orders, counted even with no tree node yet, and those of direct
    members). Three grouped statements per ``FIGURES_CHUNK`` members, whatever the team sizes."""
    out = {m: {"team_size": 0, "team_sales": 0, "own_sales": 0} for m in member_ids}
    ids = sorted(out)
    for start in range(0, len(ids), FIGURES_CHUNK):
        await _figures_chunk(ids[start:start + FIGURES_CHUNK], now, out)
    return out


async def _figures_chunk(ids: list[int], now: datetime | None, out: dict[int, dict[str, int]]) -> None:
    t, o = sql.table(TreePath), sql.table(Order)
    within = ", ".join("?" for _ in ids)
    statuses = [str(s) for s in SPENDING]
    live, live_params = _live(now)
    sizes = await sql.rows(
        TreePath,
        f"SELECT t.ancestor_id AS m, COUNT(*) AS n FROM {t} t"
        f" WHERE t.ancestor_id IN ({within}) AND t.depth >= 1{live} GROUP BY t.ancestor_id",
        [*ids, *live_params],
    )
    sales_rows = await sql.rows(
        TreePath,
        f"SELECT t.ancestor_id AS m, COALESCE(SUM(o.total - o.refunded_amount), 0) AS team,"
        f" COALESCE(SUM(CASE WHEN t.depth = 1 THEN o.total - o.refunded_amount ELSE 0 END), 0) AS direct"
        f" FROM {t} t JOIN {o} o ON o.member_id = t.descendant_id"
        f" WHERE t.ancestor_id IN ({within}) AND t.depth >= 1"
        f" AND o.status IN ({', '.join('?' for _ in statuses)}){live} GROUP BY t.ancestor_id",
        [*ids, *statuses, *live_params],
    )
    spends = await (
        Order.filter(member_id__in=ids, status__in=SPENDING)
        .annotate(paid=Sum("total"), back=Sum("refunded_amount")).group_by("member_id")
        .values("member_id", "paid", "back")
    )
    for r in sizes:
        out[int(r["m"])]["team_size"] = int(r["n"])
    for r in sales_rows:
        out[int(r["m"])]["team_sales"] = int(r["team"] or 0)
        out[int(r["m"])]["own_sales"] += int(r["direct"] or 0)
    for r in spends:
        out[r["member_id"]]["own_sales"] += int(r["paid"] or 0) - int(r["back"] or 0)


def _direct(member_id: int, now: datetime | None):
    query = Binding.filter(upline_id=member_id, ended_at=None)
    if now is not None:
        query = query.filter(Q(expires_at=None) | Q(expires_at__gt=now))
    return query.order_by("-bound_at", "-id")


async def summary(member_id: int, recent: int = 10, now: datetime | None = None) -> dict[str, Any]:
    """My team: members per level, size, sales and the latest joins (3 queries)."""
    counts = await level_counts(member_id, now)
    joins = await _direct(member_id, now).limit(recent).values("member_id", "bound_at", "source", name="member__display_name")
    return {
        "levels": [{"level": d, "members": n} for d, n in sorted(counts.items())],
        "team_size": sum(counts.values()),
        "direct_members": counts.get(1, 0),
        "team_sales": await sales(member_id, min_depth=1, now=now),
        "recent_joins": joins,
    }


async def direct_members(member_id: int, *, limit: int, offset: int, now: datetime | None = None) -> dict[str, Any]:
    rows = await (
        _direct(member_id, now).offset(offset).limit(limit + 1)
        .values("member_id", "bound_at", "expires_at", "source", name="member__display_name")
    )
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def around(member_id: int, now: datetime | None = None) -> dict[str, Any]:
    """The tree around a member, for operators: the uplines to the root, the member's team."""
    member = await Member.get_or_none(id=member_id)
    if member is None:
        raise NotFound()
    chain = await uplines(member_id)
    names = dict(await Member.filter(id__in=chain).values_list("id", "display_name"))
    return {
        "member": {"id": member.id, "name": member.display_name},
        "uplines": [{"member_id": m, "name": names.get(m), "depth": i} for i, m in enumerate(chain, start=1)],
        "team": await summary(member_id, now=now),
        "direct": await direct_members(member_id, limit=50, offset=0, now=now),
    }
