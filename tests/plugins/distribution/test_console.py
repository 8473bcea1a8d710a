"""Console pages: every distribution route as every role, the reviews and changes they make
(audited), filters, the CSV export's formula escaping, and member text rendered inert."""

import csv
import io

import pytest

from qunshang.console.access import STAFF, allows
from qunshang.console.models import AuditEntry
from qunshang.plugins.distribution.models import (Application, Distributor, DistributorStatus, Grade,
                                                  UplineChange, Withdrawal, WithdrawalStatus)
from qunshang.plugins.distribution.service import distributors, grades, withdrawals
from tests.core.console.conftest import PASSWORD, STAFF_ROLES, post_form, sign_in, staff
from tests.core.console.test_permission_matrix import console_routes
from tests.themes.shop import XSS

from .site import pay, register, world
from .support import close, settings

ROLES = (*STAFF_ROLES, "member", "anonymous")


@pytest.mark.parametrize("role", ROLES)
async def test_distribution_console_permission_matrix(make_app, role):
    """The core matrix test runs without plugins; this walks the distribution pages the same way."""
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        runtime = client.runtime
        grants = set()
        if role == "member":
            await staff("someone@example.com")
            r = await client.post("/api/auth/login", json={"login": "someone@example.com", "password": PASSWORD},
                                  headers=await client.form_headers())
            assert r.status_code == 200
        elif role != "anonymous":
            await staff("someone@example.com", roles=[role])
            assert (await sign_in(client, "someone@example.com")).status_code == 303
            grants = runtime.state["permissions"].get(role, set())
        routes = [r for r in console_routes(client.app) if r[1].startswith("/console/distribution")]
        assert len(routes) == 20 and all(perm in ("distribution.manage", "distribution.finance") for _, _, perm in routes)
        wrong = []
        for method, path, permission in routes:
            headers = await client.form_headers() if method == "POST" else {}
            data = {"_csrf_token": headers.get("x-csrftoken", "")} if method == "POST" else None
            r = await client.request(method, path, headers=headers, data=data)
            if role == "anonymous":
                ok = r.status_code == 303 and r.headers["location"].startswith("/console/login")
            elif allows(grants, STAFF) and allows(grants, permission):
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                wrong.append((method, path, permission, r.status_code))
        assert wrong == []


async def _operator(client, role="operator"):
    member = await staff(f"{role}@example.com", roles=[role])
    assert (await sign_in(client, f"{role}@example.com")).status_code == 303
    return member


async def test_navigation_shows_each_role_its_pages(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        await _operator(client, "finance")
        home = (await client.get("/console/", headers={"Accept-Language": "en"})).text
        assert 'href="/console/distribution/withdrawals"' in home and 'href="/console/distribution/commissions"' in home
        assert 'href="/console/distribution/tree"' not in home
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        await _operator(client)
        home = (await client.get("/console/", headers={"Accept-Language": "zh-CN"})).text
        assert 'href="/console/distribution/tree"' in home and "推荐关系树" in home
        assert 'href="/console/distribution/withdrawals"' not in home


async def test_settings_page_shows_the_effective_settings_and_grades(make_app):
    async with make_app(enabled=["distribution"], settings=settings(binding="valid_days", binding_days=45)) as client:
        await grades.create(client.runtime, name="金牌", rank=1, rates_bp=[2500, 1200], min_team_size=10)
        await _operator(client)
        page = (await client.get("/console/distribution/settings", headers={"Accept-Language": "en"})).text
        assert "<code>binding_days</code></th><td>45</td>" in page and "<code>rates_bp</code></th><td>2000, 1000</td>" in page
        assert "金牌" in page and "2500 / 1200" in page


async def test_applications_are_approved_and_rejected_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="application")) as client:
        runtime = client.runtime
        one = await register(runtime, "13900000001", "申请人一")
        two = await register(runtime, "13900000002", "申请人二")
        first, second = await distributors.apply(runtime, one.id), await distributors.apply(runtime, two.id)
        await _operator(client)
        page = (await client.get("/console/distribution/applications", headers={"Accept-Language": "en"})).text
        assert "申请人一" in page and f"/applications/{first.id}/approve" in page
        r = await post_form(client, f"/console/distribution/applications/{first.id}/approve")
        assert r.status_code == 303
        r = await post_form(client, f"/console/distribution/applications/{second.id}/reject", {"reason": "资料不全"})
        assert r.status_code == 303
        assert (await Distributor.get(member_id=one.id)).via == "application"
        assert not await Distributor.exists(member_id=two.id)
        assert (await Application.get(id=second.id)).reason == "资料不全"
        actions = await AuditEntry.filter(target_type="distribution_application").order_by("id").values_list("action", "target_id")
        assert actions == [("distribution.application.approve", str(first.id)), ("distribution.application.reject", str(second.id))]
        again = await post_form(client, f"/console/distribution/applications/{first.id}/approve")
        assert again.status_code == 409  # already reviewed; nothing audited twice
        assert await AuditEntry.filter(target_type="distribution_application").count() == 2
        pending = (await client.get("/console/distribution/applications")).text
        assert "申请人一" not in pending
        rejected = (await client.get("/console/distribution/applications?status=rejected")).text
        assert "申请人二" in rejected and "资料不全" in rejected
        assert (await post_form(client, "/console/distribution/applications/999999/approve")).status_code == 404


async def test_distributors_are_frozen_and_graded_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        gold = await grades.create(client.runtime, name="金牌", rank=1, rates_bp=[2500])
        await _operator(client)
        page = (await client.get("/console/distribution/distributors")).text
        assert "阿明" in page and "金牌" in page
        r = await post_form(client, f"/console/distribution/distributors/{w.b.id}", {"status": "frozen", "grade_id": str(gold.id)})
        assert r.status_code == 303
        row = await Distributor.get(member_id=w.b.id)
        assert (row.status, row.grade_id) == (DistributorStatus.FROZEN, gold.id)
        entry = await AuditEntry.get(action="distribution.distributor.update")
        assert entry.before == {"status": "active", "grade_id": None} and entry.after == {"status": "frozen", "grade_id": gold.id}
        await post_form(client, f"/console/distribution/distributors/{w.b.id}", {"status": "active", "grade_id": ""})
        row = await Distributor.get(member_id=w.b.id)
        assert (row.status, row.grade_id) == (DistributorStatus.ACTIVE, None)
        bad = await post_form(client, f"/console/distribution/distributors/{w.b.id}", {"status": "boss"})
        assert bad.status_code == 400
        assert (await post_form(client, "/console/distribution/distributors/999999", {"status": "frozen"})).status_code == 404


async def test_operators_add_grades_from_the_settings_page_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        await _operator(client)
        assert 'action="/console/distribution/grades"' in (await client.get("/console/distribution/settings")).text
        r = await post_form(client, "/console/distribution/grades", {
            "name": "金牌", "rank": "3", "rates_bp": "1500, 700", "min_team_size": "5", "min_team_sales": "1000.50",
            "min_own_sales": ""})
        assert r.status_code == 303
        grade = await Grade.get(name="金牌")
        assert (grade.rank, grade.rates_bp, grade.min_team_size, grade.min_team_sales, grade.min_own_sales) == (
            3, [1500, 700], 5, 100050, None)
        entry = await AuditEntry.get(action="distribution.grade.create")
        assert entry.target_id == str(grade.id) and entry.after["rates_bp"] == [1500, 700]
        page = (await client.get("/console/distribution/settings", headers={"Accept-Language": "en"})).text
        assert "1500 / 700" in page
        for bad in ({"rates_bp": "15%"}, {"rates_bp": "8000, 8000"}, {"rates_bp": "1, 1, 1"}, {"rank": "x"},
                    {"name": ""}, {"min_team_sales": "1.001"}, {"rank": "3"}):
            r = await post_form(client, "/console/distribution/grades", {"name": "银牌", "rank": "4", **bad})
            assert r.status_code in (400, 409), bad
        assert await Grade.all().count() == 1 and await AuditEntry.filter(action="distribution.grade.create").count() == 1


async def test_the_tree_and_an_audited_upline_change(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime)
        other = await register(client.runtime, "13900000004", "老赵")
        operator = await _operator(client)
        page = (await client.get(f"/console/distribution/tree?member_id={w.c.id}", headers={"Accept-Language": "en"})).text
        assert page.index("小芳") < page.index("阿明")  # nearest upline first
        page = (await client.get(f"/console/distribution/tree?member_id={w.a.id}", headers={"Accept-Language": "en"})).text
        assert "Members: 2" in page and "小芳" in page
        missing_reason = await post_form(client, f"/console/distribution/tree/{w.b.id}/upline", {"upline_id": str(other.id)})
        assert missing_reason.status_code == 400
        r = await post_form(client, f"/console/distribution/tree/{w.b.id}/upline", {"upline_id": str(other.id), "reason": "客户要求"})
        assert r.status_code == 303 and r.headers["location"] == f"/console/distribution/tree?member_id={w.b.id}"
        change = await UplineChange.get(member_id=w.b.id)
        assert (change.old_upline_id, change.new_upline_id, change.reason, change.actor_id) == (w.a.id, other.id, "客户要求", operator.id)
        entry = await AuditEntry.get(action="distribution.upline.change")
        assert entry.before == {"upline_id": w.a.id} and entry.after == {"upline_id": other.id, "reason": "客户要求"}
        page = (await client.get(f"/console/distribution/tree?member_id={other.id}", headers={"Accept-Language": "en"})).text
        assert "Members: 2" in page  # B moved with C
        cycle = await post_form(client, f"/console/distribution/tree/{other.id}/upline", {"upline_id": str(w.c.id), "reason": "x"})
        assert cycle.status_code == 409 and await AuditEntry.filter(action="distribution.upline.change").count() == 1
        removed = await post_form(client, f"/console/distribution/tree/{w.b.id}/upline", {"upline_id": "", "reason": "解除"})
        assert removed.status_code == 303
        assert (await UplineChange.filter(member_id=w.b.id).order_by("-id").first()).new_upline_id is None
        assert (await client.get("/console/distribution/tree?member_id=999999")).status_code == 404


async def test_commissions_filter_paginate_and_export_with_formulas_neutralised(make_app, clock):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime, title="=HYPERLINK(\"http://evil\")")
        clock.advance(days=3)
        second = await pay(client.runtime, w.c, (await w.product.skus.all())[0])
        await close(client.runtime, w.order.id)
        await _operator(client, "finance")
        en = {"Accept-Language": "en"}
        everything = (await client.get("/console/distribution/commissions", headers=en)).text
        assert everything.count("<tr><td>") == 4
        assert (await client.get("/console/distribution/commissions?status=available", headers=en)).text.count("<tr><td>") == 2
        assert (await client.get(f"/console/distribution/commissions?earner_id={w.a.id}", headers=en)).text.count("<tr><td>") == 2
        assert (await client.get(f"/console/distribution/commissions?order_id={second.id}", headers=en)).text.count("<tr><td>") == 2
        day = clock.current.date().isoformat()
        recent = (await client.get(f"/console/distribution/commissions?since={day}&until={day}", headers=en)).text
        assert recent.count("<tr><td>") == 2
        assert (await client.get("/console/distribution/commissions?offset=3", headers=en)).text.count("<tr><td>") == 1
        assert (await client.get("/console/distribution/commissions?since=yesterday")).status_code == 400
        assert (await client.get("/console/distribution/commissions?status=evil")).status_code == 400
        r = await client.get("/console/distribution/commissions.csv?status=available")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.headers["content-disposition"] == 'attachment; filename="commissions.csv"'
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0][:5] == ["id", "order_id", "order_line_id", "order_number", "title"] and len(rows) == 3
        assert {row[4] for row in rows[1:]} == {"'=HYPERLINK(\"http://evil\")"}
        assert sorted(int(row[rows[0].index("amount")]) for row in rows[1:]) == [1000, 2000]


async def test_withdrawals_are_approved_and_rejected_by_finance_with_an_audit(make_app):
    async with make_app(enabled=["distribution"], settings=settings(withdrawal_fee_bp=100)) as client:
        runtime = client.runtime
        w = await world(runtime)
        await close(runtime, w.order.id)  # B ¥20, A ¥10 available
        paid = await withdrawals.request(runtime, w.b.id, 2000)
        refused = await withdrawals.request(runtime, w.a.id, 1000)
        await _operator(client, "finance")
        page = (await client.get("/console/distribution/withdrawals", headers={"Accept-Language": "en"})).text
        assert "小芳" in page and "CN¥19.80" in page  # net of the 1% fee
        assert (await post_form(client, f"/console/distribution/withdrawals/{paid.id}/approve")).status_code == 303
        r = await post_form(client, f"/console/distribution/withdrawals/{refused.id}/reject", {"reason": "账户信息有误"})
        assert r.status_code == 303
        assert (await Withdrawal.get(id=paid.id)).status == WithdrawalStatus.PAID
        assert (await Withdrawal.get(id=refused.id)).reason == "账户信息有误"
        assert (await withdrawals.balances(w.b.id))["withdrawn"] == 1980 and (await withdrawals.balances(w.a.id))["available"] == 1000
        assert [e.action for e in await AuditEntry.filter(target_type="distribution_withdrawal").order_by("id")] == [
            "distribution.withdrawal.approve", "distribution.withdrawal.reject"]
        twice = await post_form(client, f"/console/distribution/withdrawals/{paid.id}/approve")
        assert twice.status_code == 409 and (await withdrawals.balances(w.b.id))["withdrawn"] == 1980


async def test_member_text_is_inert_in_console_pages(make_app):
    from tests.themes.test_xss import assert_inert

    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime, names=(f"{XSS}甲", f"{XSS}乙", f"{XSS}丙"), title=f"{XSS}茶")
        await close(client.runtime, w.order.id)
        await withdrawals.request(client.runtime, w.b.id, 1000)
        await _operator(client, "owner")
        for path in ("/console/distribution/leaderboard", f"/console/distribution/tree?member_id={w.b.id}",
                     "/console/distribution/distributors", "/console/distribution/commissions",
                     "/console/distribution/withdrawals"):
            r = await client.get(path)
            assert r.status_code == 200, path
            assert_inert(r.text, path)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, path
        board = (await client.get("/console/distribution/leaderboard")).text
        assert board.index("乙") < board.index("甲")  # B earned ¥20, A ¥10


async def test_member_text_is_inert_on_the_storefront(make_app):
    from tests.themes.test_xss import assert_inert

    from .site import log_in

    async with make_app(enabled=["distribution"], settings=settings()) as client:
        w = await world(client.runtime, names=(f"{XSS}甲", f"{XSS}乙", f"{XSS}丙"), title=f"{XSS}茶")
        await log_in(client, "13900000002")
        for path in ("/distribution/team", "/distribution/earnings", f"/distribution/share?product_id={w.product.id}",
                     f"/p/{w.product.id}", "/me", "/distribution"):
            r = await client.get(path)
            assert r.status_code == 200, path
            assert_inert(r.text, path)
        team = (await client.get("/distribution/team")).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in team and "丙" in team
