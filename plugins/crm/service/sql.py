"""Raw SQL for conditional updates and grouped sums the ORM cannot express.

Statements use ``?`` placeholders, rewritten to ``$1…`` for PostgreSQL. Values are always
parameters; table names come from the models.
"""

from __future__ import annotations

import re
from typing import Any

from tortoise.models import Model

_PLACEHOLDER = re.compile(r"\?")


def table(model: type[Model]) -> str:
    return model._meta.db_table


def _prepare(model: type[Model], sql: str):
    conn = model._meta.db  # the open transaction's connection, if any
    if conn.capabilities.dialect == "postgres":
        counter = iter(range(1, 100_000))
        sql = _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)
    return conn, sql


async def rows(model: type[Model], sql: str, params: list[Any]) -> list[dict[str, Any]]:
    conn, sql = _prepare(model, sql)
    return await conn.execute_query_dict(sql, params)


async def run(model: type[Model], sql: str, params: list[Any]) -> int:
    """Execute a writing statement; return the number of rows it changed."""
    conn, sql = _prepare(model, sql)
    changed, _ = await conn.execute_query(sql, params)
    return changed
