"""Performance per salesperson and team over a date range (exact figures, few queries), the
SVG charts, the CSV export (streamed, formula-escaped) and the console pages around them."""

import csv
import io
from datetime import date, datetime, timedelta, timezone

from qunshang.console.models import AuditEntry
from qunshang.orders.models import Order
from qunshang.plugins.crm.models import FollowUpKind
from qunshang.plugins.crm.service import access, assignment, followups, reports, salespeople
from qunshang.testing import make_member
from tests.core.console.conftest import csrf_of, sign_in, staff

from .support import QueryCounter, buy, lead, product_in, seller

POOL = {"crm": {"strategy": "pool", "default_capacity": None}}


async def _world(client, clock):
    """Two salespeople in a team, one outside; customers, follow-ups and paid orders on known days."""
    rt = client.runtime
    boss = await staff("boss@example.com", roles=["sales_manager"])
    team = await salespeople.create_team(rt, "East", boss.id)
    s1 = await seller(rt, "s1", team_id=team.id)
    s2 = await seller(rt, "s2", team_id=team.id)
    s3 = await seller(rt, "=cmd|' /C calc'!A0")  # a hostile display name
    sku = await product_in("puer", price=10000)
    clock.current = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)
    c1, c2, c3 = [await make_member(f"c{i}@example.com") for i in (1, 2, 3)]
    for c in (c1, c2, c3):
        await assignment.ensure_customer(rt, c.id)
    await assignment.claim(rt, s1.id, c1.id)
    await assignment.claim(rt, s1.id, c2.id)
    await assignment.claim(rt, s3.id, c3.id)
    await followups.add(rt, s1.id, c1.id, FollowUpKind.CALL, next_at=clock() + timedelta(days=1))
    await followups.add(rt, s1.id, c2.id, FollowUpKind.VISIT, next_at=clock() + timedelta(days=40))
    await buy(client, c1, sku.id, 2)          # 200.00 on 1 March
    await buy(client, c3, sku.id, 1)          # 100.00 for s3
    clock.current = datetime(2026, 4, 2, 2, tzinfo=timezone.utc)
    await buy(client, c1, sku.id, 1)          # April: outside a March range
    return boss, s1, s2, s3, (c1, c2, c3)


async def test_performance_figures_for_a_range(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        boss, s1, s2, s3, _ = await _world(client, clock)
        ops = await make_member("ops@example.com", roles=["operator"])
        march = reports.period(rt, date(2026, 3, 1), date(2026, 3, 31))
        with QueryCounter() as q:
            report = await reports.performance(rt, await access.scope_of(rt, ops.id), march)
        assert q.count <= 10
        by = {r["salesperson_id"]: r for r in report["salespeople"]}
        assert {k: by[s1.id][k] for k in reports.METRICS} == {
            "new_customers": 2, "follow_ups": 2, "overdue": 1, "orders": 1, "gmv": 20000, "registered": 0, "converted": 0}
        assert (by[s3.id]["orders"], by[s3.id]["gmv"], by[s2.id]["orders"]) == (1, 10000, 0)
        assert report["teams"] == [{"team_id": by[s1.id]["team_id"], "name": "East", **{
            "new_customers": 2, "follow_ups": 2, "overdue": 1, "orders": 1, "gmv": 20000, "registered": 0, "converted": 0},
            "conversion_percent": 0}]
        assert report["totals"]["gmv"] == 30000
        april = await reports.performance(rt, await access.scope_of(rt, ops.id), reports.period(rt, date(2026, 4, 1), date(2026, 4, 30)))
        assert {r["salesperson_id"]: r["gmv"] for r in april["salespeople"]}[s1.id] == 10000
        team_view = await reports.performance(rt, await access.scope_of(rt, boss.id), march)
        assert {r["salesperson_id"] for r in team_view["salespeople"]} == {s1.id, s2.id}


async def test_conversion_counts_registrations_in_the_range_that_ordered(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "least_loaded"}}) as client:
        rt = client.runtime
        s1 = await seller(rt, "s1")
        ops = await make_member("ops@example.com", roles=["operator"])
        sku = await product_in("puer")
        from .support import register
        from qunshang.members.models import Member
        ids = [await register(client, f"c{i}", {"source": "link"}) for i in range(3)]
        await buy(client, await Member.get(id=ids[0]), sku.id)
        day = rt.now().date()
        report = await reports.performance(rt, await access.scope_of(rt, ops.id), reports.period(rt, day, day))
        row = report["salespeople"][0]
        assert (row["salesperson_id"], row["registered"], row["converted"], row["conversion_percent"]) == (s1.id, 3, 1, 33)
        s2 = await seller(rt, "s2")
        for member_id in ids:  # s1 leaves: their customers move on, their record of who they converted stays
            await assignment.reassign(rt, member_id, s2.id if member_id == ids[0] else None, "s1 left", ops.id)
        again = await reports.performance(rt, await access.scope_of(rt, ops.id), reports.period(rt, day, day))
        by = {r["salesperson_id"]: (r["registered"], r["converted"]) for r in again["salespeople"]}
        assert by == {s1.id: (3, 1), s2.id: (0, 0)}


async def test_csv_export_is_escaped_and_matches_the_report(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        await _world(client, clock)
        await staff("ops@example.com", roles=["operator"])
        assert (await sign_in(client, "ops@example.com")).status_code == 303
        r = await client.get("/console/crm/performance.csv?start=2026-03-01&end=2026-03-31")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0] == list(reports.COLUMNS)
        names = [row[1] for row in rows[1:]]
        assert "'=cmd|' /C calc'!A0" in names and not any(n.startswith("=") for n in names)
        api = await client.get("/api/crm/performance.csv?start=2026-03-01&end=2026-03-31")
        assert api.status_code == 200 and api.content == r.content


async def test_console_performance_page_draws_svg_charts_without_script(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        await _world(client, clock)
        await staff("ops@example.com", roles=["operator"])
        await sign_in(client, "ops@example.com")
        page = await client.get("/console/crm/performance?start=2026-03-01&end=2026-03-31")
        assert page.status_code == 200
        assert page.text.count("<svg") == 3 and "<script" not in page.text
        assert "=cmd|&#39; /C" in page.text and "=cmd|' /C" not in page.text  # escaped in labels
        assert (await client.get("/console/crm/performance?start=2026-03-31&end=2026-03-01")).status_code == 400


async def test_console_customer_pages_follow_up_and_reassign_with_audit(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        boss, s1, s2, s3, (c1, c2, c3) = await _world(client, clock)
        assert (await sign_in(client, "boss@example.com", next_="/console/crm/customers")).status_code == 303
        listing = await client.get("/console/crm/customers")
        assert listing.status_code == 200 and f'/customers/{c1.id}"' in listing.text
        assert f'/customers/{c3.id}"' not in listing.text  # c3 is not the team's
        detail = await client.get(f"/console/crm/customers/{c1.id}")
        assert detail.status_code == 200 and "时间线" in detail.text
        token = csrf_of(detail.text)
        r = await client.post(f"/console/crm/customers/{c1.id}/assign", data={"_csrf_token": token, "to": str(s2.id), "reason": "leave"})
        assert r.status_code == 303
        entry = await AuditEntry.filter(action="crm.reassign").first()
        assert entry.target_id == str(c1.id) and entry.before == {"owner_id": s1.id}
        assert entry.after == {"owner_id": s2.id, "reason": "leave"} and entry.actor_id == boss.id
        r = await client.post(f"/console/crm/customers/{c1.id}/assign", data={"_csrf_token": token, "to": str(s3.id), "reason": "x"})
        assert r.status_code == 403  # s3 is outside the team


async def test_phone_view_lists_today_with_quick_follow_up_forms(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["salesperson"])
        c = await lead(rt, "小明")
        await salespeople.ensure(rt, me.id)
        await assignment.claim(rt, me.id, c)
        await followups.add(rt, me.id, c, FollowUpKind.CALL, next_at=rt.now() - timedelta(days=1))
        await sign_in(client, "me@example.com")
        page = await client.get("/console/crm/m")
        assert page.status_code == 200
        assert 'name="viewport" content="width=device-width' in page.text and "max-width:480px" in page.text
        assert "小明" in page.text and f'action="/console/crm/customers/{c}/follow-ups"' in page.text and "<svg" in page.text
        r = await client.post(f"/console/crm/customers/{c}/follow-ups", data={
            "_csrf_token": csrf_of(page.text), "kind": "chat", "note": "<script>x</script>", "next_at": "2026-01-09T10:00", "back": "m"})
        assert r.status_code == 303 and r.headers["location"] == "/console/crm/m"
        detail = await client.get(f"/console/crm/customers/{c}")
        assert "&lt;script&gt;x&lt;/script&gt;" in detail.text and "<script>x" not in detail.text
        today = await followups.today(rt, me.id)
        assert today["overdue"] == [] and today["due"] == []  # next is 9 January 10:00 Shanghai


async def test_phone_view_lists_my_dormant_customers_with_reason_and_action(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "dormant_days": 30}}) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["salesperson"])
        other = await seller(rt, "other")
        await salespeople.ensure(rt, me.id)
        mine, theirs = await lead(rt, "小红", registered_at=rt.now() - timedelta(days=45)), await lead(rt, "theirs")
        await assignment.claim(rt, me.id, mine)
        await assignment.claim(rt, other.id, theirs)
        from qunshang.plugins.crm.models import Customer
        await Customer.filter(member_id=theirs).update(registered_at=rt.now() - timedelta(days=45))
        await sign_in(client, "me@example.com")
        page = (await client.get("/console/crm/m", headers={"Accept-Language": "zh-CN"})).text
        assert "待唤醒 (1)" in page and f"/customers/{mine}\"" in page and f"/customers/{theirs}\"" not in page
        assert "注册 45 天以来从未下单" in page and "邀请入群，并发送首单优惠券。" in page


async def test_dormant_today_pool_and_rules_pages_render(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        await _world(client, clock)
        await staff("ops@example.com", roles=["operator"])
        await sign_in(client, "ops@example.com")
        for path in ("/console/crm/dormant", "/console/crm/today", "/console/crm/pool", "/console/crm/rules"):
            r = await client.get(path, headers={"Accept-Language": "zh-CN"})
            assert r.status_code == 200, path
        token = csrf_of(r.text)
        r = await client.post("/console/crm/rules/tags", data={"_csrf_token": token, "kind": "no_order_days", "value": "30", "tag": "睡"})
        assert r.status_code == 303 and await AuditEntry.filter(action="crm.tag_rule.create").exists()
        assert "分配规则" in (await client.get("/console/crm/rules", headers={"Accept-Language": "zh-CN"})).text


async def test_a_past_range_keeps_its_figures_when_customers_change_hands_later(make_app, clock):
    """Orders count for whoever owned the buyer when they paid; a reassignment or a release
    afterwards does not rewrite last month's report."""
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        boss, s1, s2, s3, (c1, c2, c3) = await _world(client, clock)
        ops = await make_member("ops@example.com", roles=["operator"])
        march = reports.period(rt, date(2026, 3, 1), date(2026, 3, 31))
        before = await reports.performance(rt, await access.scope_of(rt, ops.id), march)
        await assignment.reassign(rt, c1.id, s2.id, "s1 left", ops.id)
        await assignment.reassign(rt, c3.id, None, "back to the pool", ops.id)
        after = await reports.performance(rt, await access.scope_of(rt, ops.id), march)
        pick = lambda report: {r["salesperson_id"]: (r["orders"], r["gmv"]) for r in report["salespeople"]}  # noqa: E731
        assert pick(after) == pick(before) == {s1.id: (1, 20000), s2.id: (0, 0), s3.id: (1, 10000)}


async def test_overdue_counts_follow_ups_that_fell_due_in_the_range_and_were_not_done_that_day(make_app, clock):
    clock.current = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)  # 10:00 in Shanghai
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        s1 = await seller(rt, "s1")
        ops = await make_member("ops@example.com", roles=["operator"])
        late, on_time, same_day, open_ = [await lead(rt, n) for n in ("late", "on_time", "same_day", "open")]
        shanghai = timezone(timedelta(hours=8))
        for c in (late, on_time, same_day, open_):
            await assignment.claim(rt, s1.id, c)
            await followups.add(rt, s1.id, c, FollowUpKind.CALL, next_at=datetime(2026, 3, 10, 9, tzinfo=shanghai))
        clock.current = datetime(2026, 3, 9, 2, tzinfo=timezone.utc)
        await followups.add(rt, s1.id, on_time, FollowUpKind.CALL)                    # the day before
        clock.current = datetime(2026, 3, 10, 15, tzinfo=timezone.utc)               # 23:00 on the due day
        await followups.add(rt, s1.id, same_day, FollowUpKind.CALL)
        clock.current = datetime(2026, 4, 5, 2, tzinfo=timezone.utc)
        await followups.add(rt, s1.id, late, FollowUpKind.CALL)                       # weeks late
        scope = await access.scope_of(rt, ops.id)

        def overdue(report):
            return report["totals"]["overdue"]

        assert overdue(await reports.performance(rt, scope, reports.period(rt, date(2026, 3, 1), date(2026, 3, 31)))) == 2
        assert overdue(await reports.performance(rt, scope, reports.period(rt, date(2026, 3, 1), date(2026, 3, 9)))) == 0
        assert overdue(await reports.performance(rt, scope, reports.period(rt, date(2026, 3, 10), date(2026, 3, 10)))) == 2
        assert overdue(await reports.performance(rt, scope, reports.period(rt, date(2026, 3, 11), date(2026, 4, 30)))) == 0


async def test_any_date_range_works_and_impossible_ones_are_400(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        await _world(client, clock)
        await staff("ops@example.com", roles=["operator"])
        from qunshang.testing import bearer
        headers = {**await bearer(await staff("api@example.com", roles=["operator"])), "Accept-Language": "zh-CN"}
        r = await client.get("/api/crm/performance?start=2020-01-01&end=2026-12-31", headers=headers)
        assert r.status_code == 200 and r.json()["totals"]["gmv"] == 40000  # seven years, every order
        for start, end in (("2026-03-31", "2026-03-01"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")):
            r = await client.get(f"/api/crm/performance?start={start}&end={end}", headers=headers)
            assert r.status_code == 400 and r.json()["error"]["code"] == "crm_bad_range", (start, r.text)
            assert r.json()["error"]["message"].startswith("日期范围无效")
        r = await client.get("/api/crm/performance?start=2026-02-30&end=2026-03-01", headers=headers)
        assert r.status_code == 400


async def test_refunds_reverse_the_credited_gmv_and_the_customers_spend(make_app, clock):
    """``order_refunded`` asks plugins to reverse what they credited: GMV is net of refunds."""
    from qunshang.orders import refunds
    from qunshang.orders.models import OrderLine
    from qunshang.plugins.crm.models import Customer

    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        boss, s1, s2, s3, (c1, c2, c3) = await _world(client, clock)
        ops = await make_member("ops@example.com", roles=["operator"])
        march = reports.period(rt, date(2026, 3, 1), date(2026, 3, 31))
        first = (await Order.filter(member_id=c1.id).order_by("id").first())
        line = await OrderLine.get(order_id=first.id)
        await refunds.refund(rt, first.id, key="r1", lines=[{"line_id": line.id, "quantity": 1}])  # one of two
        report = await reports.performance(rt, await access.scope_of(rt, ops.id), march)
        by = {r["salesperson_id"]: (r["orders"], r["gmv"]) for r in report["salespeople"]}
        assert by[s1.id] == (1, 10000) and report["totals"]["gmv"] == 20000
        assert (await Customer.get(member_id=c1.id)).paid_total == 20000  # 200 + 100 paid, 100 back
        await refunds.refund(rt, first.id, key="r2")  # the rest
        report = await reports.performance(rt, await access.scope_of(rt, ops.id), march)
        assert {r["salesperson_id"]: r["gmv"] for r in report["salespeople"]}[s1.id] == 0
