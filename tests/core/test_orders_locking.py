"""Orders that share products in different combinations, placed and cancelled at once, must
neither deadlock (PostgreSQL) nor lose a unit: rows are locked SKUs first, then products."""

import asyncio
import itertools

from qunshang.catalog import service as catalog
from qunshang.catalog.models import Product, ProductStatus, Sku

from .test_orders_support import buyer, order_body


async def test_overlapping_orders_and_cancellations_never_deadlock(client):
    tea = await catalog.create_product(
        title="Tea", status=ProductStatus.PUBLISHED,
        skus=[catalog.SkuInput("T-1", 100, 40), catalog.SkuInput("T-2", 100, 40)],
    )
    cup = await catalog.create_product(
        title="Cup", status=ProductStatus.PUBLISHED,
        skus=[catalog.SkuInput("C-1", 100, 40), catalog.SkuInput("C-2", 100, 40)],
    )
    skus = [s.id for s in await Sku.filter(product_id__in=[tea.id, cup.id]).order_by("-id")]
    # every pair of SKUs, listed in both orders: the shapes that deadlock with per-line locking
    combos = [pair for pair in itertools.permutations(skus, 2)] * 2
    buyers = [await buyer(f"b{i}@example.com") for i in range(len(combos))]

    async def place(headers, pair):
        return await client.post("/api/orders", json=order_body(*[(s, 1) for s in pair]), headers=headers)

    placed = await asyncio.gather(*(place(h, pair) for h, pair in zip(buyers, combos)))
    assert [r.status_code for r in placed] == [201] * len(combos), [r.text for r in placed if r.status_code != 201]

    cancels = [client.post(f"/api/orders/{r.json()['id']}/cancel", headers=h) for r, h in zip(placed[::2], buyers[::2])]
    more = [place(h, pair) for h, pair in zip(buyers[1::2], combos[1::2])]
    results = await asyncio.gather(*cancels, *more)
    assert all(r.status_code in (200, 201) for r in results), [r.text for r in results if r.status_code >= 300]

    taken = len(combos) * 2 - len(cancels) * 2 + len(more) * 2
    stocks = await Sku.filter(id__in=skus).values_list("stock", flat=True)
    assert sum(stocks) == 160 - taken
    totals = await Product.filter(id__in=[tea.id, cup.id]).values_list("stock", flat=True)
    assert sum(totals) == sum(stocks)  # product totals follow their SKUs exactly
