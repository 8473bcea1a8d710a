"""Salespeople (members holding the ``salesperson`` role) and teams led by a ``sales_manager``."""

from __future__ import annotations

import secrets
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from qunshang.members.models import Member, MemberRole

from ..errors import NotASalesperson, SalespersonNotFound, TeamNotFound
from ..models import Salesperson, Team

ROLE = "salesperson"
MANAGER_ROLE = "sales_manager"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    return "S" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(9))


async def is_active_salesperson(member_id: int) -> bool:
    return await MemberRole.exists(member_id=member_id, role=ROLE) and await Member.exists(id=member_id, is_active=True)


async def ensure(runtime: Any, member_id: int) -> Salesperson:
    """The member's salesperson record, created on first use; only for the ``salesperson`` role."""
    row = await Salesperson.get_or_none(member_id=member_id)
    if row is not None:
        return row
    if not await Member.exists(id=member_id):
        raise SalespersonNotFound()
    if not await is_active_salesperson(member_id):
        raise NotASalesperson()
    for _ in range(5):
        try:
            async with in_transaction():
                return await Salesperson.create(member_id=member_id, code=new_code(), created_at=runtime.now())
        except IntegrityError:  # created concurrently, or a code collision
            if row := await Salesperson.get_or_none(member_id=member_id):
                return row
    raise NotASalesperson()


async def by_code(code: str) -> Salesperson | None:
    """The salesperson behind an invite code, if the code is real and they may sell now."""
    row = await Salesperson.get_or_none(code=code[:16].upper(), disabled=False)
    if row is None or not await is_active_salesperson(row.member_id):
        return None
    return row


async def get(member_id: int) -> Salesperson:
    row = await Salesperson.get_or_none(member_id=member_id)
    if row is None:
        raise SalespersonNotFound()
    return row


async def update(member_id: int, **changes: Any) -> Salesperson:
    """Change ``capacity``, ``region``, ``disabled`` or ``team_id`` (``None`` leaves a team)."""
    row = await get(member_id)
    if "team_id" in changes and changes["team_id"] is not None and not await Team.exists(id=changes["team_id"]):
        raise TeamNotFound()
    if changes:
        await Salesperson.filter(id=row.id).update(**changes)
        await row.refresh_from_db()
    return row


async def create_team(runtime: Any, name: str, manager_id: int) -> Team:
    if not await Member.exists(id=manager_id):
        raise SalespersonNotFound()
    return await Team.create(name=name, manager_id=manager_id, created_at=runtime.now())


async def team_member_ids(manager_id: int) -> list[int]:
    """Member ids of the salespeople in the teams this member manages."""
    return await Salesperson.filter(team__manager_id=manager_id).values_list("member_id", flat=True)


async def listing() -> list[dict[str, Any]]:
    rows = await Salesperson.all().order_by("id").values(
        "member_id", "code", "team_id", "region", "capacity", "load", "disabled")
    names = dict(await Member.filter(id__in=[r["member_id"] for r in rows]).values_list("id", "display_name"))
    return [{**r, "name": names.get(r["member_id"], "")} for r in rows]


def out(row: Salesperson) -> dict[str, Any]:
    return {"member_id": row.member_id, "code": row.code, "team_id": row.team_id, "region": row.region,
            "capacity": row.capacity, "load": row.load, "disabled": row.disabled}
