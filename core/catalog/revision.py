"""The catalog revision (see :class:`~qunshang.catalog.models.Revision`).

The counter lives in the database, so every process and worker sees a change the moment its
transaction commits, with no cache server and no after-commit bookkeeping: a page rendered
while a change commits is stored under the revision read *before* rendering, so the next
request finds a newer revision and renders again. Bump it inside the changing transaction.
"""

from __future__ import annotations

from pypika_tortoise import Query
from pypika_tortoise.queries import QueryBuilder

from ..prepared import Statement, table
from .models import Revision

ROW = 1


def _read(query: type[Query], row: int) -> QueryBuilder:
    revision = table(Revision)
    return query.from_(revision).select(revision.value).where(revision.id == row)


READ = Statement(Revision, _read)


async def current() -> int:
    """The committed revision now (0 before the first change): a one-row read, which on
    SQLite takes microseconds (see :mod:`qunshang.prepared`)."""
    rows = await READ.rows(ROW)
    return rows[0]["value"] if rows else 0


async def bump() -> None:
    """Mark the catalog changed. Call it inside the transaction of the change.

    Plugins whose storefront output for anonymous visitors changes by something other than
    the catalog (a slot that shows a campaign starting, a price rule for everyone) call it too.
    """
    name = Revision._meta.db_table
    connection = Revision._meta.db
    await connection.execute_query(
        f"INSERT INTO {name} (id, value) VALUES ({ROW}, 1) "
        f"ON CONFLICT (id) DO UPDATE SET value = {name}.value + 1"
    )
