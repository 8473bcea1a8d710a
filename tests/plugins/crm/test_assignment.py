"""Assignment rules: least-loaded, round-robin, pool, routing by tag, region and source, caps,
deterministic ties, manual reassignment with history and audit, and concurrency (a lead is
assigned once, a cap is never passed) on SQLite and PostgreSQL."""

import asyncio

import pytest

from qunshang.plugins.crm.errors import AlreadyOwned, AtCapacity, Protected
from qunshang.plugins.crm.models import Assignment, Customer, CustomerTag, Route, RouteMatch
from qunshang.plugins.crm.service import assignment, salespeople

from .support import lead, loads, owner_of, register, seller


def crm(**values):
    return {"crm": values}


async def test_least_loaded_picks_the_lightest_and_breaks_ties_by_longest_waiting_then_id(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded", default_capacity=None)) as client:
        rt = client.runtime
        s1, s2, s3 = [await seller(rt, f"s{i}") for i in (1, 2, 3)]
        got = [await assignment.assign(rt, await lead(rt, f"c{i}")) for i in range(6)]
        # all at 0: lowest id first; then loads 1,0,0 -> s2; 1,1,0 -> s3; then all 1: s1 waited longest
        assert got == [s1.id, s2.id, s3.id, s1.id, s2.id, s3.id]
        await assignment.reassign(rt, await lead(rt, "extra"), s1.id, "manual", s1.id)  # s1 now has 3
        got = [await assignment.assign(rt, await lead(rt, f"d{i}")) for i in range(2)]
        assert got == [s2.id, s3.id]
        assert await loads(s1, s2, s3) == [3, 3, 3]


async def test_round_robin_ignores_load_and_rotates(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="round_robin", default_capacity=None)) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        for i in range(3):
            await assignment.reassign(rt, await lead(rt, f"pre{i}"), s2.id, "manual", s2.id)  # s2 heavy, assigned last
        got = [await assignment.assign(rt, await lead(rt, f"c{i}")) for i in range(4)]
        assert got == [s1.id, s2.id, s1.id, s2.id]


async def test_caps_are_respected_and_a_full_team_leaves_leads_in_the_pool(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded", default_capacity=2)) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2", capacity=1)
        got = [await assignment.assign(rt, await lead(rt, f"c{i}")) for i in range(4)]
        assert got == [s1.id, s2.id, s1.id, None]
        assert await loads(s1, s2) == [2, 1]
        with pytest.raises(AtCapacity):
            await assignment.reassign(rt, await lead(rt, "x"), s2.id, "manual", s1.id)
        await salespeople.update(s2.id, capacity=None)  # none: the deployment default (2) applies
        assert await assignment.assign(rt, await lead(rt, "y")) == s2.id


async def test_disabled_or_inactive_salespeople_get_nothing(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded")) as client:
        rt = client.runtime
        s1, s2, s3 = [await seller(rt, f"s{i}") for i in (1, 2, 3)]
        await salespeople.update(s1.id, disabled=True)
        from qunshang.members.models import Member
        await Member.filter(id=s2.id).update(is_active=False)
        assert {await assignment.assign(rt, await lead(rt, f"c{i}")) for i in range(3)} == {s3.id}


async def test_pool_strategy_leaves_unrouted_leads_unowned(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="pool")) as client:
        await seller(client.runtime, "s1")
        member_id = await register(client, "c1", {"source": "livestream"})
        assert await owner_of(member_id) is None
        assert not await Assignment.exists(customer_id=member_id)


async def test_routes_by_source_tag_and_region_come_first_in_position_order(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="pool")) as client:
        rt = client.runtime
        s1, s2, s3 = [await seller(rt, f"s{i}") for i in (1, 2, 3)]
        await Route.create(match=RouteMatch.SOURCE, value="livestream", salesperson_ids=[s1.id], position=5)
        await Route.create(match=RouteMatch.TAG, value="vip", salesperson_ids=[s2.id], position=1)
        await Route.create(match=RouteMatch.REGION, value="杭州", salesperson_ids=[s3.id], position=2)
        live = await register(client, "live", {"source": "livestream"})
        assert await owner_of(live) == s1.id
        vip = await lead(rt, "vip", source="livestream", region="杭州")
        await CustomerTag.create(customer_id=vip, tag="vip", at=rt.now())
        assert await assignment.assign(rt, vip) == s2.id  # position 1 beats the others
        hz = await lead(rt, "hz", region="杭州")
        assert await assignment.assign(rt, hz) == s3.id
        other = await lead(rt, "other", region="上海")
        assert await assignment.assign(rt, other) is None  # pool strategy: unrouted stays unowned


async def test_a_full_route_falls_through_to_the_strategy(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded", default_capacity=1)) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        await Route.create(match=RouteMatch.SOURCE, value="direct", salesperson_ids=[s2.id])
        assert [await assignment.assign(rt, await lead(rt, f"c{i}")) for i in range(3)] == [s2.id, s1.id, None]


async def test_manual_reassignment_keeps_history_and_moves_load(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="pool")) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        c = await lead(rt, "c")
        await assignment.claim(rt, s1.id, c)
        await assignment.reassign(rt, c, s2.id, "s1 left the region", 99)
        await assignment.reassign(rt, c, None, "back to pool", 99)
        rows = await Assignment.filter(customer_id=c).order_by("id").values_list("kind", "from_owner_id", "to_owner_id", "reason", "actor_id")
        assert rows == [("claim", None, s1.id, "", s1.id), ("manual", s1.id, s2.id, "s1 left the region", 99),
                        ("manual", s2.id, None, "back to pool", 99)]
        assert await loads(s1, s2) == [0, 0]
        with pytest.raises(AlreadyOwned):
            await assignment.reassign(rt, c, None, "again", 99)


async def test_concurrent_assignment_of_the_same_lead_assigns_it_once(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded", default_capacity=None)) as client:
        rt = client.runtime
        sellers = [await seller(rt, f"s{i}") for i in range(4)]
        for round_ in range(5):
            c = await lead(rt, f"c{round_}")
            results = await asyncio.gather(*(assignment.assign(rt, c) for _ in range(6)), return_exceptions=True)
            winners = [r for r in results if isinstance(r, int)]
            assert len(winners) == 1, results
            assert all(isinstance(r, (int, AlreadyOwned)) for r in results), results
            assert await Assignment.filter(customer_id=c).count() == 1
        assert sum(await loads(*sellers)) == 5


async def test_concurrent_claims_of_the_same_lead_one_wins(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="pool")) as client:
        rt = client.runtime
        sellers = [await seller(rt, f"s{i}") for i in range(5)]
        c = await lead(rt, "c")
        results = await asyncio.gather(*(assignment.claim(rt, s.id, c) for s in sellers), return_exceptions=True)
        won = [r for r in results if isinstance(r, Assignment)]
        assert len(won) == 1 and all(isinstance(r, (Assignment, AlreadyOwned, Protected)) for r in results), results
        assert await owner_of(c) == won[0].to_owner_id
        assert sum(await loads(*sellers)) == 1


async def test_concurrent_assignments_never_pass_a_cap(make_app):
    async with make_app(enabled=["crm"], settings=crm(strategy="least_loaded", default_capacity=3)) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        leads = [await lead(rt, f"c{i}") for i in range(10)]
        results = await asyncio.gather(*(assignment.assign(rt, c) for c in leads), return_exceptions=True)
        assert all(r is None or isinstance(r, int) for r in results), results
        assert await loads(s1, s2) == [3, 3]
        assert await Customer.filter(owner_id__not_isnull=True).count() == 6
        assert sorted(r for r in results if r) == [s1.id] * 3 + [s2.id] * 3


async def test_the_first_paid_order_sets_the_region_and_region_rules_match_by_prefix(make_app):
    from qunshang.testing import make_member

    from .support import buy, product_in

    async with make_app(enabled=["crm"], settings=crm(strategy="pool")) as client:
        rt = client.runtime
        s1 = await seller(rt, "s1")
        await Route.create(match=RouteMatch.REGION, value="浙江省", salesperson_ids=[s1.id])
        buyer = await make_member("buyer@example.com")
        await assignment.ensure_customer(rt, buyer.id)
        await buy(client, buyer, (await product_in("puer")).id)  # ships to 浙江省杭州市西湖区
        assert (await Customer.get(member_id=buyer.id)).region == "浙江省杭州市西湖区"
        assert await assignment.assign_pool(rt) == 1 and await owner_of(buyer.id) == s1.id
        other = await lead(rt, "other", region="江苏省南京市")
        assert await assignment.assign(rt, other) is None


async def test_invalid_settings_stop_startup():
    from pydantic import ValidationError

    from qunshang.plugins.crm.settings import Settings

    for bad in ({"strategy": "random"}, {"protection_days": 0}, {"colour": "red"},
                {"thresholds": {"loyal_min_orders": 0}}):
        with pytest.raises(ValidationError):
            Settings(**bad)
