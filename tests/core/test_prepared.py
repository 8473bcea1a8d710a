"""Hot-path statements: SQL built once per backend and number of values, in the backend's style."""

import pytest
from pypika_tortoise.dialects import PostgreSQLQuery, SQLLiteQuery

from qunshang.catalog.models import Sku
from qunshang.prepared import Statement, table


def _by_ids(query, *values):
    *ids, active = values
    sku = table(Sku)
    return query.from_(sku).select(sku.id).where(sku.id.isin(ids) & (sku.active == active))


async def test_placeholders_follow_the_backend_and_the_number_of_values(client):  # client: table names are set
    statement = Statement(Sku, _by_ids)
    assert statement.sql(SQLLiteQuery, (1, 2, True)).endswith('"id" IN (?,?) AND "active"=?')
    assert statement.sql(PostgreSQLQuery, (1, 2, True)).endswith('"id" IN ($1,$2) AND "active"=$3')
    assert statement.sql(PostgreSQLQuery, (1, 2, 3, True)).endswith('"id" IN ($1,$2,$3) AND "active"=$4')
    assert statement.sql(SQLLiteQuery, (7, 8, False)) == statement.sql(SQLLiteQuery, (1, 2, True))  # built once
    assert 'FROM "catalog_sku"' in statement.sql(SQLLiteQuery, (1, True))


async def test_a_statement_must_take_its_values_in_order(client):
    def swapped(query, sku_id, active):
        sku = table(Sku)
        return query.from_(sku).select(sku.id).where((sku.active == active) & (sku.id == sku_id))

    with pytest.raises(ValueError, match="in order"):
        Statement(Sku, swapped).sql(SQLLiteQuery, (5, True))
