"""Customer tags: by hand, and by rules — bought a category, joined a group, no order in N days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from qunshang.catalog.models import Category, Product
from qunshang.errors import InvalidInput
from qunshang.groups.models import GroupMembership, MembershipStatus
from qunshang.members.service import normalise_tag
from qunshang.orders.models import Order, OrderLine

from ..errors import RuleNotFound
from ..models import Customer, CustomerTag, TagRule, TagRuleKind
from . import sql


async def tags_of(member_id: int) -> list[str]:
    return sorted(await CustomerTag.filter(customer_id=member_id).values_list("tag", flat=True))


async def _add(runtime: Any, member_ids: list[int], tag: str, rule_id: int | None) -> int:
    """Tag customers, ignoring those who have the tag already (one statement)."""
    if not member_ids:
        return 0
    marks = ", ".join("?" * len(member_ids))
    return await sql.run(CustomerTag, f"""
        INSERT INTO {sql.table(CustomerTag)} (customer_id, tag, rule_id, at)
        SELECT c.member_id, ?, ?, ? FROM {sql.table(Customer)} c WHERE c.member_id IN ({marks})
        ON CONFLICT (customer_id, tag) DO NOTHING""", [tag, rule_id, runtime.now(), *member_ids])


async def add(runtime: Any, member_id: int, tag: str) -> list[str]:
    await _add(runtime, [member_id], normalise_tag(tag), None)
    return await tags_of(member_id)


async def remove(member_id: int, tag: str) -> list[str]:
    await CustomerTag.filter(customer_id=member_id, tag=normalise_tag(tag)).delete()
    return await tags_of(member_id)


async def create_rule(runtime: Any, kind: TagRuleKind, value: str, tag: str) -> TagRule:
    """A tag rule, applied at once to the customers who already qualify."""
    value = value.strip()
    number = int(value) if value.isascii() and value.isdigit() else 0
    if kind == TagRuleKind.NO_ORDER_DAYS and not 1 <= number <= 3650:
        raise InvalidInput(detail="no_order_days needs a number of days from 1 to 3650")
    if kind == TagRuleKind.JOINED_GROUP and not 1 <= number < 2**31:
        raise InvalidInput(detail="joined_group needs a group id")
    if not value:
        raise InvalidInput(detail="value is required")
    row, _ = await TagRule.get_or_create(kind=kind, value=value[:64], tag=normalise_tag(tag))
    await apply(runtime, row)
    return row


async def delete_rule(rule_id: int) -> None:
    if not await TagRule.filter(id=rule_id).delete():
        raise RuleNotFound()


async def rules() -> list[dict[str, Any]]:
    return await TagRule.all().order_by("id").values("id", "kind", "value", "tag")


async def on_order_paid(runtime: Any, order: Any) -> None:
    """Tag the buyer by the categories (slugs) of what they bought."""
    product_ids = await OrderLine.filter(order_id=order.id).values_list("product_id", flat=True)
    slugs = set(await Category.filter(products__id__in=list(product_ids)).values_list("slug", flat=True))
    if not slugs:
        return
    for rule in await TagRule.filter(kind=TagRuleKind.BOUGHT_CATEGORY, value__in=list(slugs)):
        await _add(runtime, [order.member_id], rule.tag, rule.id)


async def on_group_joined(runtime: Any, group_id: int, member_id: int) -> None:
    for rule in await TagRule.filter(kind=TagRuleKind.JOINED_GROUP, value=str(group_id)):
        await _add(runtime, [member_id], rule.tag, rule.id)


async def apply(runtime: Any, rule: TagRule) -> int:
    """Tag every customer the rule matches now, set-wise (and, for "no order in N days", untag
    those who ordered since); how many tags changed."""
    now = runtime.now()
    insert = f"""INSERT INTO {sql.table(CustomerTag)} (customer_id, tag, rule_id, at)
        SELECT c.member_id, ?, ?, ? FROM {sql.table(Customer)} c WHERE {{where}}
        ON CONFLICT (customer_id, tag) DO NOTHING"""
    params: list[Any] = [rule.tag, rule.id, now]
    if rule.kind == TagRuleKind.BOUGHT_CATEGORY:
        return await sql.run(CustomerTag, insert.format(where=f"""EXISTS (SELECT 1 FROM {sql.table(Order)} o
            JOIN {sql.table(OrderLine)} l ON l.order_id = o.id JOIN {sql.table(Product)} p ON p.id = l.product_id
            JOIN {sql.table(Category)} k ON k.id = p.category_id
            WHERE o.member_id = c.member_id AND o.paid_at IS NOT NULL AND k.slug = ?)"""), [*params, rule.value])
    if rule.kind == TagRuleKind.JOINED_GROUP:
        return await sql.run(CustomerTag, insert.format(where=f"""EXISTS (SELECT 1 FROM {sql.table(GroupMembership)} g
            WHERE g.member_id = c.member_id AND g.group_id = ? AND g.status = ?)"""),
            [*params, int(rule.value), MembershipStatus.ACTIVE.value])
    cutoff = now - timedelta(days=int(rule.value))
    changed = await sql.run(CustomerTag, insert.format(where="COALESCE(c.last_order_at, c.registered_at) < ?"), [*params, cutoff])
    return changed + await sql.run(CustomerTag, f"""
        DELETE FROM {sql.table(CustomerTag)} WHERE rule_id = ? AND customer_id IN (
            SELECT c.member_id FROM {sql.table(Customer)} c WHERE COALESCE(c.last_order_at, c.registered_at) >= ?)""",
        [rule.id, cutoff])


async def sweep_no_order(runtime: Any) -> int:
    """Re-apply every "no order in N days" rule (job crm.retag): time makes customers qualify."""
    return sum([await apply(runtime, rule) for rule in await TagRule.filter(kind=TagRuleKind.NO_ORDER_DAYS)])
