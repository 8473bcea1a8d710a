"""Follow-ups and the today list, tags by hand and by rules, lifecycle stages on their
boundaries (through the core level hook), and dormant customers."""

from datetime import datetime, timedelta, timezone

import pytest

from qunshang import hookimpl
from qunshang.groups import service as groups
from qunshang.members.models import Level, Member
from qunshang.plugins.crm.models import Customer, CustomerTag, FollowUpKind, TagRuleKind
from qunshang.plugins.crm.service import access, assignment, dormant, followups, lifecycle, tags
from qunshang.plugins.crm.settings import Thresholds
from qunshang.testing import make_member

from .support import buy, lead, product_in, seller

POOL = {"crm": {"strategy": "pool", "default_capacity": None}}


class Levels:
    """Records member_level_changed calls."""

    def __init__(self):
        self.seen = []

    @hookimpl
    def member_level_changed(self, member, old_level, new_level, reason):
        self.seen.append((member.id, old_level, new_level, reason))


async def test_today_lists_due_and_overdue_follow_ups_in_the_business_day(make_app, clock):
    clock.current = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        a, b, c, d, other = [await lead(rt, n) for n in ("a", "b", "c", "d", "other")]
        for m in (a, b, c, d):
            await assignment.claim(rt, s1.id, m)
        await assignment.claim(rt, s2.id, other)
        shanghai = timezone(timedelta(hours=8))
        await followups.add(rt, s1.id, a, FollowUpKind.CALL, next_at=datetime(2026, 3, 9, 23, 0, tzinfo=shanghai))   # yesterday
        await followups.add(rt, s1.id, b, FollowUpKind.VISIT, next_at=datetime(2026, 3, 10, 0, 0, tzinfo=shanghai))   # today 00:00
        await followups.add(rt, s1.id, c, FollowUpKind.CHAT, next_at=datetime(2026, 3, 10, 23, 59, tzinfo=shanghai))  # today
        await followups.add(rt, s1.id, d, FollowUpKind.NOTE, next_at=datetime(2026, 3, 11, 0, 0, tzinfo=shanghai))    # tomorrow
        await followups.add(rt, s2.id, other, FollowUpKind.CALL, next_at=datetime(2026, 3, 9, 0, 0, tzinfo=shanghai))
        today = await followups.today(rt, s1.id)
        assert [r["member_id"] for r in today["overdue"]] == [a]
        assert [r["member_id"] for r in today["due"]] == [b, c]
        clock.advance(days=1)
        today = await followups.today(rt, s1.id)
        assert [r["member_id"] for r in today["overdue"]] == [a, b, c] and [r["member_id"] for r in today["due"]] == [d]


async def test_manual_tags_are_normalised_and_idempotent(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        c = await lead(client.runtime, "c")
        assert await tags.add(client.runtime, c, "  VIP  Buyer ") == ["vip buyer"]
        assert await tags.add(client.runtime, c, "vip buyer") == ["vip buyer"]
        assert await tags.remove(c, "VIP buyer") == []


async def test_bought_category_and_joined_group_rules_tag_automatically(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        await tags.create_rule(rt, TagRuleKind.BOUGHT_CATEGORY, "puer", "普洱爱好者")
        await tags.create_rule(rt, TagRuleKind.BOUGHT_CATEGORY, "green", "green tea")
        buyer = await make_member("buyer@example.com")
        await assignment.ensure_customer(rt, buyer.id)
        sku = await product_in("puer")
        await buy(client, buyer, sku.id)
        assert await tags.tags_of(buyer.id) == ["普洱爱好者"]
        owner = await make_member("owner@example.com")
        group = await groups.create_group(rt, owner, "Tea club")
        await tags.create_rule(rt, TagRuleKind.JOINED_GROUP, str(group.id), "tea club")
        await groups.join(rt, group.id, buyer)
        assert await tags.tags_of(buyer.id) == ["tea club", "普洱爱好者"]


async def test_a_new_rule_tags_the_customers_who_already_qualify(make_app, clock):
    """Rules apply to the past too: buyers of the category, members of the group, customers idle long enough."""
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        buyer, joiner, idle, other = [await make_member(f"{n}@example.com") for n in ("buyer", "joiner", "idle", "other")]
        for m in (buyer, joiner, idle, other):
            await assignment.ensure_customer(rt, m.id)
        await buy(client, buyer, (await product_in("puer")).id)
        await buy(client, other, (await product_in("green", code="T-2")).id)
        group = await groups.create_group(rt, await make_member("owner@example.com"), "Tea club")
        await groups.join(rt, group.id, joiner)
        await Customer.filter(member_id=idle.id).update(registered_at=rt.now() - timedelta(days=61))
        await tags.create_rule(rt, TagRuleKind.BOUGHT_CATEGORY, "puer", "puer fan")
        await tags.create_rule(rt, TagRuleKind.JOINED_GROUP, str(group.id), "club")
        await tags.create_rule(rt, TagRuleKind.NO_ORDER_DAYS, "60", "idle")
        got = {m.id: await tags.tags_of(m.id) for m in (buyer, joiner, idle, other)}
        assert got == {buyer.id: ["puer fan"], joiner.id: ["club"], idle.id: ["idle"], other.id: []}


async def test_no_order_in_n_days_rule_tags_and_untags(make_app, clock):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        rule = await tags.create_rule(rt, TagRuleKind.NO_ORDER_DAYS, "60", "沉睡")
        old, fresh = await lead(rt, "old"), await lead(rt, "fresh")
        await Customer.filter(member_id=old).update(registered_at=rt.now() - timedelta(days=60, seconds=1))
        await Customer.filter(member_id=fresh).update(registered_at=rt.now() - timedelta(days=60))
        await tags.sweep_no_order(rt)
        assert await tags.tags_of(old) == ["沉睡"] and await tags.tags_of(fresh) == []
        await Customer.filter(member_id=old).update(last_order_at=rt.now())
        await tags.sweep_no_order(rt)
        assert await tags.tags_of(old) == []
        await tags.add(rt, fresh, "沉睡")  # a manual tag of the same name is not the rule's to remove
        await tags.sweep_no_order(rt)
        assert await tags.tags_of(fresh) == ["沉睡"]
        assert await CustomerTag.filter(rule_id=rule.id).count() == 0


@pytest.mark.parametrize("kind,value", [("no_order_days", "0"), ("no_order_days", "x"), ("no_order_days", "²"),
                                        ("joined_group", "abc"), ("joined_group", "9" * 30), ("joined_group", "٣")])
async def test_bad_tag_rules_are_refused(make_app, kind, value):
    from qunshang.errors import InvalidInput

    async with make_app(enabled=["crm"], settings=POOL) as client:
        with pytest.raises(InvalidInput):
            await tags.create_rule(client.runtime, TagRuleKind(kind), value, "t")


NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
T = Thresholds(fan_min_orders=2, fan_min_groups=2, loyal_recency_days=30, loyal_min_orders=5, loyal_min_spend=100_000)


@pytest.mark.parametrize("orders,spend,groups_,last,stage", [
    (0, 0, 0, None, "user"),
    (1, 100, 0, NOW, "member"),
    (0, 0, 1, None, "member"),
    (1, 10**9, 1, NOW, "member"),          # one order and one group: not yet repeat/active
    (2, 200, 0, NOW, "fan"),               # fan_min_orders, inclusive
    (0, 0, 2, None, "fan"),                # fan_min_groups, inclusive
    (5, 100_000, 0, NOW - timedelta(days=30), "loyal_fan"),  # every threshold exactly met
    (4, 10**9, 0, NOW, "fan"),             # one order short
    (5, 99_999, 0, NOW, "fan"),            # one fen short
    (5, 100_000, 0, NOW - timedelta(days=30, seconds=1), "fan"),  # one second too long ago
])
def test_stage_boundaries(orders, spend, groups_, last, stage):
    assert lifecycle.stage_of(orders, spend, groups_, last, NOW, T) == stage


async def test_stage_changes_go_through_set_level_and_fire_the_hook(make_app, clock):
    seen = Levels()
    settings = {"crm": {"strategy": "pool", "thresholds": {"fan_min_orders": 2, "loyal_min_orders": 3,
                                                            "loyal_min_spend": 30000, "loyal_recency_days": 10}}}
    async with make_app(enabled=["crm"], settings=settings, extra_plugins=[seen]) as client:
        rt = client.runtime
        buyer = await make_member("buyer@example.com")
        await assignment.ensure_customer(rt, buyer.id)
        sku = await product_in("puer", price=10000)
        for _ in range(3):
            await buy(client, buyer, sku.id)
        assert [(old, new) for _m, old, new, _r in seen.seen] == [("user", "member"), ("member", "fan"), ("fan", "loyal_fan")]
        assert (await Member.get(id=buyer.id)).level == Level.LOYAL_FAN
        clock.advance(days=10)
        assert await lifecycle.sweep(rt) == 0  # exactly at the recency bound: still loyal
        clock.advance(seconds=1)
        assert await lifecycle.sweep(rt) == 1
        assert (await Member.get(id=buyer.id)).level == Level.FAN
        assert seen.seen[-1][1:] == ("loyal_fan", "fan", "no recent order")


async def test_events_do_not_lower_a_level_set_by_hand(make_app):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        rt = client.runtime
        buyer = await make_member("buyer@example.com", level="fan")
        await assignment.ensure_customer(rt, buyer.id)
        await buy(client, buyer, (await product_in("puer")).id)
        assert (await Member.get(id=buyer.id)).level == Level.FAN


async def test_levels_are_left_alone_when_manage_levels_is_off(make_app):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "manage_levels": False}}) as client:
        buyer = await make_member("buyer@example.com")
        await buy(client, buyer, (await product_in("puer")).id)
        assert (await Member.get(id=buyer.id)).level == Level.USER
        assert (await Customer.get(member_id=buyer.id)).orders_count == 1  # counted even for members from before the CRM


async def test_dormant_list_has_reason_and_action_and_belongs_to_the_owner(make_app, clock):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "dormant_days": 30}}) as client:
        rt = client.runtime
        s1, s2 = await seller(rt, "s1"), await seller(rt, "s2")
        never, lapsed, active, others = [await lead(rt, n) for n in ("never", "lapsed", "active", "others")]
        for m in (never, lapsed, active):
            await assignment.claim(rt, s1.id, m)
        await assignment.claim(rt, s2.id, others)
        now = rt.now()
        await Customer.filter(member_id__in=[never, lapsed, active, others]).update(registered_at=now - timedelta(days=90))
        await Customer.filter(member_id=lapsed).update(last_order_at=now - timedelta(days=30, seconds=1), orders_count=2)
        await Customer.filter(member_id=active).update(last_order_at=now - timedelta(days=30), orders_count=1)
        await Member.filter(id=lapsed).update(level="fan")
        page = await dormant.listing(rt, await access.scope_of(rt, s1.id))
        got = {r["member_id"]: r for r in page["items"]}
        assert set(got) == {never, lapsed}
        assert got[never]["reason"] == "no_order_since_registration" and got[never]["idle_days"] == 90
        assert got[lapsed]["reason"] == "no_order" and got[lapsed]["idle_days"] == 30
        assert got[lapsed]["suggested_action"] == dormant.ACTIONS["fan"] and got[lapsed]["owner_id"] == s1.id


async def test_a_crm_failure_never_refuses_a_payment(make_app, monkeypatch):
    async with make_app(enabled=["crm"], settings=POOL) as client:
        buyer = await make_member("buyer@example.com")
        await assignment.ensure_customer(client.runtime, buyer.id)

        async def broken(runtime, order):
            await Customer.filter(member_id=order.member_id).update(orders_count=99)
            raise RuntimeError("boom")

        monkeypatch.setattr(tags, "on_order_paid", broken)
        order = await buy(client, buyer, (await product_in("puer")).id)
        from qunshang.orders.models import Order
        assert str((await Order.get(id=order["id"])).status) == "paid"
        assert (await Customer.get(member_id=buyer.id)).orders_count == 0  # the savepoint was undone whole


async def test_a_replayed_order_paid_is_counted_once(make_app):
    from qunshang.orders.models import Order
    from qunshang.plugins.crm import hooks
    from qunshang.plugins.crm.models import Sale

    async with make_app(enabled=["crm"], settings=POOL) as client:
        buyer = await make_member("buyer@example.com")
        placed = await buy(client, buyer, (await product_in("puer")).id)
        await hooks.order_paid(client.runtime, await Order.get(id=placed["id"]))  # the hook again, for the same order
        customer = await Customer.get(member_id=buyer.id)
        assert (customer.orders_count, await Sale.filter(order_id=placed["id"]).count()) == (1, 1)


async def test_dormant_list_puts_the_longest_idle_first_on_every_database(make_app):
    async with make_app(enabled=["crm"], settings={"crm": {"strategy": "pool", "dormant_days": 30}}) as client:
        rt = client.runtime
        s1 = await seller(rt, "s1")
        never, lapsed, oldest = [await lead(rt, n) for n in ("never", "lapsed", "oldest")]
        now = rt.now()
        await Customer.filter(member_id=never).update(registered_at=now - timedelta(days=35))
        await Customer.filter(member_id=lapsed).update(registered_at=now - timedelta(days=400), last_order_at=now - timedelta(days=50))
        await Customer.filter(member_id=oldest).update(registered_at=now - timedelta(days=90))
        for m in (never, lapsed, oldest):
            await assignment.claim(rt, s1.id, m)
        page = await dormant.listing(rt, await access.scope_of(rt, s1.id))
        assert [r["member_id"] for r in page["items"]] == [oldest, lapsed, never]
