"""Who sees which customers.

``crm.manage`` (operators, the owner) sees everyone; a ``sales_manager`` (``crm.assign``
without ``crm.manage``) sees the customers of their team's salespeople and their own; a
salesperson sees their own customers, and the unowned pool when ``pool_visible`` is on.
A customer outside the viewer's scope does not exist for them (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from qunshang.web.guards import allows, grants_of

from ..errors import NotASalesperson
from . import salespeople


@dataclass(frozen=True)
class Scope:
    member_id: int
    owners: frozenset[int] | None  # None: every owner
    pool: bool
    grants: frozenset[str]

    def can(self, permission: str) -> bool:
        return allows(set(self.grants), permission)

    def sees_owner(self, owner_id: int | None) -> bool:
        if owner_id is None:
            return self.pool
        return self.owners is None or owner_id in self.owners

    def check_target(self, to: int | None) -> None:
        """A manager may hand customers only to salespeople in their scope (``None``: the pool)."""
        if to is not None and not self.sees_owner(to):
            raise NotASalesperson()

    def customer_filter(self) -> Q:
        """A filter on ``crm_customer`` rows in scope."""
        if self.owners is None:
            return Q()
        owned = Q(owner_id__in=list(self.owners))
        return owned | Q(owner_id=None) if self.pool else owned


async def scope_of(runtime: Any, member_id: int) -> Scope:
    grants = frozenset(await grants_of(runtime, member_id))
    pool_visible = runtime.settings("crm").pool_visible
    if allows(set(grants), "crm.manage"):
        return Scope(member_id, None, True, grants)
    owners = {member_id}
    if allows(set(grants), "crm.assign"):
        owners.update(await salespeople.team_member_ids(member_id))
        return Scope(member_id, frozenset(owners), True, grants)
    return Scope(member_id, frozenset(owners), pool_visible, grants)
