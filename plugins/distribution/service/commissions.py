"""Commissions at ``order_paid``: who earns, at which rate, on which base — with the why.

Chain: the buyer's uplines from the closure table, nearest first, ``levels`` of them; with
self-purchase on and the buyer a distributor, the buyer is level 1 and the chain shifts up by
one. Under ``valid_days`` an expired binding breaks the chain at that point. A level whose
member is not an active distributor (frozen, disabled, never one) earns nothing, and the
levels above do not move down.

Rate of a level, first that applies: the SKU's override, the product's override (rates or a
fixed amount per unit), the earner's grade rate for that level, the default rate; then the
``distribution_rate_override`` hook. In differential mode (级差) each earner's tier rate is
its level-1 rate and it earns that minus the highest tier rate paid below it.

Rounding: ``apply_rate`` (half-up to the fen), once per line per earner; in differential mode an
earner gets the half-up amount of its tier rate less the half-up amount of the rate paid below,
so a line's tiers add up to exactly the top tier's amount, never a fen more.

Cap: a line's commissions, all levels together, never exceed what was paid for the line (after
discounts, without shipping) — a fixed amount per unit or a list-price base could. The rounded
amounts are capped in level order, lower levels first: each earner keeps what the cap still
allows (:func:`cap_line`), so the capped amounts add up to exactly the paid amount and the
explanation says so.

All commissions of an order are one ledger posting ``platform:sales → member:<id>:pending`` keyed by the order, so a
replayed payment callback cannot pay twice (and the rows are unique per line and level).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qunshang.ledger import service as ledger
from qunshang.members.models import Member
from qunshang.money import apply_rate
from qunshang.orders.models import Order, OrderLine

from ..models import Binding, Commission, DistributorStatus, RateOverride
from . import tree

if TYPE_CHECKING:
    from qunshang.runtime import Runtime

ROUNDING = "half-up to the fen, per line per earner"
ROUNDING_DIFFERENTIAL = "half-up to the fen, per line per earner: the tier's amount less the amount at the rate paid below"
CAPPED = ", then capped at the amount paid for the line (all levels together, lower levels first)"


@dataclass(frozen=True)
class Earner:
    level: int
    member_id: int
    grade: str | None
    grade_rates: tuple[int, ...]
    self_purchase: bool


def posting_key(order_id: int) -> str:
    return f"distribution:order:{order_id}"


async def earners_for(runtime: Runtime, buyer_id: int) -> list[Earner]:
    """The members paid on an order by ``buyer_id``, one per level (at most 3 queries): active
    distributors (or, in everyone mode, members with no distributor row) whose account is open."""
    settings = runtime.settings("distribution")
    ups = await tree.uplines(buyer_id, settings.levels)
    members = [buyer_id, *ups]
    if settings.binding == "valid_days" and ups:
        now = runtime.now()
        expiry = dict(await Binding.filter(open_member_id__in=members[:-1]).values_list("member_id", "expires_at"))
        for i, _ in enumerate(ups):
            if members[i] not in expiry or (expiry[members[i]] is not None and expiry[members[i]] <= now):
                ups = ups[:i]
                break
    rows = {
        r["id"]: r
        for r in await Member.filter(id__in=[buyer_id, *ups]).values(
            "id", "is_active", status="distributor__status", grade_name="distributor__grade__name",
            grade_rates="distributor__grade__rates_bp",
        )
    }
    everyone = settings.mode == "everyone"

    def is_distributor(member_id: int) -> bool:
        status = rows[member_id]["status"]
        return status != DistributorStatus.DISABLED if status else everyone

    def earns(member_id: int) -> bool:
        row = rows.get(member_id)
        if row is None or not row["is_active"]:  # a closed account earns nothing
            return False
        return row["status"] == DistributorStatus.ACTIVE if row["status"] else everyone

    chain = ups
    buys_for_self = settings.self_purchase and is_distributor(buyer_id)
    if buys_for_self:
        chain = [buyer_id, *ups]
    earners = []
    for level, member_id in enumerate(chain[: settings.levels], start=1):
        if earns(member_id):
            row = rows[member_id]
            earners.append(Earner(level, member_id, row.get("grade_name"), tuple(row.get("grade_rates") or ()),
                                  buys_for_self and member_id == buyer_id))
    return earners


async def create_for_order(runtime: Runtime, order: Order) -> list[Commission]:
    """Write the order's commissions and their pending posting (inside the payment's
    transaction). Idempotent: an order that already has commissions gets none added."""
    if await Commission.exists(order_id=order.id):
        return []
    earners = await earners_for(runtime, order.member_id)
    if not earners:
        return []
    lines = await OrderLine.filter(order_id=order.id)
    verdicts = await runtime.call("distribution_commission_eligible", order=order, lines=lines)
    if any(v is False for v in verdicts):
        return []
    overrides = await _overrides(lines)
    plan = _plan(runtime, lines, earners, overrides)
    if not plan:
        return []
    await _apply_hook_rates(runtime, order, plan)
    _price(plan)
    now = runtime.now()
    rows = [_commission(order, item, now) for item in plan]
    rows = [row for row in rows if row.amount > 0]
    if not rows:
        return []
    await Commission.bulk_create(rows)
    per_earner: dict[int, int] = defaultdict(int)
    for row in rows:
        per_earner[row.earner_id] += row.amount
    entries = [(ledger.SALES, -sum(per_earner.values()))]
    entries += [(ledger.member_account(m, "pending"), a) for m, a in sorted(per_earner.items())]
    await ledger.post(posting_key(order.id), "distribution.commission", entries, at=now,
                      memo=f"commissions on order {order.number}", ref=f"order:{order.id}")
    return rows


async def _overrides(lines: list[OrderLine]) -> dict[tuple[int, int | None], RateOverride]:
    products = {line.product_id for line in lines}
    found = await RateOverride.filter(product_id__in=list(products))
    return {(o.product_id, o.sku_id): o for o in found}


def override_for(overrides, product_id: int, sku_id: int | None) -> RateOverride | None:
    """The override that rules a line: the SKU's, else the product's."""
    return overrides.get((product_id, sku_id)) or overrides.get((product_id, None))


def rule_for(settings, grade_rates: tuple[int, ...], override: RateOverride | None, level: int,
             paid_below: int = 0) -> dict[str, Any]:
    """How an earner at ``level`` with ``grade_rates`` is paid on a line ruled by ``override``:
    ``{rate_bp, per_unit, rate_source, differential}`` (``paid_below``: the highest tier rate
    already paid below, in differential mode). The commission plan and the calculator share it."""
    if override is not None and override.amounts_per_unit is not None:
        amounts = override.amounts_per_unit
        return {"rate_bp": None, "per_unit": amounts[level - 1] if level <= len(amounts) else 0,
                "rate_source": "sku" if override.sku_id else "product", "differential": None}
    rate, source = _rate(settings, grade_rates, override, level)
    differential = None
    if settings.differential:
        tier, source = _rate(settings, grade_rates, override, 1)
        rate = max(0, tier - paid_below)
        differential = {"tier_rate_bp": tier, "paid_below_bp": paid_below}
    return {"rate_bp": rate, "per_unit": None, "rate_source": source, "differential": differential}


def amount_of(rule: dict[str, Any], base: int, quantity: int) -> tuple[int, Decimal]:
    """What a ``rule_for`` rule pays on ``base`` (``quantity`` units): ``(fen, exact)``, the
    exact value before the one half-up rounding. The commission plan and the calculator share it."""
    if rule["per_unit"] is not None:
        return rule["per_unit"] * quantity, Decimal(rule["per_unit"] * quantity)
    if rule["differential"] is not None:
        tier, below = rule["differential"]["tier_rate_bp"], rule["differential"]["paid_below_bp"]
        if tier <= below:
            return 0, Decimal(0)
        paid = apply_rate(base, below)
        return apply_rate(base, tier) - paid, Decimal(base) * tier / 10_000 - paid
    return apply_rate(base, rule["rate_bp"]), Decimal(base) * rule["rate_bp"] / 10_000


def _plan(runtime: Runtime, lines: list[OrderLine], earners: list[Earner], overrides) -> list[dict[str, Any]]:
    settings = runtime.settings("distribution")
    plan: list[dict[str, Any]] = []
    for line in lines:
        override = override_for(overrides, line.product_id, line.sku_id)
        if override is not None and override.excluded:
            continue
        base = line.total if settings.base == "paid" else line.unit_price * line.quantity
        paid_below = 0
        for earner in earners:
            rule = rule_for(settings, earner.grade_rates, override, earner.level, paid_below)
            if rule["differential"] is not None:
                paid_below = max(paid_below, rule["differential"]["tier_rate_bp"])
            plan.append({"line": line, "earner": earner, "base": base, "base_kind": settings.base, **rule})
    return plan


def cap_line(amounts: list[int], paid: int) -> list[int]:
    """Cap one line's amounts (in level order) at ``paid`` all together: each level keeps what
    is left of ``paid`` after the levels below it, so no fen is created or lost."""
    left, out = max(paid, 0), []
    for amount in amounts:
        out.append(min(amount, left))
        left -= out[-1]
    return out


def _price(plan: list[dict[str, Any]]) -> None:
    """Set each item's ``amount``, ``exact`` and ``capped`` (the uncapped amount, when the
    line's cap lowered it): items of a line are consecutive and in level order."""
    for item in plan:
        item["amount"], item["exact"] = amount_of(item, item["base"], item["line"].quantity)
        item["capped"] = None
    by_line: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in plan:
        by_line[item["line"].id].append(item)
    for items in by_line.values():
        capped = cap_line([i["amount"] for i in items], items[0]["line"].total)
        for item, amount in zip(items, capped, strict=True):
            if amount != item["amount"]:
                item["capped"], item["amount"] = item["amount"], amount


def _rate(settings, grade_rates: tuple[int, ...], override: RateOverride | None, level: int) -> tuple[int, str]:
    if override is not None and override.rates_bp is not None:
        rates = override.rates_bp
        return (rates[level - 1] if level <= len(rates) else 0), ("sku" if override.sku_id else "product")
    if len(grade_rates) >= level:
        return grade_rates[level - 1], "grade"
    return settings.rates_bp[level - 1], "default"


async def _apply_hook_rates(runtime: Runtime, order: Order, plan: list[dict[str, Any]]) -> None:
    if not runtime.impls("distribution_rate_override"):
        return
    candidates = [
        {"index": i, "order_line_id": p["line"].id, "product_id": p["line"].product_id, "sku_id": p["line"].sku_id,
         "level": p["earner"].level, "earner_id": p["earner"].member_id, "rate_bp": p["rate_bp"],
         "rate_source": p["rate_source"]}
        for i, p in enumerate(plan)
    ]
    for changes in await runtime.call("distribution_rate_override", order=order, candidates=candidates):
        for index, rate in dict(changes).items():
            if not (isinstance(index, int) and 0 <= index < len(plan)):
                raise ValueError(f"distribution_rate_override returned an unknown index {index!r}")
            if isinstance(rate, bool) or not isinstance(rate, int) or not 0 <= rate <= 10_000:
                raise ValueError(f"distribution_rate_override returned an invalid rate {rate!r}")
            plan[index].update(rate_bp=rate, per_unit=None, rate_source="hook", differential=None)


def _commission(order: Order, item: dict[str, Any], now) -> Commission:
    line: OrderLine = item["line"]
    earner: Earner = item["earner"]
    amount, exact = item["amount"], item["exact"]
    rounding = ROUNDING_DIFFERENTIAL if item["differential"] else ROUNDING
    explanation = {
        "order_id": order.id, "order_number": order.number, "order_line_id": line.id, "product_id": line.product_id,
        "sku_id": line.sku_id, "title": line.title, "quantity": line.quantity, "level": earner.level,
        "self_purchase": earner.self_purchase,
        "base": {"kind": "fixed" if item["per_unit"] is not None else item["base_kind"], "amount": item["base"]},
        "rate_bp": item["rate_bp"], "fixed_per_unit": item["per_unit"], "rate_source": item["rate_source"],
        "grade": earner.grade if item["rate_source"] == "grade" else None,
        "differential": item["differential"], "exact": f"{exact:.4f}",
        "rounding": rounding + CAPPED if item["capped"] is not None else rounding, "amount": amount,
        "cap": {"paid": line.total, "uncapped": item["capped"]} if item["capped"] is not None else None,
    }
    return Commission(
        order_id=order.id, order_line_id=line.id, buyer_id=order.member_id, earner_id=earner.member_id,
        level=earner.level, base=item["base"], rate_bp=item["rate_bp"], amount=amount, explanation=explanation,
        created_at=now,
    )
