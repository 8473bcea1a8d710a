"""Security beyond the customer-id routes (see test_access): every other CRM endpoint, given
another salesperson's ids as filters, shows nothing of their customers; script typed into names,
tags, notes and rules is inert in every console page, chart and the phone view; console form
posts need the CSRF token."""

import re
from datetime import timedelta

import pytest

from qunshang.plugins.crm.models import FollowUp, FollowUpKind, Route, RouteMatch
from qunshang.plugins.crm.service import assignment, followups, salespeople, tags
from qunshang.testing import bearer
from tests.core.console.conftest import csrf_of, sign_in, staff

from .support import lead

POOL = {"crm": {"strategy": "pool", "dormant_days": 30}}
MARK = "zzsecretcustomer"


def plain_routes(app):
    """``(method, path)`` of every CRM GET route without path parameters."""
    found = []
    for route in app.routes:
        if (route.path.startswith("/api/crm") or route.path.startswith("/console/crm")) and "{" not in route.path:
            for handler in getattr(route, "route_handlers", ()):
                if "GET" in handler.http_methods:
                    found.append(route.path)
    return sorted(found)


@pytest.mark.parametrize("actor", ["salesperson", "sales_manager"])
async def test_no_endpoint_shows_another_salespersons_customers_whatever_the_filters(make_app, clock, actor):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=[actor])
        if actor == "sales_manager":
            await salespeople.create_team(rt, "mine", me.id)
        other = await staff("other@example.com", roles=["salesperson"], display_name=f"{MARK}seller")
        await salespeople.ensure(rt, other.id)
        theirs = await lead(rt, f"{MARK}", registered_at=rt.now() - timedelta(days=90))
        await assignment.claim(rt, other.id, theirs)
        await followups.add(rt, other.id, theirs, FollowUpKind.CALL, f"{MARK} note", next_at=rt.now() - timedelta(days=1))
        await tags.add(rt, theirs, MARK)
        day = rt.now().date().isoformat()
        query = {"owner_id": other.id, "q": MARK, "tag": MARK, "start": day, "end": day}
        assert (await sign_in(client, "me@example.com", next_="/console/crm/customers")).status_code == 303
        headers = await bearer(me)
        paths = plain_routes(client.app)
        assert len(paths) >= 15
        leaks = []
        for path in paths:
            r = await client.get(path, params=query, headers=headers if path.startswith("/api") else {})
            text = r.text.replace(f'value="{MARK}"', "")  # the filter form echoes the query
            if r.status_code >= 500 or MARK in text or f"/customers/{theirs}\"" in text or f'"member_id":{theirs}' in text:
                leaks.append((path, r.status_code))
        assert leaks == []


HOSTILE = {"name": "<script>alert('n')</script>", "tag": "<img src=x onerror=alert(1)>", "note": "<script>alert('f')</script>",
           "seller": "<svg onload=alert(2)>", "route": "<b onmouseover=alert(3)>"}


async def test_script_typed_anywhere_is_inert_in_every_page(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        seller = await staff("s@example.com", roles=["salesperson"], display_name=HOSTILE["seller"])
        await salespeople.ensure(rt, seller.id)
        await staff("ops@example.com", roles=["operator"])
        c = await lead(rt, "c", registered_at=rt.now() - timedelta(days=90))
        from qunshang.members.models import Member
        await Member.filter(id=c).update(display_name=HOSTILE["name"])
        await assignment.claim(rt, seller.id, c)
        await followups.add(rt, seller.id, c, FollowUpKind.NOTE, HOSTILE["note"], next_at=rt.now() - timedelta(hours=1))
        await tags.add(rt, c, HOSTILE["tag"])
        await Route.create(match=RouteMatch.TAG, value=HOSTILE["route"], salesperson_ids=[seller.id])
        day = rt.now().date().isoformat()
        pages = {"s@example.com": ["/console/crm/m", "/console/crm/today", f"/console/crm/customers/{c}", "/console/crm/customers",
                                   "/console/crm/dormant"],
                 "ops@example.com": [f"/console/crm/performance?start={day}&end={day}", "/console/crm/rules",
                                     f"/console/crm/customers/{c}", "/console/crm/customers", "/console/crm/dormant"]}
        for login, paths in pages.items():
            client.cookies.clear()
            assert (await sign_in(client, login)).status_code == 303
            for path in paths:
                r = await client.get(path)
                assert r.status_code == 200, path
                for raw in HOSTILE.values():
                    assert raw not in r.text, (path, raw)
                assert not re.search(r"<(script|img|svg onload|b on)[^>]*alert", r.text), path
        page = (await client.get(f"/console/crm/performance?start={day}&end={day}")).text
        assert "&lt;svg onload=alert(2)&gt;" in page  # the table, escaped
        assert "&lt;svg onload…</text>" in page  # the chart label, escaped too


async def test_console_posts_without_the_csrf_token_are_refused_and_write_nothing(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["salesperson"])
        await salespeople.ensure(rt, me.id)
        c = await lead(rt, "c")
        await assignment.claim(rt, me.id, c)
        await sign_in(client, "me@example.com")
        page = await client.get(f"/console/crm/customers/{c}")
        for token in (None, "forged"):
            data = {"kind": "call", "note": "x"} | ({"_csrf_token": token} if token else {})
            r = await client.post(f"/console/crm/customers/{c}/follow-ups", data=data)
            assert r.status_code == 403, r.text
        assert not await FollowUp.exists()
        r = await client.post(f"/console/crm/customers/{c}/follow-ups", data={"kind": "call", "_csrf_token": csrf_of(page.text)})
        assert r.status_code == 303 and await FollowUp.exists()


async def test_bad_console_forms_are_400_and_write_nothing(make_app):
    from qunshang.console.models import AuditEntry
    from qunshang.plugins.crm.models import TagRule

    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        me = await staff("me@example.com", roles=["owner", "salesperson"])
        await salespeople.ensure(rt, me.id)
        c = await lead(rt, "c")
        await assignment.claim(rt, me.id, c)
        await sign_in(client, "me@example.com")
        token = csrf_of((await client.get(f"/console/crm/customers/{c}")).text)
        bad = [(f"/console/crm/customers/{c}/follow-ups", {"kind": "email"}),
               (f"/console/crm/customers/{c}/follow-ups", {"kind": "call", "next_at": "tomorrow"}),
               (f"/console/crm/customers/{c}/follow-ups", {"kind": "call", "note": "x" * 501}),
               ("/console/crm/rules/routes", {"match": "bogus", "value": "v", "salesperson_ids": str(me.id)}),
               ("/console/crm/rules/routes", {"match": "tag", "value": "v", "salesperson_ids": "abc"}),
               ("/console/crm/rules/routes", {"match": "tag", "value": "v", "salesperson_ids": str(c)}),
               ("/console/crm/rules/tags", {"kind": "no_order_days", "value": "-1", "tag": "t"}),
               (f"/console/crm/rules/salespeople/{me.id}", {"capacity": "-5"}),
               (f"/console/crm/customers/{c}/assign", {"to": "0", "reason": ""})]
        for path, data in bad:
            r = await client.post(path, data={**data, "_csrf_token": token})
            assert 400 <= r.status_code < 500, (path, data, r.status_code)
        assert not await FollowUp.exists() and not await Route.exists() and not await TagRule.exists()
        assert not await AuditEntry.filter(action__startswith="crm.").exists()
