"""Referral binding: verified codes only, guards, policies over time, operator changes."""

import asyncio

import pytest

from qunshang.app import build_runtime
from qunshang.config import Config

from qunshang.errors import PluginError
from qunshang.plugins.distribution.errors import (
    AlreadyBound, CycleBinding, NotNewMember, SelfBinding, UnknownCode, UplineUnavailable,
)
from qunshang.plugins.distribution.models import Binding, DistributorStatus, TreePath, UplineChange
from qunshang.plugins.distribution.service import binding, distributors, team
from qunshang.testing import bearer, make_member

from .support import buy, chain, distributor, earned, settings, sku


async def _register(client, login, context):
    r = await client.post("/api/auth/register", json={
        "login": login, "password": "correct horse 1", "display_name": login.split("@")[0], "context": context,
    }, headers=await client.form_headers())
    assert r.status_code in (200, 201), r.text
    return r.json()


async def test_registration_with_a_referral_code_binds_under_its_owner(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a = await distributor(client.runtime, "a")
        body = await _register(client, "new@example.com", {"source": "poster", "referral_code": a.code.lower()})
        member_id = body.get("id") or body["member"]["id"]
        bound = await Binding.get(member_id=member_id)
        assert (bound.upline_id, bound.source, bound.expires_at) == (a.id, "poster", None)
        assert await team.level_counts(a.id) == {1: 1}
        assert await distributors.get(member_id) is not None  # everyone mode: the newcomer can share too


async def test_unknown_codes_and_client_sent_ids_bind_nobody(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a = await distributor(client.runtime, "a")
        await _register(client, "x@example.com", {"referral_code": "NOPE2345", "upline_id": str(a.id)})
        await _register(client, "y@example.com", {"referral_code": str(a.id)})
        assert await Binding.all().count() == 0


async def test_self_and_cycles_are_refused(make_app):
    async with make_app(enabled=["distribution"], settings=settings(scope="any_without_upline")) as client:
        a, b, c = await chain(client.runtime)
        with pytest.raises(SelfBinding):
            await binding.bind(client.runtime, a.id, a.code)
        with pytest.raises(CycleBinding):
            await binding.bind(client.runtime, a.id, c.code)  # C is in A's team
        with pytest.raises(UnknownCode):
            await binding.bind(client.runtime, a.id, "<script>")
        r = await client.post("/api/distribution/bind", json={"code": c.code}, headers=await bearer(a))
        assert r.status_code == 409 and r.json()["error"]["code"] == "cycle_binding"


async def test_frozen_or_disabled_uplines_take_no_one(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a = await distributor(client.runtime, "a")
        newcomer = await make_member("n@example.com")
        for status in (DistributorStatus.FROZEN, DistributorStatus.DISABLED):
            await distributors.update(a.id, status=status)
            with pytest.raises(UplineUnavailable):
                await binding.bind(client.runtime, newcomer.id, a.code, is_new=True)
        assert await Binding.all().count() == 0


async def test_scope_new_members_only_refuses_existing_members(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a = await distributor(client.runtime, "a")
        old = await make_member("old@example.com")
        with pytest.raises(NotNewMember):
            await binding.bind(client.runtime, old.id, a.code)
    async with make_app(enabled=["distribution"], settings=settings(scope="any_without_upline")) as client:
        a = await distributor(client.runtime, "a2")
        old = await make_member("old2@example.com")
        assert (await binding.bind(client.runtime, old.id, a.code)).upline_id == a.id


async def test_permanent_binding_keeps_the_first_touch(make_app, clock):
    async with make_app(enabled=["distribution"], settings=settings(scope="any_without_upline")) as client:
        a = await distributor(client.runtime, "a")
        b = await distributor(client.runtime, "b")
        member = await make_member("m@example.com")
        await binding.bind(client.runtime, member.id, a.code)
        clock.advance(days=400)
        with pytest.raises(AlreadyBound):
            await binding.bind(client.runtime, member.id, b.code)
        assert (await binding.bind(client.runtime, member.id, a.code)).upline_id == a.id  # same code: no change


async def test_valid_days_binding_expires_pays_nothing_and_rebinds(make_app, clock):
    async with make_app(enabled=["distribution"],
                        settings=settings(binding="valid_days", binding_days=7, scope="any_without_upline")) as client:
        a = await distributor(client.runtime, "a")
        b = await distributor(client.runtime, "b")
        member = await make_member("m@example.com")
        await binding.bind(client.runtime, member.id, a.code, is_new=True)
        tea = await sku()
        first = await buy(client, member, tea.id)
        assert await earned(first["id"]) == {a.id: 2000}
        clock.advance(days=7)  # expires exactly now
        second = await buy(client, member, tea.id)
        assert await earned(second["id"]) == {}
        with pytest.raises(AlreadyBound):  # b's share before expiry would not have counted…
            clock.advance(days=-1)
            await binding.bind(client.runtime, member.id, b.code)
        clock.advance(days=1)
        await binding.bind(client.runtime, member.id, b.code)  # …after expiry it rebinds
        third = await buy(client, member, tea.id)
        assert await earned(third["id"]) == {b.id: 2000}
        change = await UplineChange.get(member_id=member.id)
        assert (change.old_upline_id, change.new_upline_id, change.actor_id) == (a.id, b.id, None)


async def test_last_touch_rebinds_on_every_share(make_app):
    async with make_app(enabled=["distribution"], settings=settings(binding="last_touch")) as client:
        a = await distributor(client.runtime, "a")
        b = await distributor(client.runtime, "b")
        member = await make_member("m@example.com")
        await binding.bind(client.runtime, member.id, a.code, is_new=True)
        await binding.bind(client.runtime, member.id, b.code)
        assert (await binding.open_binding(member.id)).upline_id == b.id
        assert await Binding.filter(member_id=member.id).count() == 2
        assert await team.level_counts(a.id) == {} and await team.level_counts(b.id) == {1: 1}


async def test_operator_moves_a_subtree_with_an_audited_reason(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        x = await distributor(client.runtime, "x")
        tea = await sku()
        before = await buy(client, c, tea.id)
        await binding.change_upline(client.runtime, b.id, x.id, reason="moved after complaint", actor_id=a.id)
        assert await team.level_counts(x.id) == {1: 1, 2: 1} and await team.level_counts(a.id) == {}
        after = await buy(client, c, tea.id)
        assert await earned(before["id"]) == {b.id: 2000, a.id: 1000}  # past commissions untouched
        assert await earned(after["id"]) == {b.id: 2000, x.id: 1000}
        with pytest.raises(CycleBinding):
            await binding.change_upline(client.runtime, x.id, c.id, reason="loop", actor_id=a.id)
        await binding.change_upline(client.runtime, b.id, None, reason="removed", actor_id=a.id)
        assert await team.level_counts(x.id) == {} and await team.level_counts(b.id) == {1: 1}
        audit = await UplineChange.filter(member_id=b.id).order_by("id").values_list("old_upline_id", "new_upline_id", "reason")
        assert audit == [(a.id, x.id, "moved after complaint"), (x.id, None, "removed")]
        # the closure table holds exactly the pairs of the current tree
        pairs = set(await TreePath.filter(depth__gte=1).values_list("ancestor_id", "descendant_id"))
        assert pairs == {(b.id, c.id)}


def test_level_cap_and_compliance_profile_are_validated_at_startup():
    def build(**values):
        return build_runtime(Config(plugins={"enabled": ["distribution"], "distribution": values}))

    with pytest.raises(PluginError, match="levels must be 1 to 3"):
        build(levels=4, rates_bp=[1, 1, 1, 1], compliance="cn-law")
    with pytest.raises(PluginError, match="cn-wechat compliance profile"):
        build(levels=3, rates_bp=[1000, 500, 200])
    with pytest.raises(PluginError, match="one rate per level"):
        build(levels=2, rates_bp=[1000])
    assert build(levels=3, rates_bp=[1000, 500, 200], compliance="cn-law").settings("distribution").levels == 3


async def test_concurrent_opposite_bindings_cannot_close_a_loop(make_app):
    async with make_app(enabled=["distribution"], settings=settings(scope="any_without_upline")) as client:
        for round_ in range(5):
            a = await distributor(client.runtime, f"a{round_}")
            c = await distributor(client.runtime, f"c{round_}")
            results = await asyncio.gather(
                binding.bind(client.runtime, a.id, c.code), binding.bind(client.runtime, c.id, a.code),
                return_exceptions=True,
            )
            assert sorted(type(r).__name__ for r in results) == ["Binding", "CycleBinding"], results
            assert not await TreePath.filter(ancestor_id=a.id, descendant_id=c.id).exists() or \
                not await TreePath.filter(ancestor_id=c.id, descendant_id=a.id).exists()
