"""Grades: their rates replace the default rates at the level their holder earns at, and
rules (team size, team sales, own sales, all inclusive minimums) upgrade distributors when
orders settle — the buyer and everyone above them, whose figures the order changed. Upgrades
only: a grade is never lowered automatically."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from qunshang.errors import Conflict, NotFound

from ..models import Distributor, Grade, TreePath
from . import distributors, team

if TYPE_CHECKING:
    from qunshang.runtime import Runtime

RULES = ("min_team_size", "min_team_sales", "min_own_sales")


async def create(runtime: Runtime, *, name: str, rank: int, rates_bp: list[int], **rules: int | None) -> Grade:
    distributors.check_rates(rates_bp, runtime.settings("distribution").levels)
    try:
        async with in_transaction():
            return await Grade.create(name=name, rank=rank, rates_bp=rates_bp, **rules)
    except IntegrityError:
        raise Conflict("A grade with this name or rank already exists.") from None


async def update(runtime: Runtime, grade_id: int, changes: dict[str, Any]) -> Grade:
    grade = await Grade.get_or_none(id=grade_id)
    if grade is None:
        raise NotFound()
    if "rates_bp" in changes:
        distributors.check_rates(changes["rates_bp"], runtime.settings("distribution").levels)
    try:
        async with in_transaction():
            await Grade.filter(id=grade_id).update(**changes)
    except IntegrityError:
        raise Conflict("A grade with this name or rank already exists.") from None
    return await Grade.get(id=grade_id)


async def list_grades() -> list[dict[str, Any]]:
    return await Grade.all().order_by("rank").values("id", "name", "rank", "rates_bp", *RULES)


async def upgrade_around(runtime: Runtime, buyer_ids: list[int]) -> int:
    """Give the buyers and every member above them the best grade whose rules they now meet,
    if it is better than theirs."""
    ruled = await Grade.filter(Q(min_team_size__not_isnull=True) | Q(min_team_sales__not_isnull=True)
                               | Q(min_own_sales__not_isnull=True)).order_by("-rank")
    if not ruled or not buyer_ids:
        return 0
    above = await TreePath.filter(descendant_id__in=buyer_ids).distinct().values_list("ancestor_id", flat=True)
    member_ids = sorted({*buyer_ids, *above})
    current = dict(await Distributor.filter(member_id__in=member_ids).values_list("member_id", "grade__rank"))
    upgraded = 0
    for member_id in member_ids:
        if member_id not in current:
            continue
        figures = await team.figures(member_id, team.cutoff(runtime))
        for grade in ruled:
            if current[member_id] is not None and grade.rank <= current[member_id]:
                break
            if all(getattr(grade, rule) is None or figures[rule[4:]] >= getattr(grade, rule) for rule in RULES):
                await Distributor.filter(member_id=member_id).update(grade_id=grade.id)
                upgraded += 1
                break
    return upgraded
