"""Listing and home pages take at most 3 queries, whatever the number of products or plugins."""

import logging

import pytest

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.plugin_manager import discover

from .shop import log_in, seed

SQL = ("SELECT", "INSERT", "UPDATE", "DELETE")
# every installed plugin that builds on the core alone (the example wishlist included)
PLUGINS = sorted(p for p in discover() if p in {"member_price", "wishlist"})


def count_queries(caplog) -> int:
    return sum(1 for r in caplog.records if r.name == "tortoise.db_client" and str(r.msg).lstrip().upper().startswith(SQL)
               or r.name == "tortoise.db_client" and r.args and str(r.args[0]).lstrip().upper().startswith(SQL))


async def _more_products(n: int) -> None:
    for i in range(n):
        await catalog.create_product(title=f"Tea {i}", status=ProductStatus.PUBLISHED, skus=[catalog.SkuInput(f"Q{i}", 500, 1)])


@pytest.mark.parametrize("extra_products", [0, 40])
@pytest.mark.parametrize("path", ["/", "/c/green-tea", "/search?q=", "/search?q=龙井&sort=price_asc"])
async def test_listing_pages_take_at_most_three_queries(make_app, caplog, path, extra_products):
    async with make_app(enabled=PLUGINS) as client:
        await seed(client.runtime, products=4)
        await _more_products(extra_products)
        await log_in(client)
        await client.get(path)  # warm: the category bar is cached for a minute per process
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            r = await client.get(path)
        assert r.status_code == 200
        member_queries = count_queries(caplog)
        assert 2 <= member_queries <= 3, [r.getMessage()[:120] for r in caplog.records]  # member, products (+ prices)
        await client.post("/logout", data={"_csrf_token": client.cookies.get("qunshang_csrf", "")})
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
            r = await client.get(path)
        assert r.status_code == 200 and 1 <= count_queries(caplog) <= 2  # visitors: no member to load


@pytest.mark.parametrize(("by_category", "index"), [(False, "catalog_product_listing"),
                                                (True, "catalog_product_category_listing")])
async def test_listings_are_read_in_index_order(client, by_category, index):
    """A listing reads its page from an index in display order: it never sorts every published
    product (which costs a little with 40 and a lot with 40,000)."""
    from tortoise.transactions import in_transaction

    from qunshang.catalog.models import Product

    await seed(client.runtime, products=4)
    connection = Product._meta.db
    values = ["published", *(["green-tea"] if by_category else []), 25, 0]
    sql = catalog._listing("default", by_category).sql(connection.query_class, tuple(values))
    if connection.capabilities.dialect == "postgres":
        async with in_transaction() as tx:  # the planner would rather sort a tiny table: forbid it
            await tx.execute_script("SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
            plan = " ".join(row["QUERY PLAN"] for row in await tx.execute_query_dict(f"EXPLAIN {sql}", values))
        assert "Sort" not in plan, plan  # it may walk either listing index for a tiny table
    else:
        plan = " ".join(row["detail"] for row in await connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values))
        assert index in plan and "TEMP B-TREE" not in plan, plan
