"""Routing rules: customers with a tag, in a region or from a source go to chosen salespeople
(tried by ``position``, then id; see ``assignment``)."""

from __future__ import annotations

from typing import Any

from ..errors import RuleNotFound
from ..models import Route, RouteMatch
from . import salespeople


async def listing() -> list[dict[str, Any]]:
    return await Route.all().order_by("position", "id").values("id", "match", "value", "salesperson_ids", "position")


async def create(runtime: Any, match: RouteMatch, value: str, salesperson_ids: list[int], position: int = 0) -> Route:
    """A rule naming only salespeople (each enrolled on the way, else ``NotASalesperson``)."""
    ids = sorted(set(salesperson_ids))
    for member_id in ids:
        await salespeople.ensure(runtime, member_id)
    return await Route.create(match=match, value=value.strip(), salesperson_ids=ids, position=position)


async def delete(rule_id: int) -> None:
    if not await Route.filter(id=rule_id).delete():
        raise RuleNotFound()
