"""Raw SQL for the set-based statements the ORM cannot express (INSERT … SELECT, grouped sums).

Statements are written with ``?`` placeholders; :func:`run` rewrites them to ``$1…`` for
PostgreSQL. Table names come from the models, values are always parameters.
"""

from __future__ import annotations

import re
from typing import Any

from tortoise.models import Model

_PLACEHOLDER = re.compile(r"\?")


def table(model: type[Model]) -> str:
    return model._meta.db_table


def _connection(model: type[Model]):
    return model._meta.db  # the current transaction's connection when one is open


def _dialect_sql(conn, sql: str) -> str:
    if conn.capabilities.dialect == "postgres":
        counter = iter(range(1, 10_000))
        return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)
    return sql


async def rows(model: type[Model], sql: str, params: list[Any]) -> list[dict[str, Any]]:
    conn = _connection(model)
    return await conn.execute_query_dict(_dialect_sql(conn, sql), params)


async def run(model: type[Model], sql: str, params: list[Any]) -> int:
    """Execute a writing statement; return the number of rows it changed."""
    conn = _connection(model)
    changed, _ = await conn.execute_query(_dialect_sql(conn, sql), params)
    return changed
