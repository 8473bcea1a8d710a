"""Team queries cost a bounded number of queries whatever the team size."""

from qunshang.plugins.distribution.models import TreePath
from qunshang.plugins.distribution.service import team, tree
from qunshang.testing import bearer, make_member

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


async def test_expired_valid_days_bindings_leave_the_team(make_app, clock):
    from qunshang.plugins.distribution.service import distributors

    from .site import pay, register

    async with make_app(enabled=["distribution"], settings=settings(binding="valid_days", binding_days=30)) as client:
        runtime = client.runtime
        a = await register(runtime, "13900000001", "A")
        b = await register(runtime, "13900000002", "B", (await distributors.get(a.id)).code)  # day 0, until day 30
        clock.advance(days=20)
        c = await register(runtime, "13900000003", "C", (await distributors.get(b.id)).code)  # day 20, until day 50
        tea = await sku(price=10000)
        await pay(runtime, c, tea)
        now = team.cutoff(runtime)
        assert await team.figures(a.id, now) == {"team_size": 2, "team_sales": 10000, "own_sales": 0}
        clock.advance(days=15)  # day 35: B's binding to A has expired, C's to B has not
        now = team.cutoff(runtime)
        with QueryCounter() as q:
            summary = await team.summary(a.id, now=now)
        assert q.count <= 3
        assert summary["team_size"] == 0 and summary["levels"] == [] and summary["recent_joins"] == []
        assert summary["team_sales"] == 0
        assert (await team.direct_members(a.id, limit=10, offset=0, now=now))["items"] == []
        assert await team.figures(a.id, now) == {"team_size": 0, "team_sales": 0, "own_sales": 0}
        assert await team.figures(b.id, now) == {"team_size": 1, "team_sales": 10000, "own_sales": 10000}
        assert await team.team_size(a.id) == 2  # without a cutoff the closure rows still count (permanent mode)
        # the JSON API and the pages apply the cutoff too
        headers = await bearer(a)
        assert (await client.get("/api/distribution/team", headers=headers)).json()["team_size"] == 0
        clock.advance(days=20)  # day 55: C's binding has expired as well
        assert await team.figures(b.id, team.cutoff(runtime)) == {"team_size": 0, "team_sales": 0, "own_sales": 0}


async def test_the_expiry_filter_matches_walking_the_tree(make_app, clock):
    """Expired bindings at several depths: every member's live team, counted by the single
    statement, equals the one found by walking the parent links."""
    from datetime import timedelta

    from qunshang.plugins.distribution.models import Binding

    async with make_app(enabled=["distribution"], settings=settings(binding="valid_days")) as client:
        root = await distributor(client.runtime, "root")
        ids = await _grow(root.id, 40)
        parents = dict(await TreePath.filter(depth=1).values_list("descendant_id", "ancestor_id"))
        now = clock.current
        expired = {ids[1], ids[7], ids[20], ids[33]}
        for member_id, upline_id in parents.items():
            gone = member_id in expired
            await Binding.create(member_id=member_id, upline_id=upline_id, bound_at=now - timedelta(days=40),
                                 expires_at=now - timedelta(days=10) if gone else now + timedelta(days=20),
                                 open_member_id=member_id)

        def live_depths(top: int) -> dict[int, int]:
            counts: dict[int, int] = {}
            for member in parents:
                node, depth, alive = member, 0, True
                while node != top and node in parents:
                    alive = alive and node not in expired
                    node, depth = parents[node], depth + 1
                if node == top and depth and alive:
                    counts[depth] = counts.get(depth, 0) + 1
            return counts

        for top in (root.id, *ids[:10]):
            assert await team.level_counts(top, now) == live_depths(top), top
        assert sum(live_depths(root.id).values()) < 40
