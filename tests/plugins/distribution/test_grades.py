"""Grade checks at settlement are set-based: their statements do not grow with the number of
members settled, their figures equal the per-member team queries, and grades only go up."""

from datetime import timedelta

from qunshang.orders.models import Order, OrderStatus
from qunshang.plugins.distribution.models import Binding, Distributor, Grade, TreePath
from qunshang.plugins.distribution.service import distributors, grades, settlement, team

from .support import QueryCounter, buy, distributor, settings, sku


async def _pairs(client, tag: str, count: int, tea) -> tuple[list, list]:
    """``count`` uplines, each with one distributor below who buys ¥100 (closed, settled)."""
    ups, buyers = [], []
    for i in range(count):
        up = await distributor(client.runtime, f"{tag}-up{i}")
        buyer = await distributor(client.runtime, f"{tag}-buyer{i}", up)
        await buy(client, buyer, tea.id)
        ups.append(up)
        buyers.append(buyer)
    return ups, buyers


async def test_grade_checks_cost_the_same_for_few_and_many_members(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        tea = await sku(price=10000, stock=1000)
        silver = await Grade.create(name="silver", rank=1, min_own_sales=10000)
        await Grade.create(name="gold", rank=2, min_team_size=5)
        crown = await Grade.create(name="crown", rank=3)  # given by operators only: no rules
        costs, outcomes = [], []
        for tag, count in (("few", 2), ("many", 12)):
            ups, buyers = await _pairs(client, tag, count, tea)
            await distributors.update(ups[0].id, grade_id=crown.id)  # better than any rule gives: kept
            with QueryCounter() as q:
                upgraded = await grades.upgrade_around(client.runtime, [b.id for b in buyers])
            costs.append(q.count)
            outcomes.append(upgraded)
            ranks = dict(await Distributor.filter(member_id__in=[m.id for m in ups + buyers])
                         .values_list("member_id", "grade_id"))
            assert ranks[ups[0].id] == crown.id  # never lowered
            # buyers: own orders; uplines: their direct member's orders — ¥100 each meets silver
            assert all(ranks[m.id] == silver.id for m in ups[1:] + buyers)
        assert outcomes == [3, 23]
        assert costs[0] == costs[1] <= 8, costs


async def test_settlement_upgrades_every_member_of_the_batch(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        tea = await sku(price=10000, stock=1000)
        silver = await Grade.create(name="silver", rank=1, min_own_sales=10000)
        ups, buyers = await _pairs(client, "s", 6, tea)
        await Order.all().update(status=OrderStatus.CLOSED)
        assert await settlement.sweep(client.runtime) == 6  # level 1 only: each upline has no upline
        assert set(await Distributor.filter(member_id__in=[m.id for m in ups + buyers])
                   .values_list("grade_id", flat=True)) == {silver.id}


async def test_set_based_figures_equal_the_per_member_team_queries(make_app, clock):
    async with make_app(enabled=["distribution"], settings=settings(binding="valid_days")) as client:
        tea = await sku(price=10000, stock=1000)
        root = await distributor(client.runtime, "root")
        members = [root]
        for i in range(12):
            members.append(await distributor(client.runtime, f"m{i}", members[i // 2]))
        for i, member in enumerate(members):
            for _ in range(i % 3):
                await buy(client, member, tea.id)
        now = clock.current
        await Binding.filter(member_id=members[3].id, ended_at=None).update(expires_at=now - timedelta(days=1))
        ids = [m.id for m in members]
        assert await TreePath.filter(ancestor_id=root.id, depth__gte=1).count() == 12
        for cutoff in (None, now):
            together = await team.figures_of(ids, cutoff)
            for member_id in ids:
                one = {
                    "team_size": await team.team_size(member_id, cutoff),
                    "team_sales": await team.sales(member_id, min_depth=1, now=cutoff),
                    "own_sales": await distributors.paid_spend(member_id)
                    + await team.sales(member_id, min_depth=1, max_depth=1, now=cutoff),
                }
                assert together[member_id] == one, (member_id, cutoff)
        assert (await team.figures_of(ids, now))[root.id] != (await team.figures_of(ids))[root.id]
