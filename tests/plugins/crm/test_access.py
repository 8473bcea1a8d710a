"""Access: every CRM endpoint (API and console, listed from the app's routes so new ones are
covered) refuses another salesperson's customer with 404/403 and changes nothing; managers
see their team only; the console pages pass the permission matrix with the CRM enabled."""

import re

import pytest

from qunshang.console.access import PUBLIC, STAFF, allows
from qunshang.plugins.crm.models import Assignment, Customer, CustomerTag, FollowUp
from qunshang.plugins.crm.service import assignment, salespeople
from qunshang.testing import bearer
from tests.core.console.conftest import csrf_of, sign_in, staff

from .support import lead

POOL = {"crm": {"strategy": "pool"}}
JSON_BODIES = {"follow-ups": {"kind": "call", "note": "x"}, "tags": {"tag": "x"}, "assign": {"to": None, "reason": "r"},
               "": {"region": "x"}}
FORM = {"kind": "call", "note": "x", "tag": "x", "reason": "r", "to": "0", "region": "x"}


def customer_routes(app):
    """``(method, path template)`` of every CRM route that takes a customer id."""
    found = []
    for route in app.routes:
        if not (route.path.startswith("/api/crm") or route.path.startswith("/console/crm")) or "{member_id" not in route.path:
            continue
        for handler in getattr(route, "route_handlers", ()):
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                found.append((method, route.path))
    return sorted(found)


async def _call(client, method, template, member_id, headers, console_token):
    path = re.sub(r"\{member_id:int\}", str(member_id), template)
    path = re.sub(r"\{tag:str\}", "x", path)
    if template.startswith("/console"):
        data = {**FORM, "_csrf_token": console_token} if method == "POST" else None
        return await client.request(method, path, data=data)
    body = None
    if method in ("POST", "PATCH"):
        body = JSON_BODIES.get(template.rsplit("}", 1)[-1].strip("/"), {})
    return await client.request(method, path, json=body, headers={**headers, **(await client.form_headers())})


@pytest.mark.parametrize("actor", ["salesperson", "manager_of_another_team"])
async def test_every_crm_endpoint_refuses_someone_elses_customer(make_app, actor):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        mine = await staff("me@example.com", roles=["salesperson" if actor == "salesperson" else "sales_manager"])
        other = await staff("other@example.com", roles=["salesperson"])
        await salespeople.ensure(rt, other.id)
        if actor != "salesperson":
            team = await salespeople.create_team(rt, "mine", mine.id)
            colleague = await staff("colleague@example.com", roles=["salesperson"])
            await salespeople.ensure(rt, colleague.id)
            await salespeople.update(colleague.id, team_id=team.id)
            theirs_team = await salespeople.create_team(rt, "theirs", (await staff("boss2@example.com", roles=["sales_manager"])).id)
            await salespeople.update(other.id, team_id=theirs_team.id)
        theirs = await lead(rt, "theirs")
        await assignment.claim(rt, other.id, theirs)
        before = await Customer.get(member_id=theirs).values()
        routes = customer_routes(client.app)
        assert len(routes) >= 10 and any(p.startswith("/console") for _m, p in routes)
        assert (await sign_in(client, "me@example.com", next_="/console/crm/customers")).status_code == 303
        token = csrf_of((await client.get("/console/crm/customers")).text)
        headers = await bearer(mine)
        wrong = []
        for method, template in routes:
            r = await _call(client, method, template, theirs, headers, token)
            if r.status_code not in (403, 404):
                wrong.append((method, template, r.status_code, r.text[:200]))
        assert wrong == []
        assert await Customer.get(member_id=theirs).values() == before
        assert not await FollowUp.exists() and not await CustomerTag.exists()
        assert await Assignment.filter(customer_id=theirs).count() == 1


async def test_the_same_endpoints_work_for_the_owner(make_app):
    """The refusals above are about ownership, not broken requests."""
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["salesperson"])
        mine = await lead(rt, "mine")
        await salespeople.ensure(rt, me.id)
        await assignment.claim(rt, me.id, mine)
        assert (await sign_in(client, "me@example.com", next_="/console/crm/customers")).status_code == 303
        token = csrf_of((await client.get("/console/crm/customers")).text)
        headers = await bearer(me)
        statuses = {}
        for method, template in customer_routes(client.app):
            r = await _call(client, method, template, mine, headers, token)
            statuses[(method, template)] = r.status_code
        assert {k: v for k, v in statuses.items() if v >= 400} == {
            ("POST", "/api/crm/customers/{member_id:int}/assign"): 403,          # managers only
            ("POST", "/console/crm/customers/{member_id:int}/assign"): 403,
            ("POST", "/api/crm/customers/{member_id:int}/claim"): 409,           # already mine
            ("POST", "/console/crm/customers/{member_id:int}/claim"): 409,
        }


async def test_pool_is_hidden_when_closed_to_salespeople(make_app):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "pool_visible": False}}) as client:
        me = await staff("me@example.com", roles=["salesperson"])
        pooled = await lead(client.runtime, "pooled")
        headers = await bearer(me)
        for path in ("/api/crm/pool", "/api/crm/customers?pool=true"):
            r = await client.get(path, headers={**headers, "Accept-Language": "zh-CN"})
            assert r.status_code == 403 and r.json()["error"]["code"] == "crm_pool_closed", path
            assert r.json()["error"]["message"] == "公海客户池未向销售人员开放。"
        assert (await client.get(f"/api/crm/customers/{pooled}", headers=headers)).status_code == 404
        r = await client.post(f"/api/crm/customers/{pooled}/claim", headers={**headers, **await client.form_headers()})
        assert r.status_code == 404


async def test_managers_see_their_team_and_not_other_teams(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        boss = await staff("boss@example.com", roles=["sales_manager"])
        a = await staff("a@example.com", roles=["salesperson"])
        b = await staff("b@example.com", roles=["salesperson"])
        team = await salespeople.create_team(rt, "East", boss.id)
        await salespeople.ensure(rt, a.id)
        await salespeople.update(a.id, team_id=team.id)
        await salespeople.ensure(rt, b.id)
        ca, cb = await lead(rt, "ca"), await lead(rt, "cb")
        await assignment.claim(rt, a.id, ca)
        await assignment.claim(rt, b.id, cb)
        headers = await bearer(boss)
        listed = (await client.get("/api/crm/customers", headers=headers)).json()["items"]
        assert [c["member_id"] for c in listed] == [ca]
        write = {**headers, **await client.form_headers()}
        r = await client.post(f"/api/crm/customers/{ca}/assign", json={"to": b.id, "reason": "x"}, headers=write)
        assert r.status_code == 403 and r.json()["error"]["code"] == "crm_not_salesperson"  # b is not in the team
        r = await client.post(f"/api/crm/customers/{ca}/assign", json={"to": None, "reason": "moved away"}, headers=write)
        assert r.status_code == 200 and await Customer.get(member_id=ca).values_list("owner_id", flat=True) is None
        assert (await client.get(f"/api/crm/today?owner_id={b.id}", headers=headers)).status_code == 403
        assert (await client.get(f"/api/crm/today?owner_id={a.id}", headers=headers)).status_code == 200


async def test_members_without_a_crm_role_are_refused(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        buyer = await staff("buyer@example.com")
        headers = await bearer(buyer)
        for path in ("/api/crm/customers", "/api/crm/today", "/api/crm/admin/salespeople"):
            assert (await client.get(path, headers=headers)).status_code == 403
        assert (await client.get("/api/crm/customers")).status_code == 401


ROLES = ("owner", "operator", "salesperson", "sales_manager", "host", "finance", "member", "anonymous")
MISSING = "999999"


def console_routes(app):
    routes = []
    for route in app.routes:
        if route.path.startswith("/console/crm"):
            for handler in getattr(route, "route_handlers", ()):
                for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                    routes.append((method, re.sub(r"\{[^}]+\}", MISSING, route.path), handler.opt.get("permission")))
    return sorted(routes)


@pytest.mark.parametrize("role", ROLES)
async def test_console_permission_matrix_with_the_crm(make_app, role):
    """The core matrix's rule, applied to the CRM pages (the core test runs without plugins)."""
    async with make_app(enabled=["crm"], settings=POOL) as client:
        grants = set()
        if role not in ("anonymous", "member"):
            await staff("someone@example.com", roles=[role])
            assert (await sign_in(client, "someone@example.com")).status_code == 303
            grants = client.runtime.state["permissions"].get(role, set())
        routes = console_routes(client.app)
        assert len(routes) >= 15 and all(p for _m, _p, p in routes)
        wrong = []
        for method, path, permission in routes:
            headers = await client.form_headers() if method == "POST" else {}
            r = await client.request(method, path, headers=headers,
                                     data={"_csrf_token": headers.get("x-csrftoken", "")} if method == "POST" else None)
            if permission == PUBLIC:
                ok = r.status_code < 500
            elif role in ("anonymous", "member"):
                ok = r.status_code == 303 and r.headers["location"].startswith("/console/login")
            elif allows(grants, STAFF) and allows(grants, permission):
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                wrong.append((method, path, permission, r.status_code))
        assert wrong == []
