"""Statements for the hot paths, built once per database backend instead of once per call.

Tortoise builds every query in Python, about 0.3 ms of CPU each: on the lookups that every
request makes (who is calling) and on a flash sale's stock take, that was most of a request's
cost. A :class:`Statement` is written with pypika from the models' own table names, rendered
once per backend (placeholders in the backend's style: ``?``, ``$1``, ``%s``) and then run with
new values on the connection Tortoise would use, so it joins the caller's transaction. Use it
only where a profile says so; everywhere else, use the ORM.

On a SQLite file, a statement that only reads and runs outside a transaction goes through a
plain ``sqlite3`` connection of its own, in the event loop's thread: an indexed read takes
microseconds there, where the hop to aiosqlite's worker thread and back costs a few hundred
(it was the largest single cost of a signed-in page view). It sees exactly what is committed
(in WAL mode a reader never waits for a writer), which is what a read outside a transaction
should see. Reads inside a transaction, and every write, use Tortoise's connection.
"""

from __future__ import annotations

import sqlite3
import weakref
from typing import Any, Callable

from pypika_tortoise import Query, Table
from pypika_tortoise.queries import QueryBuilder
from tortoise.models import Model


def table(model: type[Model]) -> Table:
    return Table(model._meta.db_table)


class Statement:
    """``build(query_class, *values)`` returns a pypika query that uses each of ``values`` once,
    in the order given: they become its parameters. Its SQL may depend on how many values
    there are (an ``IN`` list), never on the values themselves. ``model`` chooses the connection."""

    def __init__(self, model: type[Model], build: Callable[..., QueryBuilder]) -> None:
        self.model = model
        self._build = build
        self._sql: dict[tuple[type[Query], int], str] = {}
        self._reads: dict[str, bool] = {}

    def sql(self, query_class: type[Query], values: tuple[Any, ...]) -> str:
        key = (query_class, len(values))
        sql = self._sql.get(key)
        if sql is None:
            sql, parameters = self._build(query_class, *values).get_parameterized_sql()
            if parameters != list(values):
                raise ValueError(f"a statement must use its values once each, in order: {sql}")
            self._sql[key] = sql
            self._reads[sql] = sql.lstrip()[:6].upper() == "SELECT"
        return sql

    async def rows(self, *values: Any) -> list[dict[str, Any]]:
        connection = self.model._meta.db
        sql = self.sql(connection.query_class, values)
        reader = _sqlite_reader(connection) if self._reads.get(sql) else None
        if reader is None:
            return await connection.execute_query_dict(sql, list(values))
        connection.log.debug("%s: %s", sql, values)
        return list(map(dict, reader.execute(sql, values)))

    async def execute(self, *values: Any) -> int:
        """Run a write; return how many rows it changed."""
        connection = self.model._meta.db
        changed, _rows = await connection.execute_query(self.sql(connection.query_class, values), list(values))
        return changed


#: each SQLite client's reading connection, closed when Tortoise lets go of the client
_readers: weakref.WeakKeyDictionary[Any, sqlite3.Connection] = weakref.WeakKeyDictionary()


def _sqlite_reader(client: Any) -> sqlite3.Connection | None:
    """The reading connection of a SQLite file's client; ``None`` for another backend, an
    in-memory database, or a transaction (which has no ``filename`` of its own)."""
    reader = _readers.get(client)
    if reader is None:
        filename = getattr(client, "filename", None)
        if not filename or filename == ":memory:":
            return None
        reader = sqlite3.connect(filename, isolation_level=None, check_same_thread=False)
        reader.row_factory = sqlite3.Row
        _readers[client] = reader
    return reader
