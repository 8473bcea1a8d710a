"""Grades: their rates replace the default rates at the level their holder earns at, and
rules (team size, team sales, own sales, all inclusive minimums) upgrade distributors when
orders settle — the buyer and everyone above them, whose figures the order changed. Upgrades
only: a grade is never lowered automatically."""

from __future__ import annotations

from collections import defaultdict
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
    if it is better than theirs. Set-based: the same few statements for one member or
    hundreds (:func:`team.figures_of`), plus one ``UPDATE`` per grade given."""
    ruled = await Grade.filter(Q(min_team_size__not_isnull=True) | Q(min_team_sales__not_isnull=True)
                               | Q(min_own_sales__not_isnull=True)).order_by("-rank")
    if not ruled or not buyer_ids:
        return 0
    above = await TreePath.filter(descendant_id__in=buyer_ids).distinct().values_list("ancestor_id", flat=True)
    current = dict(await Distributor.filter(member_id__in=sorted({*buyer_ids, *above}))
                   .values_list("member_id", "grade__rank"))
    if not current:
        return 0
    figures = await team.figures_of(list(current), team.cutoff(runtime))
    promoted: dict[int, list[int]] = defaultdict(list)
    for member_id, rank in current.items():
        best = _best(ruled, rank, figures[member_id])
        if best is not None:
            promoted[best.id].append(member_id)
    for grade_id, member_ids in promoted.items():
        await Distributor.filter(member_id__in=member_ids).update(grade_id=grade_id)
    return sum(len(ids) for ids in promoted.values())


def _best(ruled: list[Grade], rank: int | None, figures: dict[str, int]) -> Grade | None:
    """The best of ``ruled`` (best first) whose rules ``figures`` meet, if better than ``rank``."""
    for grade in ruled:
        if rank is not None and grade.rank <= rank:
            return None
        if all(getattr(grade, rule) is None or figures[rule[4:]] >= getattr(grade, rule) for rule in RULES):
            return grade
    return None
