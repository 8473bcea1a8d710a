"""The JSON API: my invite link and QR, customers, follow-ups (validation), tags, claims,
reassignment with history, admin rules; errors are 4xx with stable codes in the caller's language."""

from datetime import timedelta

from qunshang.plugins.crm.models import Assignment, FollowUp, Route
from qunshang.plugins.crm.service import assignment, salespeople
from qunshang.testing import bearer, make_member

from .support import lead, register, seller

POOL = {"crm": {"strategy": "pool"}}


async def _write(client, member):
    return {**await bearer(member), **await client.form_headers()}


async def test_me_gives_the_invite_link_and_a_qr_code(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        headers = await bearer(s1)
        me = (await client.get("/api/crm/me", headers=headers)).json()
        assert me["invite_link"].endswith(f"/crm/i/{s1.code}") and me["salesperson"]["code"] == s1.code
        qr = await client.get("/api/crm/me/qr.svg", headers=headers)
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
        ops = await make_member("ops@example.com", roles=["operator"])
        assert (await client.get("/api/crm/me", headers=await bearer(ops))).json() == {"salesperson": None}


async def test_follow_up_claim_and_tags_through_the_api(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        c = await lead(client.runtime, "c")
        w = await _write(client, s1)
        r = await client.post(f"/api/crm/customers/{c}/follow-ups", json={"kind": "call"}, headers=w)
        assert r.status_code == 409 and r.json()["error"]["code"] == "crm_not_claimed"  # claim first
        assert (await client.post(f"/api/crm/customers/{c}/claim", headers=w)).json()["owner_id"] == s1.id
        due = (clock() + timedelta(days=1)).isoformat()
        r = await client.post(f"/api/crm/customers/{c}/follow-ups", json={"kind": "visit", "note": "<b>hi</b>", "next_at": due}, headers=w)
        assert r.status_code == 201, r.text
        for bad in ({"kind": "email"}, {"kind": "call", "extra": 1}, {"kind": "call", "next_at": "2026-01-06T08:00:00"},
                    {"kind": "call", "note": "x" * 501}):
            r = await client.post(f"/api/crm/customers/{c}/follow-ups", json=bad, headers=w)
            assert r.status_code == 400, (bad, r.text)
        assert await FollowUp.filter(customer_id=c).count() == 1
        assert (await client.post(f"/api/crm/customers/{c}/tags", json={"tag": "VIP"}, headers=w)).json() == {"tags": ["vip"]}
        assert (await client.delete(f"/api/crm/customers/{c}/tags/vip", headers=w)).json() == {"tags": []}
        detail = (await client.get(f"/api/crm/customers/{c}", headers=w)).json()
        assert detail["owner_id"] == s1.id and detail["next_follow_up_at"].startswith("2026-01-06")
        timeline = (await client.get(f"/api/crm/customers/{c}/timeline", headers=w)).json()["items"]
        assert [e["type"] for e in timeline] == ["follow_up", "assignment"]
        today = (await client.get("/api/crm/today", headers=w)).json()
        assert today == {"overdue": [], "due": []}
        clock.advance(days=1)
        assert [x["member_id"] for x in (await client.get("/api/crm/today", headers=w)).json()["due"]] == [c]


async def test_errors_are_translated_and_coded(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool"}}) as client:
        s1, s2 = await seller(client.runtime, "s1"), await seller(client.runtime, "s2")
        boss = await make_member("boss@example.com", roles=["operator"])
        c = await lead(client.runtime, "c")
        await assignment.claim(client.runtime, s1.id, c)
        w = await _write(client, boss)
        r = await client.post(f"/api/crm/customers/{c}/assign", json={"to": s1.id, "reason": "x"},
                              headers={**w, "Accept-Language": "zh-CN"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "crm_already_owned"
        assert r.json()["error"]["message"] == "该客户已有负责人。"
        r = await client.post(f"/api/crm/customers/{c}/assign", json={"to": s2.id, "reason": " "}, headers=w)
        assert r.status_code == 400
        r = await client.post(f"/api/crm/customers/{c}/assign", json={"to": s2.id, "reason": "holiday cover"}, headers=w)
        assert r.status_code == 200
        last = await Assignment.filter(customer_id=c).order_by("-id").first()
        assert (last.kind, last.reason, last.actor_id, last.to_owner_id) == ("manual", "holiday cover", boss.id, s2.id)
        r = await client.get("/api/crm/performance?start=2026-02-01&end=2026-01-01", headers=w)
        assert r.status_code == 400 and r.json()["error"]["code"] == "crm_bad_range"


async def test_admin_routes_and_tag_rules_and_pool_assignment(make_app):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool"}}) as client:
        s1 = await seller(client.runtime, "s1")
        boss = await make_member("boss@example.com", roles=["operator"])
        w = await _write(client, boss)
        r = await client.put(f"/api/crm/admin/salespeople/{s1.id}", json={"capacity": 5, "region": "杭州"}, headers=w)
        assert r.status_code == 200 and r.json()["capacity"] == 5
        buyer = await make_member("b@example.com")
        r = await client.put(f"/api/crm/admin/salespeople/{buyer.id}", json={}, headers=w)
        assert r.status_code == 403 and r.json()["error"]["code"] == "crm_not_salesperson"
        r = await client.post("/api/crm/admin/routes", json={"match": "region", "value": "杭州", "salesperson_ids": [s1.id]}, headers=w)
        assert r.status_code == 201 and await Route.exists(value="杭州")
        r = await client.post("/api/crm/admin/tag-rules", json={"kind": "no_order_days", "value": "60", "tag": "沉睡"}, headers=w)
        assert r.status_code == 201
        assert (await client.get("/api/crm/admin/tag-rules", headers=w)).json()[0]["tag"] == "沉睡"
        c = await register(client, "c", {"source": "direct"})
        w = await _write(client, boss)
        r = await client.patch(f"/api/crm/customers/{c}", json={"region": "杭州"}, headers=w)
        assert r.status_code == 403  # operators do not sell
        from qunshang.plugins.crm.models import Customer
        await Customer.filter(member_id=c).update(region="杭州")
        assert (await client.post("/api/crm/admin/assign-pool", headers=w)).json() == {"assigned": 1}
        assert (await salespeople.get(s1.id)).load == 1
        seller_headers = await bearer(s1)
        assert (await client.get("/api/crm/admin/routes", headers=seller_headers)).status_code == 403


async def test_openapi_documents_the_crm(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        schema = (await client.get("/schema/openapi.json")).json()
        missing = []
        for route in client.app.routes:  # every CRM API route, with a summary and the crm tag
            if route.path.startswith("/api/crm"):
                path = route.path.replace(":int}", "}").replace(":str}", "}")
                for method in {m.lower() for h in route.route_handlers for m in h.http_methods} - {"head", "options"}:
                    op = schema["paths"].get(path, {}).get(method)
                    if not op or not op.get("summary") or op.get("tags") != ["crm"]:
                        missing.append((method, path))
        assert missing == [] and len([p for p in schema["paths"] if p.startswith("/api/crm")]) >= 17
        follow_up = schema["paths"]["/api/crm/customers/{member_id}/follow-ups"]["post"]
        assert "requestBody" in follow_up


async def test_api_writes_are_in_the_audit_log_with_the_reason(make_app):
    """Reassignment (with its reason), claims and rule changes through the API are audited like the console's."""
    from qunshang.console.models import AuditEntry

    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1, s2 = await seller(client.runtime, "s1"), await seller(client.runtime, "s2")
        boss = await make_member("boss@example.com", roles=["operator"])
        c = await lead(client.runtime, "c")
        assert (await client.post(f"/api/crm/customers/{c}/claim", headers=await _write(client, s1))).status_code == 200
        w = await _write(client, boss)
        r = await client.post(f"/api/crm/customers/{c}/assign", json={"to": s2.id, "reason": "holiday cover"}, headers=w)
        assert r.status_code == 200
        entry = await AuditEntry.get(action="crm.reassign")
        assert (entry.actor_id, entry.target_id, entry.before, entry.after) == (
            boss.id, str(c), {"owner_id": s1.id}, {"owner_id": s2.id, "reason": "holiday cover"})
        claim = await AuditEntry.get(action="crm.claim")
        assert (claim.actor_id, claim.after) == (s1.id, {"owner_id": s1.id})
        r = await client.post("/api/crm/admin/routes", json={"match": "source", "value": "live", "salesperson_ids": [s1.id]}, headers=w)
        assert r.status_code == 201 and await AuditEntry.exists(action="crm.route.create", target_id=str(r.json()["id"]))
        r = await client.post(f"/api/crm/customers/{c}/assign", json={"to": s2.id, "reason": "again"}, headers=w)
        assert r.status_code == 409 and await AuditEntry.filter(action="crm.reassign").count() == 1  # refused: not audited


async def test_following_up_an_unclaimed_customer_has_its_own_translated_error(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        c = await lead(client.runtime, "c")
        w = {**await _write(client, s1), "Accept-Language": "zh-CN"}
        r = await client.post(f"/api/crm/customers/{c}/follow-ups", json={"kind": "call"}, headers=w)
        assert r.status_code == 409 and r.json()["error"]["code"] == "crm_not_claimed"
        assert r.json()["error"]["message"] == "请先认领该客户再跟进。"
        r = await client.post(f"/api/crm/customers/{c}/follow-ups", json={"kind": "call", "next_at": "2026-01-06T08:00:00"},
                              headers=w)
        assert r.status_code == 400 and r.json()["error"]["code"] == "crm_naive_time"
        assert not await FollowUp.exists()


async def test_routes_must_name_salespeople(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        boss = await make_member("boss@example.com", roles=["operator"])
        buyer = await make_member("b@example.com")
        r = await client.post("/api/crm/admin/routes", json={"match": "tag", "value": "vip", "salesperson_ids": [buyer.id]},
                              headers=await _write(client, boss))
        assert r.status_code == 403 and r.json()["error"]["code"] == "crm_not_salesperson"
        assert not await Route.exists()


async def test_every_api_write_is_audited(make_app):
    from qunshang.console.models import AuditEntry

    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        boss = await make_member("boss@example.com", roles=["operator"])
        c = await lead(client.runtime, "c")
        w = await _write(client, s1)
        assert (await client.post(f"/api/crm/customers/{c}/claim", headers=w)).status_code == 200
        assert (await client.post(f"/api/crm/customers/{c}/follow-ups", json={"kind": "call", "note": "hi"}, headers=w)).status_code == 201
        assert (await client.post(f"/api/crm/customers/{c}/tags", json={"tag": "vip"}, headers=w)).status_code == 200
        assert (await client.delete(f"/api/crm/customers/{c}/tags/vip", headers=w)).status_code == 200
        assert (await client.patch(f"/api/crm/customers/{c}", json={"region": "杭州"}, headers=w)).status_code == 200
        w = await _write(client, boss)
        assert (await client.put(f"/api/crm/admin/salespeople/{s1.id}", json={"capacity": 9}, headers=w)).status_code == 200
        assert (await client.post("/api/crm/admin/teams", json={"name": "East", "manager_id": boss.id}, headers=w)).status_code == 201
        r = await client.post("/api/crm/admin/tag-rules", json={"kind": "no_order_days", "value": "60", "tag": "idle"}, headers=w)
        assert (await client.delete(f"/api/crm/admin/tag-rules/{r.json()['id']}", headers=w)).status_code == 204
        assert (await client.post("/api/crm/admin/assign-pool", headers=w)).status_code == 200
        actions = await AuditEntry.all().order_by("id").values_list("action", flat=True)
        assert actions == ["crm.claim", "crm.follow_up", "crm.tags", "crm.tags", "crm.region", "crm.salesperson", "crm.team.create",
                           "crm.tag_rule.create", "crm.tag_rule.delete", "crm.assign_pool"]
        region = await AuditEntry.get(action="crm.region")
        assert (region.actor_id, region.before, region.after) == (s1.id, {"region": ""}, {"region": "杭州"})
