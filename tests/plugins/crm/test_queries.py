"""List pages cost a bounded number of queries, whatever the number of rows (no N+1)."""

from datetime import timedelta

from qunshang.plugins.crm.models import FollowUpKind
from qunshang.plugins.crm.service import assignment, followups, salespeople, tags
from qunshang.testing import bearer
from tests.core.console.conftest import sign_in, staff

from .support import QueryCounter, lead

POOL = {"crm": {"strategy": "pool", "default_capacity": None, "dormant_days": 30}}


async def _customers(rt, seller_id: int, first: int, count: int) -> None:
    """Owned, tagged, dormant customers with a follow-up due today, and as many in the pool."""
    for i in range(first, first + count):
        owned = await lead(rt, f"c{i}", registered_at=rt.now() - timedelta(days=90))
        await assignment.claim(rt, seller_id, owned)
        await followups.add(rt, seller_id, owned, FollowUpKind.CALL, "x", next_at=rt.now() - timedelta(days=i % 2))
        await tags.add(rt, owned, f"t{i}")
        await lead(rt, f"p{i}", registered_at=rt.now() - timedelta(days=90))


async def test_list_pages_cost_the_same_queries_for_2_and_12_rows(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["salesperson"])
        await salespeople.ensure(rt, me.id)
        day = rt.now().date().isoformat()
        api = ["/api/crm/customers", "/api/crm/pool", "/api/crm/dormant", "/api/crm/today"]
        console = ["/console/crm/customers", "/console/crm/pool", "/console/crm/dormant", "/console/crm/today", "/console/crm/m"]
        headers = await bearer(me)
        await sign_in(client, "me@example.com")

        async def costs():
            out = {}
            for path in api + console:
                await client.get(path, headers=headers if path.startswith("/api") else {})  # warm caches
                with QueryCounter() as q:
                    r = await client.get(path, headers=headers if path.startswith("/api") else {})
                assert r.status_code == 200, path
                out[path] = q.count
            return out

        await _customers(rt, me.id, 0, 2)
        few = await costs()
        await _customers(rt, me.id, 2, 10)
        many = await costs()
        assert many == few
        assert 0 < min(few.values()) and max(few.values()) <= 12


async def test_performance_and_rules_pages_cost_the_same_for_2_and_12_salespeople(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        await staff("ops@example.com", roles=["operator"])
        await sign_in(client, "ops@example.com")
        day = rt.now().date().isoformat()
        paths = [f"/console/crm/performance?start={day}&end={day}", "/console/crm/rules", "/api/crm/admin/salespeople"]

        async def add(first, count):
            for i in range(first, first + count):
                s = await staff(f"s{i}@example.com", roles=["salesperson"])
                await salespeople.ensure(rt, s.id)
                c = await lead(rt, f"c{i}")
                await assignment.claim(rt, s.id, c)
                await followups.add(rt, s.id, c, FollowUpKind.CALL, "x")

        async def costs():
            out = {}
            for path in paths:
                await client.get(path)
                with QueryCounter() as q:
                    r = await client.get(path)
                assert r.status_code == 200, path
                out[path] = q.count
            return out

        await add(0, 2)
        few = await costs()
        await add(2, 10)
        assert await costs() == few
