"""The earnings calculator under every product: the commission rules' own figures (defaults,
grades, product and SKU overrides, exclusion), at a fixed, small number of queries."""

import re

from qunshang.catalog import service as catalog
from qunshang.catalog.models import ProductStatus
from qunshang.plugins.distribution.models import Commission
from qunshang.plugins.distribution.service import distributors, grades, rules

from .site import log_in, pay, world
from .support import QueryCounter, settings

EN = {"Accept-Language": "en"}


def figures(html: str) -> list[list[str]]:
    """Per SKU row, the amount of each level as shown."""
    table = html.split('class="panel dist-calc"')[1].split("</table>")[0]
    return [re.findall(r'data-level="\d">([^<]+)<', row) for row in table.split("<tr>")[2:]]


async def test_default_rates_match_the_worked_example(make_app):
    async with make_app(enabled=["distribution"], settings=settings(base="list")) as client:
        w = await world(client.runtime)  # A → B → C, 20% / 10%, C bought one ¥100 tea
        await log_in(client, "13900000002")
        page = (await client.get(f"/p/{w.product.id}", headers=EN)).text
        assert figures(page) == [["CN¥20.00", "CN¥10.00"]]
        earned = dict(await Commission.filter(order_id=w.order.id).values_list("level", "amount"))
        assert earned == {1: 2000, 2: 1000}  # what the calculator said


async def test_grade_product_and_sku_overrides_are_respected(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        runtime = client.runtime
        w = await world(runtime)
        tea = await catalog.create_product(title="碧螺春", status=ProductStatus.PUBLISHED, skus=[
            catalog.SkuInput("B-1", 10000, 9, "50g"), catalog.SkuInput("B-2", 20000, 9, "100g")])
        small, large = await tea.skus.all()
        await rules.set_override(runtime, tea.id, sku_id=None, rates_bp=[3000, 500], amounts_per_unit=None, excluded=False)
        await rules.set_override(runtime, tea.id, sku_id=large.id, rates_bp=None, amounts_per_unit=[500, 200], excluded=False)
        await log_in(client, "13900000002")
        assert figures((await client.get(f"/p/{tea.id}", headers=EN)).text) == [["CN¥30.00", "CN¥5.00"], ["CN¥5.00", "CN¥2.00"]]
        gold = await grades.create(runtime, name="金牌", rank=1, rates_bp=[2500, 1200])
        await distributors.update(w.b.id, grade_id=gold.id)
        assert figures((await client.get(f"/p/{w.product.id}", headers=EN)).text) == [["CN¥25.00", "CN¥12.00"]]
        assert figures((await client.get(f"/p/{tea.id}", headers=EN)).text)[0] == ["CN¥30.00", "CN¥5.00"]  # product beats grade
        await rules.set_override(runtime, tea.id, sku_id=None, rates_bp=None, amounts_per_unit=None, excluded=True)
        assert figures((await client.get(f"/p/{tea.id}", headers=EN)).text)[0] == ["CN¥0.00", "CN¥0.00"]
        # a real order by C pays B exactly what B's calculator showed for the fixed-amount SKU
        order = await pay(runtime, w.c, large)
        assert dict(await Commission.filter(order_id=order.id).values_list("earner_id", "amount")) == {w.b.id: 500, w.a.id: 200}


async def test_the_calculator_costs_one_query_whatever_the_levels_and_skus(make_app):
    three = {"distribution": {"levels": 3, "compliance": "cn-law", "rates_bp": [2000, 1000, 500]}}
    async with make_app(enabled=["distribution"], settings=three) as client:
        w = await world(client.runtime)
        product = await catalog.create_product(title="龙井", status=ProductStatus.PUBLISHED, skus=[
            catalog.SkuInput(f"S{i}", 10000 + i, 9, f"{i}") for i in range(4)])
        skus = await product.skus.all().values("id", "name", "price")
        rates = await rules.grade_rates_of(w.b.id)
        costs = []
        for some in (skus[:1], skus):
            with QueryCounter() as q:
                calc = await rules.calculate(client.runtime, product.id, some, rates)
            costs.append(q.count)
            assert [len(s["levels"]) for s in calc["skus"]] == [3] * len(some)
        assert costs == [1, 1]
        assert [lv["amount"] for lv in calc["skus"][0]["levels"]] == [2000, 1000, 500]


async def test_anonymous_visitors_and_members_who_cannot_earn_see_no_calculator(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="designated")) as client:
        from .site import register

        product = await catalog.create_product(title="龙井", status=ProductStatus.PUBLISHED,
                                               skus=[catalog.SkuInput("S1", 10000, 9)])
        assert "dist-calc" not in (await client.get(f"/p/{product.id}")).text
        await register(client.runtime, "13900000007", "小吴")
        await log_in(client, "13900000007")
        assert "dist-calc" not in (await client.get(f"/p/{product.id}")).text  # designated mode, not designated
