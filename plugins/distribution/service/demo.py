"""``qunshang demo``: a believable distribution setup through the public services — a grade,
a chain of distributors (老王 → 李姐 → two friends who registered by 李姐's link), their
orders paid through the sandbox so commissions are pending, one settled and available, and a
withdrawal waiting for finance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qunshang.members import service as members
from qunshang.orders import service as orders
from qunshang.payments import service as payments

from . import binding, distributors, grades, withdrawals

if TYPE_CHECKING:
    from qunshang.runtime import Runtime

ADDRESS = {"name": "赵小姐", "phone": "13800000011", "region": "浙江省 杭州市 上城区", "detail": "清河坊 8 号"}
FRIENDS = [("13800000011", "茶友 小赵"), ("13800000012", "茶友 Lily")]
PASSWORD = "demo12345"


async def _order(runtime: Runtime, buyer, product, *, close: bool) -> Any:
    sku = (await product.skus.all())[0]
    order = (await orders.place_order(runtime, buyer, [{"sku_id": sku.id, "quantity": 1}], ADDRESS,
                                      context={"channel": "demo"})).order
    intent = await payments.create_intent(runtime, order, "sandbox")
    await payments.complete_sandbox(runtime, buyer.id, intent["intent_id"])
    if close:  # ship, receive, close the after-sales window: the commissions settle
        await orders.ship(runtime, order.id, carrier="SF", tracking_number=f"SF{order.id:010d}", actor_id=None)
        await orders.complete(runtime, order.id, actor_id=buyer.id, note="buyer")
        await orders.close(runtime, order.id)
    return order


async def seed(runtime: Runtime, demo: dict[str, Any]) -> None:
    people = demo["members"]
    top, leader = people["13800000001"], people["13800000002"]
    gold = await grades.create(runtime, name="金牌团长", rank=10, rates_bp=[1500, 700][: runtime.settings("distribution").levels],
                               min_team_size=20)
    for member in (top, leader):
        await distributors.designate(runtime, member.id)
    await distributors.update(leader.id, grade_id=gold.id)
    top_code = (await distributors.get(top.id)).code
    await binding.bind(runtime, leader.id, top_code, source="demo", is_new=True)
    leader_code = (await distributors.get(leader.id)).code
    friends = []
    for login, name in FRIENDS:
        friends.append(await members.register(runtime, login=login, password=PASSWORD, display_name=name,
                                              context={"source": "poster", "referral_code": leader_code}))
    products = demo["products"]
    await _order(runtime, friends[0], products[0], close=True)
    await _order(runtime, friends[0], products[1 % len(products)], close=False)
    await _order(runtime, friends[1], products[2 % len(products)], close=False)
    available = (await withdrawals.balances(leader.id))["available"]
    settings = runtime.settings("distribution")
    amount = min(available, settings.withdrawal_max)
    if amount >= settings.withdrawal_min:
        await withdrawals.request(runtime, leader.id, amount)
    demo["distribution"] = {"grade": gold, "chain": [top, leader, *friends]}
