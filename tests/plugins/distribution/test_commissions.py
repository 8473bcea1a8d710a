"""Commission rules: rounding, grades, overrides, frozen distributors, hooks, replays, modes."""

import asyncio

import pytest

from qunshang import hookimpl
from qunshang.ledger import service as ledger
from qunshang.ledger.models import Posting
from qunshang.members.models import Member
from qunshang.orders.models import Order
from qunshang.plugins.distribution.models import Commission, DistributorStatus, Grade
from qunshang.plugins.distribution.service import binding, commissions, distributors, rules, tree
from qunshang.testing import bearer, make_member
from tests.core.test_orders_support import callback, pay, place

from .support import NO_FREE_SHIPPING, buy, chain, distributor, earned, settings, sku


async def test_rounding_is_half_up_per_line_per_earner(make_app):
    async with make_app(enabled=["distribution"], settings=settings(rates_bp=[1000, 1])) as client:
        a, b, c = await chain(client.runtime)
        half = await sku(price=12345, code="H")  # 10% = 1234.5 → 1235, 0.01% = 1.2345 → 1
        below = await sku(price=12344, code="L")  # 10% = 1234.4 → 1234
        headers = await bearer(c)
        r = await client.post("/api/orders", headers=headers, json={
            "lines": [{"sku_id": half.id, "quantity": 1}, {"sku_id": below.id, "quantity": 1}],
            "address": {"name": "张三", "phone": "13800138000", "region": "杭州", "detail": "1 号"},
        })
        order = r.json()
        await pay(client, headers, order["id"])
        rows = await Commission.filter(order_id=order["id"], level=1).order_by("order_line_id").values_list("base", "amount")
        assert rows == [(12345, 1235), (12344, 1234)]
        assert await earned(order["id"]) == {b.id: 2469, a.id: 2}  # each line rounded on its own: 1235 + 1234
        exact = (await Commission.get(order_id=order["id"], level=1, base=12345)).explanation["exact"]
        assert exact == "1234.5000"


async def test_half_a_fen_below_rounds_to_nothing_and_writes_no_row(make_app):
    async with make_app(enabled=["distribution"], settings=settings(rates_bp=[1, 1])) as client:
        a, b, c = await chain(client.runtime)
        tiny = await sku(price=4999)  # 0.4999 fen → 0
        order = await buy(client, c, tiny.id)
        assert await earned(order["id"]) == {}
        assert not await Posting.filter(key=commissions.posting_key(order["id"])).exists()
        exactly_half = await sku(price=5000, code="X")  # 0.5 fen → 1
        order = await buy(client, c, exactly_half.id)
        assert await earned(order["id"]) == {b.id: 1, a.id: 1}


async def test_grade_rates_replace_the_default_at_the_holders_level(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        gold = await Grade.create(name="gold", rank=2, rates_bp=[3000, 1500])
        await distributors.update(b.id, grade_id=gold.id)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 3000, a.id: 1000}  # A has no grade: default level-2 rate
        await distributors.update(a.id, grade_id=gold.id)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 3000, a.id: 1500}
        why = (await Commission.get(order_id=order["id"], level=2)).explanation
        assert (why["rate_source"], why["grade"]) == ("grade", "gold")


async def test_sku_override_beats_product_override_beats_grade(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        await rules.set_override(client.runtime, tea.product_id, sku_id=None, rates_bp=[500, 100], amounts_per_unit=None,
                                 excluded=False)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 500, a.id: 100}
        await rules.set_override(client.runtime, tea.product_id, sku_id=tea.id, rates_bp=[700], amounts_per_unit=None,
                                 excluded=False)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 700}
        assert (await Commission.get(order_id=order["id"], level=1)).explanation["rate_source"] == "sku"
        await rules.set_override(client.runtime, tea.product_id, sku_id=tea.id, rates_bp=None, amounts_per_unit=None,
                                 excluded=True)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {}


async def test_frozen_distributor_earns_nothing_and_the_level_above_still_earns(make_app):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        await distributors.update(b.id, status=DistributorStatus.FROZEN)
        tea = await sku(price=10000)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {a.id: 1000}
        await distributors.update(b.id, status=DistributorStatus.ACTIVE)
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 2000, a.id: 1000}


@pytest.mark.parametrize("mode", ["designated", "everyone"])
async def test_a_deactivated_account_earns_nothing_whatever_its_distributor_row(make_app, mode):
    async with make_app(enabled=["distribution"], settings=settings(mode=mode)) as client:
        a, b, c = await chain(client.runtime)
        buyer = await make_member("buyer@example.com")
        await binding.bind(client.runtime, buyer.id, c.code, is_new=True)
        await Member.filter(id=b.id).update(is_active=False)
        order = await buy(client, buyer, (await sku(price=10000)).id)
        assert await earned(order["id"]) == {c.id: 2000}  # B (level 2) is closed: nothing, A is level 3


async def test_self_purchase_off_pays_the_buyer_nothing(make_app):
    async with make_app(enabled=["distribution"], settings=settings(self_purchase=False)) as client:
        a, b, c = await chain(client.runtime)
        order = await buy(client, c, (await sku(price=10000)).id)
        assert c.id not in await earned(order["id"])


async def test_a_replayed_payment_callback_pays_commissions_once(make_app, clock):
    async with make_app(enabled=["distribution"], settings=settings()) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        headers = await bearer(c)
        order = await place(client, headers, tea.id)
        intent = (await client.post(f"/api/orders/{order['id']}/pay", json={"provider": "sandbox"}, headers=headers)).json()
        now = int(clock().timestamp())
        for _ in range(3):
            r = await callback(client, intent["intent_id"], "tx-1", order["total"], now)
            assert r.status_code == 200, r.text
        assert await Commission.filter(order_id=order["id"]).count() == 2
        assert await ledger.wallet(b.id) == {"pending": 2000, "available": 0}
        # the service itself is idempotent too
        assert await commissions.create_for_order(client.runtime, await Order.get(id=order["id"])) == []
        assert await ledger.wallet(b.id) == {"pending": 2000, "available": 0}
        # and replays arriving at the same time pay once as well
        second = await place(client, headers, tea.id)
        intent = (await client.post(f"/api/orders/{second['id']}/pay", json={"provider": "sandbox"}, headers=headers)).json()
        replies = await asyncio.gather(*[callback(client, intent["intent_id"], "tx-2", second["total"], now)
                                         for _ in range(8)])
        assert {r.status_code for r in replies} <= {200, 409}, [r.text for r in replies]
        assert await Commission.filter(order_id=second["id"]).count() == 2
        assert await ledger.wallet(b.id) == {"pending": 4000, "available": 0}
        assert await ledger.check() == []


class NoLiveOrders:
    @hookimpl(optionalhook=True)
    def distribution_commission_eligible(self, order):
        return False if order.context.get("channel") == "live" else None


class DoubleLevelOne:
    def __init__(self):
        self.seen = []

    @hookimpl(optionalhook=True)
    def distribution_rate_override(self, candidates):
        self.seen.extend(candidates)
        return {c["index"]: 4000 for c in candidates if c["level"] == 1}


async def test_other_plugins_can_exclude_orders_and_change_rates(make_app):
    doubler = DoubleLevelOne()
    async with make_app(enabled=["distribution"], settings=settings(), extra_plugins=[NoLiveOrders(), doubler]) as client:
        a, b, c = await chain(client.runtime)
        tea = await sku(price=10000)
        headers = await bearer(c)
        live = await place(client, headers, tea.id, context={"channel": "live"})
        await pay(client, headers, live["id"])
        assert await earned(live["id"]) == {}
        order = await buy(client, c, tea.id)
        assert await earned(order["id"]) == {b.id: 4000, a.id: 1000}
        assert {(s["level"], s["rate_source"]) for s in doubler.seen} == {(1, "default"), (2, "default")}
        assert (await Commission.get(order_id=order["id"], level=1)).explanation["rate_source"] == "hook"


async def test_differential_mode_pays_each_tier_its_rate_minus_what_was_paid_below(make_app):
    async with make_app(enabled=["distribution"], settings=settings(differential=True, rates_bp=[1000, 0])) as client:
        a, b, c = await chain(client.runtime)
        top = await Grade.create(name="agent", rank=5, rates_bp=[2500])
        await distributors.update(a.id, grade_id=top.id)
        buyer = await make_member("buyer@example.com")
        await binding.bind(client.runtime, buyer.id, c.code, is_new=True)
        tea = await sku(price=10000)
        order = await buy(client, buyer, tea.id)
        # C's tier 10% pays 10%, B's tier is also 10%: nothing left for B (A is a third level)
        assert await earned(order["id"]) == {c.id: 1000}


async def test_differential_mode_tops_up_to_the_upper_tier(make_app):
    async with make_app(enabled=["distribution"], settings=settings(differential=True, rates_bp=[1000, 0])) as client:
        a, b, c = await chain(client.runtime)
        top = await Grade.create(name="agent", rank=5, rates_bp=[2500])
        await distributors.update(a.id, grade_id=top.id)
        order = await buy(client, c, (await sku(price=10000)).id)
        assert await earned(order["id"]) == {b.id: 1000, a.id: 1500}
        why = (await Commission.get(order_id=order["id"], level=2)).explanation["differential"]
        assert why == {"tier_rate_bp": 2500, "paid_below_bp": 1000}


async def test_differential_rounding_never_pays_more_than_the_top_rate(make_app):
    async with make_app(enabled=["distribution"], settings=settings(differential=True, rates_bp=[1000, 0])) as client:
        a, b, c = await chain(client.runtime)
        top = await Grade.create(name="agent", rank=5, rates_bp=[2000])
        await distributors.update(a.id, grade_id=top.id)
        order = await buy(client, c, (await sku(price=15)).id)
        # top rate 20% of 15 fen = 3; B's 10% = 1.5 → 2, A tops up to 3: 1 (not 1.5 → 2, which would pay 4)
        assert await earned(order["id"]) == {b.id: 2, a.id: 1}
        why = (await Commission.get(order_id=order["id"], level=2)).explanation
        assert (why["exact"], why["amount"]) == ("1.0000", 1)


@pytest.mark.parametrize(("spent_extra", "qualifies"), [(0, True), (-1, False)])
async def test_spend_threshold_is_inclusive(make_app, spent_extra, qualifies):
    # threshold = exactly what the order costs (goods 10000 + shipping 1000), or one fen more
    threshold = 11000 - spent_extra
    async with make_app(enabled=["distribution"], settings=settings(mode="spend_threshold", spend_threshold=threshold),
                        config=NO_FREE_SHIPPING) as client:
        member = await make_member("m@example.com")
        await buy(client, member, (await sku(price=10000)).id)
        assert (await distributors.get(member.id) is not None) is qualifies
        r = await client.post("/api/distribution/become", headers=await bearer(member))
        assert r.status_code == 409
        assert r.json()["error"]["code"] == ("already_distributor" if qualifies else "spend_too_low")


async def test_non_distributors_in_the_chain_earn_nothing_outside_everyone_mode(make_app):
    async with make_app(enabled=["distribution"], settings=settings(mode="designated")) as client:
        a = await distributor(client.runtime, "a")
        b = await make_member("b@example.com")
        await binding.bind(client.runtime, b.id, a.code, is_new=True)
        order = await buy(client, b, (await sku(price=10000)).id)
        assert await earned(order["id"]) == {a.id: 2000}
        c = await make_member("c@example.com")
        await binding.bind(client.runtime, c.id, a.code, is_new=True)
        await tree.detach(c.id)
        await tree.attach(c.id, b.id)  # B is not a distributor: level 1 pays nothing, A still level 2
        order = await buy(client, c, (await sku(price=10000, code="Z")).id)
        assert await earned(order["id"]) == {a.id: 1000}
