"""The JSON API: members' pages, operators' and finance's, permissions and bad input."""

import pytest

from qunshang.plugins.distribution.models import Distributor, Grade
from qunshang.plugins.distribution.service import binding
from qunshang.testing import bearer, make_member

from .support import buy, chain, close, distributor, settings, sku


async def _staff(role):
    return await bearer(await make_member(f"{role}@example.com", roles=[role]))


async def test_everyone_mode_become_share_link_and_qr(make_app):
    async with make_app(enabled=["distribution"], settings=settings(),
                        config={"app": {"base_url": "https://shop.example.com/"}}) as client:
        member = await make_member("m@example.com")
        headers = await bearer(member)
        r = await client.post("/api/distribution/become", headers=headers)
        assert r.status_code == 201 and r.json()["distributor"]["member_id"] == member.id
        assert (await client.post("/api/distribution/become", headers=headers)).json()["error"]["code"] == "already_distributor"
        code = r.json()["distributor"]["code"]
        share = (await client.get("/api/distribution/share", headers=headers)).json()
        assert share == {"code": code, "link": f"https://shop.example.com/?ref={code}", "product": None}
        tea = await sku()
        share = (await client.get(f"/api/distribution/share?product_id={tea.product_id}", headers=headers)).json()
        assert share["link"] == f"https://shop.example.com/p/{tea.product_id}?ref={code}"
        assert share["product"]["title"] == "Tea T-1"
        assert (await client.get("/api/distribution/share?product_id=999999", headers=headers)).status_code == 404
        qr = await client.get("/api/distribution/share/qr.svg", headers=headers)
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
        assert qr.text.lstrip().startswith("<svg")
        assert (await client.get("/api/distribution/me")).status_code == 401


async def test_application_mode_and_operator_review(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="application")) as client:
        member = await make_member("m@example.com")
        headers = await bearer(member)
        assert (await client.get("/api/distribution/share", headers=headers)).json()["error"]["code"] == "not_a_distributor"
        r = await client.post("/api/distribution/become", headers=headers)
        assert r.status_code == 201 and r.json()["application"]["status"] == "pending"
        again = await client.post("/api/distribution/become", headers=headers)
        assert again.json()["error"]["code"] == "application_open"
        app_id = r.json()["application"]["id"]
        assert (await client.post(f"/api/distribution/manage/applications/{app_id}/approve", headers=headers)).status_code == 403
        operator = await _staff("operator")
        listed = (await client.get("/api/distribution/manage/applications?status=pending", headers=operator)).json()
        assert [a["id"] for a in listed["items"]] == [app_id]
        done = await client.post(f"/api/distribution/manage/applications/{app_id}/approve", headers=operator)
        assert done.status_code == 200 and done.json()["status"] == "approved"
        assert await Distributor.exists(member_id=member.id, via="application")
        twice = await client.post(f"/api/distribution/manage/applications/{app_id}/reject", headers=operator, json={})
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_reviewed"
        assert (await client.post("/api/distribution/manage/applications/999/approve", headers=operator)).status_code == 404


async def test_designated_mode_only_operators_make_distributors(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="designated")) as client:
        member = await make_member("m@example.com")
        r = await client.post("/api/distribution/become", headers=await bearer(member))
        assert r.status_code == 403 and r.json()["error"]["code"] == "designated_only"
        operator = await _staff("operator")
        grade = await client.post("/api/distribution/manage/grades", headers=operator,
                                  json={"name": "银牌", "rank": 1, "rates_bp": [2500, 1200]})
        assert grade.status_code == 201, grade.text
        r = await client.post("/api/distribution/manage/distributors", headers=operator,
                              json={"member_id": member.id, "grade_id": grade.json()["id"]})
        assert r.status_code == 201 and r.json()["grade_id"] == grade.json()["id"]
        r = await client.patch(f"/api/distribution/manage/distributors/{member.id}", headers=operator, json={"status": "frozen"})
        assert r.json()["status"] == "frozen"
        assert (await client.post("/api/distribution/manage/distributors", headers=operator,
                                  json={"member_id": 999999})).status_code == 404


@pytest.mark.parametrize("body", [
    {"rates_bp": [10001]}, {"rates_bp": [-1]}, {"rates_bp": ["500"]}, {"rates_bp": [500.0]},
    {"rates_bp": [100, 100, 100]},  # more rates than the 2 configured levels
    {"rates_bp": [8000, 8000]},  # the levels together would pay 160% of the line
    {"rates_bp": [100], "amounts_per_unit": [500]}, {"amounts_per_unit": [-1]}, {"nope": 1},
])
async def test_bad_rate_overrides_are_refused(make_app, body):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        tea = await sku()
        r = await client.put(f"/api/distribution/manage/products/{tea.product_id}/rates", json=body,
                             headers=await _staff("operator"))
        assert r.status_code == 400, r.text


async def test_grade_rates_adding_up_to_more_than_the_line_are_refused(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        operator = await _staff("operator")
        r = await client.post("/api/distribution/manage/grades", headers=operator,
                              json={"name": "greedy", "rank": 1, "rates_bp": [6000, 5000]})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_input"
        assert not await Grade.exists()


async def test_my_team_and_earnings_with_explanations(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 2)
        team = (await client.get("/api/distribution/team", headers=await bearer(a))).json()
        assert team["levels"] == [{"level": 1, "members": 1}, {"level": 2, "members": 1}] and team["team_size"] == 2
        assert [j["member_id"] for j in team["recent_joins"]] == [b.id]
        direct = (await client.get("/api/distribution/team/direct", headers=await bearer(b))).json()
        assert [m["member_id"] for m in direct["items"]] == [c.id]
        earnings = (await client.get("/api/distribution/earnings", headers=await bearer(b))).json()
        assert earnings["balances"] == {"pending": 4000, "available": 0, "withdrawn": 0, "withdrawing": 0}
        (item,) = earnings["items"]
        assert (item["order_id"], item["amount"], item["explanation"]["rate_bp"]) == (order["id"], 4000, 2000)
        assert (await client.get("/api/distribution/earnings", headers=await bearer(c))).json()["items"] == []
        me = (await client.get("/api/distribution/me", headers=await bearer(c))).json()
        assert me["upline_id"] == b.id and me["distributor"]["code"] == c.code


async def test_operator_tree_upline_change_commissions_csv_and_leaderboard(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        x = await distributor(client.runtime, "x")
        order = await buy(client, c, (await sku(price=10000)).id)
        operator = await _staff("operator")
        assert (await client.get(f"/api/distribution/manage/tree/{c.id}", headers=await bearer(c))).status_code == 403
        tree = (await client.get(f"/api/distribution/manage/tree/{c.id}", headers=operator)).json()
        assert [u["member_id"] for u in tree["uplines"]] == [b.id, a.id]
        bad = await client.put(f"/api/distribution/manage/members/{b.id}/upline", headers=operator,
                               json={"upline_id": x.id, "reason": "  "})
        assert bad.status_code == 400
        r = await client.put(f"/api/distribution/manage/members/{b.id}/upline", headers=operator,
                             json={"upline_id": x.id, "reason": "<b>requested</b> by B"})
        assert r.status_code == 200 and r.json()["changes"][0]["reason"] == "<b>requested</b> by B"
        cycle = await client.put(f"/api/distribution/manage/members/{x.id}/upline", headers=operator,
                                 json={"upline_id": c.id, "reason": "loop"})
        assert cycle.status_code == 409 and cycle.json()["error"]["code"] == "cycle_binding"
        listed = (await client.get(f"/api/distribution/manage/commissions?earner_id={a.id}&level=2", headers=operator)).json()
        assert [(i["order_id"], i["amount"]) for i in listed["items"]] == [(order["id"], 1000)]
        assert (await client.get("/api/distribution/manage/commissions?level=4", headers=operator)).status_code == 400
        csv = await client.get(f"/api/distribution/manage/commissions.csv?order_id={order['id']}", headers=operator)
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        lines = csv.text.strip().splitlines()
        assert lines[0].lstrip("\ufeff").startswith("id,order_id,order_line_id,order_number,title") and len(lines) == 3
        board = (await client.get("/api/distribution/manage/leaderboard?days=30", headers=operator)).json()["items"]
        assert [(r["member_id"], r["earned"]) for r in board] == [(b.id, 2000), (a.id, 1000)]


async def test_grades_upgrade_by_rules_when_commissions_settle_and_never_downgrade(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        operator = await _staff("operator")
        silver = await client.post("/api/distribution/manage/grades", headers=operator,
                                   json={"name": "silver", "rank": 1, "rates_bp": [2500, 1200], "min_team_size": 2})
        gold = await client.post("/api/distribution/manage/grades", headers=operator,
                                 json={"name": "gold", "rank": 2, "rates_bp": [3000], "min_team_sales": 10**9})
        assert silver.status_code == gold.status_code == 201
        dup = await client.post("/api/distribution/manage/grades", headers=operator, json={"name": "silver", "rank": 9})
        assert dup.status_code == 409
        order = await buy(client, c, (await sku(price=10000)).id)
        await close(client.runtime, order["id"])
        assert (await Distributor.get(member_id=a.id)).grade_id == silver.json()["id"]  # team of 2 ≥ 2
        assert (await Distributor.get(member_id=b.id)).grade_id is None  # team of 1
        r = await client.patch(f"/api/distribution/manage/grades/{silver.json()['id']}", headers=operator,
                               json={"min_team_size": 50})
        assert r.status_code == 200 and r.json()["min_team_size"] == 50
        again = await buy(client, c, (await sku(price=10000, code="T-2")).id)
        await close(client.runtime, again["id"])
        assert (await Distributor.get(member_id=a.id)).grade_id == silver.json()["id"]  # kept, not lowered


async def test_grades_are_evaluated_for_the_buyer_and_everyone_above_not_only_the_earners(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        root = await distributor(client.runtime, "root")
        await binding.change_upline(client.runtime, a.id, root.id, reason="test", actor_id=None)
        team_grade = await Grade.create(name="leader", rank=1, min_team_size=3)
        buyer_grade = await Grade.create(name="shopper", rank=2, min_own_sales=10000)
        solo = await distributor(client.runtime, "solo")  # no upline: the order pays no commission at all
        order = await buy(client, c, (await sku(price=10000)).id)
        await close(client.runtime, order["id"])
        assert (await Distributor.get(member_id=root.id)).grade_id == team_grade.id  # third level up: not an earner
        assert (await Distributor.get(member_id=c.id)).grade_id == buyer_grade.id  # the buyer's own sales
        alone = await buy(client, solo, (await sku(price=10000, code="T-2")).id)
        await close(client.runtime, alone["id"])
        assert (await Distributor.get(member_id=solo.id)).grade_id == buyer_grade.id


async def test_calculator_and_openapi(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        tea = await sku(price=12345)
        member = await bearer(await make_member("m@example.com"))
        calc = (await client.get(f"/api/distribution/products/{tea.product_id}/calculator", headers=member)).json()
        assert [(lv["level"], lv["amount"], lv["source"]) for lv in calc["skus"][0]["levels"]] == [
            (1, 2469, "default"), (2, 1235, "default")]
        schema = (await client.get("/schema/openapi.json")).json()
        ours = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/distribution")}
        assert len(ours) >= 20
        assert all(op.get("summary") for ops in ours.values() for op in ops.values() if isinstance(op, dict))


async def test_unknown_ids_and_malformed_queries_are_4xx_never_500(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        operator = await _staff("operator")
        finance = await _staff("finance")
        cases = [
            ("patch", "/api/distribution/manage/distributors/999999", operator, {"status": "frozen"}, 404),
            ("patch", f"/api/distribution/manage/distributors/{a.id}", operator, {"status": "gone"}, 400),
            ("patch", f"/api/distribution/manage/distributors/{a.id}", operator, {"grade_id": 999}, 404),
            ("get", "/api/distribution/manage/tree/999999", operator, None, 404),
            ("put", "/api/distribution/manage/members/999999/upline", operator, {"upline_id": a.id, "reason": "x"}, 404),
            ("put", f"/api/distribution/manage/members/{b.id}/upline", operator, {"upline_id": 999999, "reason": "x"}, 404),
            ("put", f"/api/distribution/manage/members/{b.id}/upline", operator, {"upline_id": b.id, "reason": "x"}, 409),
            ("put", f"/api/distribution/manage/members/{b.id}/upline", operator, {"upline_id": str(a.id), "reason": "x"}, 400),
            ("put", f"/api/distribution/manage/members/{b.id}/upline", operator, {"upline_id": a.id, "reason": "same"}, 200),
            ("get", "/api/distribution/manage/commissions?since=yesterday", operator, None, 400),
            ("get", "/api/distribution/manage/commissions?limit=0", operator, None, 400),
            ("get", "/api/distribution/manage/leaderboard?days=-1", operator, None, 400),
            ("delete", "/api/distribution/manage/products/999/rates", operator, None, 404),
            ("put", "/api/distribution/manage/products/999/rates", operator, {"rates_bp": [100]}, 404),
            ("patch", "/api/distribution/manage/grades/999", operator, {"rank": 3}, 404),
            ("post", "/api/distribution/finance/withdrawals/999/approve", finance, None, 404),
            ("post", "/api/distribution/finance/withdrawals/999/reject", finance, {"reason": "x"}, 404),
            ("get", "/api/distribution/finance/withdrawals", operator, None, 403),
            ("get", "/api/distribution/manage/commissions", finance, None, 403),
            ("get", "/api/distribution/products/999/calculator", await bearer(c), None, 404),
            ("post", "/api/distribution/bind", await bearer(c), {"code": "x" * 33}, 400),
        ]
        for method, url, headers, body, status in cases:
            kwargs = {"headers": headers} | ({"json": body} if body is not None else {})
            r = await getattr(client, method)(url, **kwargs)
            assert r.status_code == status, (method, url, r.status_code, r.text)
        assert (await client.get(f"/api/distribution/manage/members/{b.id}/bindings", headers=operator)).json()["changes"] == []


async def test_members_see_only_their_own_withdrawals(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id, 5)
        await close(client.runtime, order["id"])
        r = await client.post("/api/distribution/withdrawals", json={"amount": 1000}, headers=await bearer(b))
        assert r.status_code == 201
        assert (await client.get("/api/distribution/withdrawals", headers=await bearer(a))).json()["items"] == []
        mine = (await client.get("/api/distribution/withdrawals", headers=await bearer(b))).json()["items"]
        assert [w["id"] for w in mine] == [r.json()["id"]]
