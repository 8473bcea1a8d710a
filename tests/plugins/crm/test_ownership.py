"""Ownership from a salesperson's invite, forged codes, the protection period over time,
claims and the release of lapsed customers to the pool."""

import re

import pytest

from qunshang.plugins.crm.errors import AlreadyOwned, Protected
from qunshang.plugins.crm.models import Assignment, Customer
from qunshang.plugins.crm.service import assignment, followups, salespeople
from qunshang.plugins.crm.models import FollowUpKind
from qunshang.testing import make_member

from .support import lead, loads, owner_of, register, seller

POOL = {"crm": {"strategy": "pool"}}


async def test_registering_through_the_invite_link_makes_the_salesperson_the_owner(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        r = await client.get(f"/crm/i/{s1.code.lower()}")
        assert r.status_code == 303 and r.headers["location"] == "/register"
        page = await client.get("/register")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        r = await client.post("/register", data={"_csrf_token": token, "login": "c1@example.com", "password": "correct horse 1",
                                                 "display_name": "c1"})
        assert r.status_code == 303, r.text
        customer = await Customer.get(member_id=(await Customer.all().order_by("-id").first()).member_id)
        assert customer.owner_id == s1.id and customer.source == "salesperson_invite"
        entry = await Assignment.get(customer_id=customer.member_id)
        assert (entry.kind, entry.to_owner_id, entry.from_owner_id) == ("invite", s1.id, None)
        assert customer.protected_until == client.runtime.now() + __import__("datetime").timedelta(days=30)
        assert await loads(s1) == [1]


@pytest.mark.parametrize("case", ["forged", "disabled", "role_revoked", "wrong_source"])
async def test_unverifiable_invite_codes_are_ignored_and_the_rules_apply(make_app, case):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "least_loaded"}}) as client:
        s1 = await seller(client.runtime, "s1")
        s2 = await seller(client.runtime, "s2")
        await assignment.reassign(client.runtime, await lead(client.runtime, "x"), s1.id, "preload", s1.id)
        code, source = s1.code, "salesperson_invite"
        if case == "forged":
            code = "SFORGED123"
        elif case == "disabled":
            await salespeople.update(s1.id, disabled=True)
        elif case == "role_revoked":
            from qunshang.members.models import MemberRole
            await MemberRole.filter(member_id=s1.id).delete()
        elif case == "wrong_source":
            source = "link"
        member_id = await register(client, "c1", {"source": source, "sales_code": code})
        entry = await Assignment.get(customer_id=member_id)
        assert entry.kind == "rule"
        assert entry.to_owner_id == s2.id  # the least loaded (s1 has one), not the code's owner


async def test_protection_period_blocks_claims_until_it_lapses_and_follow_up_extends_it(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "protection_days": 7}}) as client:
        runtime = client.runtime
        s1, s2 = await seller(runtime, "s1"), await seller(runtime, "s2")
        c = await lead(runtime, "c")
        await assignment.claim(runtime, s1.id, c)
        clock.advance(days=7)  # exactly at the boundary: still protected
        with pytest.raises(Protected):
            await assignment.claim(runtime, s2.id, c)
        await followups.add(runtime, s1.id, c, FollowUpKind.CALL, "hello")  # protection restarts now
        clock.advance(days=6, hours=23)
        with pytest.raises(Protected):
            await assignment.claim(runtime, s2.id, c)
        clock.advance(hours=1, seconds=1)
        entry = await assignment.claim(runtime, s2.id, c)
        assert (entry.from_owner_id, entry.to_owner_id) == (s1.id, s2.id)
        assert await owner_of(c) == s2.id and await loads(s1, s2) == [0, 1]


async def test_a_follow_up_by_someone_else_does_not_extend_protection(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "protection_days": 3}}) as client:
        runtime = client.runtime
        s1, mgr = await seller(runtime, "s1"), await make_member("m@example.com", roles=["sales_manager"])
        c = await lead(runtime, "c")
        await assignment.claim(runtime, s1.id, c)
        before = (await Customer.get(member_id=c)).protected_until
        clock.advance(days=1)
        await followups.add(runtime, mgr.id, c, FollowUpKind.NOTE, "checked")
        assert (await Customer.get(member_id=c)).protected_until == before


async def test_lapsed_customers_return_to_the_pool_by_the_job(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "protection_days": 5}}) as client:
        runtime = client.runtime
        s1 = await seller(runtime, "s1")
        kept, lapsed = await lead(runtime, "kept"), await lead(runtime, "lapsed")
        await assignment.claim(runtime, s1.id, kept)
        await assignment.claim(runtime, s1.id, lapsed)
        clock.advance(days=4)
        await followups.add(runtime, s1.id, kept, FollowUpKind.VISIT)
        clock.advance(days=1)  # exactly at the end of the protection: not yet lapsed
        assert await assignment.release_lapsed(runtime) == 0 and await owner_of(lapsed) == s1.id
        clock.advance(seconds=1)
        assert await assignment.release_lapsed(runtime) == 1
        assert await owner_of(lapsed) is None and await owner_of(kept) == s1.id
        assert await loads(s1) == [1]
        entry = await Assignment.filter(customer_id=lapsed).order_by("-id").first()
        assert (entry.kind, entry.from_owner_id, entry.to_owner_id) == ("release", s1.id, None)
        assert await assignment.release_lapsed(runtime) == 0  # idempotent


async def test_release_is_off_when_configured(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "release_to_pool": False}}) as client:
        s1 = await seller(client.runtime, "s1")
        c = await lead(client.runtime, "c")
        await assignment.claim(client.runtime, s1.id, c)
        clock.advance(days=365)
        assert await assignment.release_lapsed(client.runtime) == 0 and await owner_of(c) == s1.id


async def test_claiming_your_own_customer_is_refused(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        s1 = await seller(client.runtime, "s1")
        c = await lead(client.runtime, "c")
        await assignment.claim(client.runtime, s1.id, c)
        with pytest.raises(AlreadyOwned):
            await assignment.claim(client.runtime, s1.id, c)


async def test_an_invite_makes_the_owner_even_past_their_cap(make_app):
    """Caps govern automatic routing; a customer a salesperson brought in personally is theirs."""
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "least_loaded", "default_capacity": 1}}) as client:
        s1, s2 = await seller(client.runtime, "s1"), await seller(client.runtime, "s2")
        await assignment.reassign(client.runtime, await lead(client.runtime, "x"), s1.id, "preload", s1.id)
        member_id = await register(client, "c1", {"source": "salesperson_invite", "sales_code": s1.code})
        assert await owner_of(member_id) == s1.id and await loads(s1, s2) == [2, 0]
        assert (await Assignment.get(customer_id=member_id)).kind == "invite"
