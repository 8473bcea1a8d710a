"""The referral tree as a closure table: one row per (ancestor, descendant) pair, the member
itself at depth 0. Attaching or detaching a whole subtree is one set-based statement, and
"who is above me" or "how big is my team" is one indexed query whatever the team size."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from .. import sql
from ..models import TreePath


#: key of the PostgreSQL advisory lock that serialises changes of the tree
TREE_LOCK = 0x51_5344_4953  # "QSDIS"


async def lock() -> None:
    """Serialise tree changes until the current transaction ends, so two concurrent bindings
    cannot each pass the cycle check and close a loop (A under C while C goes under A).
    PostgreSQL takes an advisory lock; SQLite already runs write transactions one at a time."""
    conn = TreePath._meta.db
    if conn.capabilities.dialect == "postgres":
        await conn.execute_query("SELECT pg_advisory_xact_lock($1)", [TREE_LOCK])


async def ensure_node(member_id: int) -> None:
    if await TreePath.exists(ancestor_id=member_id, descendant_id=member_id):
        return
    try:
        async with in_transaction():
            await TreePath.create(ancestor_id=member_id, descendant_id=member_id, depth=0)
    except IntegrityError:  # added concurrently
        pass


async def attach(member_id: int, upline_id: int) -> None:
    """Hang ``member_id`` (with its whole team) under ``upline_id``. Detach it first."""
    await ensure_node(member_id)
    await ensure_node(upline_id)
    t = sql.table(TreePath)
    await sql.run(
        TreePath,
        f"INSERT INTO {t} (ancestor_id, descendant_id, depth)"
        f" SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1"
        f" FROM {t} a, {t} d WHERE a.descendant_id = ? AND d.ancestor_id = ?",
        [upline_id, member_id],
    )


async def detach(member_id: int) -> None:
    """Cut ``member_id`` and its team loose from everything above it."""
    t = sql.table(TreePath)
    await sql.run(
        TreePath,
        f"DELETE FROM {t} WHERE descendant_id IN (SELECT descendant_id FROM {t} WHERE ancestor_id = ?)"
        f" AND ancestor_id NOT IN (SELECT descendant_id FROM {t} WHERE ancestor_id = ?)",
        [member_id, member_id],
    )


async def is_in_team(ancestor_id: int, member_id: int) -> bool:
    """Is ``member_id`` below ``ancestor_id`` (or the same member)?"""
    return await TreePath.exists(ancestor_id=ancestor_id, descendant_id=member_id)


async def uplines(member_id: int, levels: int | None = None) -> list[int]:
    """The members above, nearest first, at most ``levels`` of them (all when ``None``)."""
    query = TreePath.filter(descendant_id=member_id, depth__gte=1)
    if levels is not None:
        query = query.filter(depth__lte=levels)
    return list(await query.order_by("depth").values_list("ancestor_id", flat=True))
