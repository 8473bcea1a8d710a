"""Demo data through the public services: a sales manager and a second salesperson in a team,
the demo customers assigned by the rules, follow-ups due today and overdue, and tag rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from qunshang.members import service as members

from .models import FollowUpKind, TagRuleKind
from .service import assignment, followups, salespeople, tags

PASSWORD = "demo12345"
STAFF = [("sales2@demo.qunshang", "销售 小赵", "salesperson"), ("salesmgr@demo.qunshang", "销售经理 老郑", "sales_manager")]


async def seed(runtime: Any, demo: dict[str, Any]) -> None:
    owner = demo["members"]["owner@demo.qunshang"]
    made = {}
    for login, name, role in STAFF:
        member = await members.register(runtime, login=login, password=PASSWORD, display_name=name, context={"source": "direct"})
        await members.grant_role(runtime, owner, member, role)
        made[login] = demo["members"][login] = member
    team = await salespeople.create_team(runtime, "华东一组 East 1", made["salesmgr@demo.qunshang"].id)
    for login in ("sales@demo.qunshang", "sales2@demo.qunshang"):
        await salespeople.ensure(runtime, demo["members"][login].id)
        await salespeople.update(demo["members"][login].id, team_id=team.id, capacity=50)
    await tags.create_rule(runtime, TagRuleKind.NO_ORDER_DAYS, "60", "60天未下单")
    await assignment.assign_pool(runtime)
    now = runtime.now()
    for i, login in enumerate(("buyer@demo.qunshang", "13800000004", "13800000001")):
        customer = await assignment.ensure_customer(runtime, demo["members"][login].id)
        if customer.owner_id is None:
            continue
        await followups.add(runtime, customer.owner_id, customer.member_id, FollowUpKind.CALL if i else FollowUpKind.CHAT,
                            "介绍新茶 New tea introduced", next_at=now + timedelta(days=i - 1))
        await tags.add(runtime, customer.member_id, "茶友")
