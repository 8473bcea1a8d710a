"""Team queries cost a bounded number of queries whatever the team size."""

from qunshang.plugins.distribution.models import TreePath
from qunshang.plugins.distribution.service import team, tree
from qunshang.testing import make_member

from .support import QueryCounter, buy, chain, distributor, settings, sku


async def _grow(root_id: int, size: int, fanout: int = 3) -> list[int]:
    """A team of ``size`` below ``root_id``, ``fanout`` children per member (closure rows set-based)."""
    ids = [root_id]
    for i in range(size):
        member = await make_member(f"m{root_id}-{i}@example.com")
        await tree.attach(member.id, ids[i // fanout])
        ids.append(member.id)
    return ids[1:]


async def test_team_figures_are_right_and_cost_the_same_for_small_and_large_teams(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        small = await distributor(client.runtime, "small")
        large = await distributor(client.runtime, "large")
        await _grow(small.id, 4)
        await _grow(large.id, 60)
        assert await team.level_counts(small.id) == {1: 3, 2: 1}
        assert await team.level_counts(large.id) == {1: 3, 2: 9, 3: 27, 4: 21}
        costs = []
        for member in (small, large):
            with QueryCounter() as q:
                summary = await team.summary(member.id)
            costs.append(q.count)
        assert summary["team_size"] == 60 and summary["direct_members"] == 3
        assert costs[0] == costs[1] <= 4


async def test_team_sales_count_paid_orders_of_the_whole_team(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        await buy(client, c, tea.id)
        await buy(client, b, tea.id)
        figures = await team.figures(a.id)
        assert figures["team_size"] == 2
        assert figures["team_sales"] == 20000  # two ¥100 orders (shipping is free over ¥99 by default)
        assert figures["own_sales"] == 10000  # B's own order: B is A's direct member
        assert await team.figures(c.id) == {"team_size": 0, "team_sales": 0, "own_sales": 10000}


async def test_moving_a_subtree_keeps_the_closure_consistent(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        root = await distributor(client.runtime, "root")
        other = await distributor(client.runtime, "other")
        ids = await _grow(root.id, 12)
        await tree.detach(ids[0])
        await tree.attach(ids[0], other.id)
        # recompute the closure from parent links and compare with the stored one
        parents = dict(await TreePath.filter(depth=1).values_list("descendant_id", "ancestor_id"))
        expected = set()
        for node in set(parents) | set(parents.values()):
            depth, up = 0, node
            expected.add((node, node, 0))
            while up in parents:
                up, depth = parents[up], depth + 1
                expected.add((up, node, depth))
        stored = set(await TreePath.all().values_list("ancestor_id", "descendant_id", "depth"))
        assert stored == expected
        assert await team.team_size(other.id) == 1 + len(await TreePath.filter(ancestor_id=ids[0], depth__gte=1))
