"""Referral binding (锁粉): attaching a member under the distributor whose code brought them.

Only server-verified referral codes bind, never a client-sent member id. Policies: ``permanent``
(first touch wins), ``valid_days`` (a binding expires, expired ones pay nothing and the next
share rebinds) and ``last_touch`` (every share rebinds). Scope: ``new_members_only`` (at
registration) or ``any_without_upline`` (also existing members without an upline). Guards: no
binding to oneself, to a member of one's own team (a cycle) or to a distributor who is not
active. Every change of an existing upline is written to the audit trail.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from qunshang.errors import NotFound, QunshangError
from qunshang.members.models import Member

from ..errors import AlreadyBound, CycleBinding, NotNewMember, SelfBinding, UnknownCode, UplineUnavailable
from ..models import Binding, Distributor, DistributorStatus, UplineChange
from . import distributors, tree

if TYPE_CHECKING:
    from qunshang.runtime import Runtime

log = logging.getLogger(__name__)


async def open_binding(member_id: int) -> Binding | None:
    return await Binding.get_or_none(open_member_id=member_id)


def is_live(binding: Binding | None, now) -> bool:
    return binding is not None and (binding.expires_at is None or binding.expires_at > now)


async def bind_at_registration(runtime: Runtime, member: Member, context: dict[str, Any]) -> Binding | None:
    """``member_registered``: bind by the context's referral code, if it is a valid one."""
    code = context.get("referral_code")
    if not code:
        return None
    try:
        return await bind(runtime, member.id, code, source=context.get("source", ""), is_new=True)
    except QunshangError as exc:
        log.info("registration of member %s not bound by code %r: %s", member.id, code, exc.code)
        return None


async def bind(runtime: Runtime, member_id: int, raw_code: Any, *, source: str = "", is_new: bool = False) -> Binding:
    """Bind ``member_id`` under the owner of ``raw_code`` following the deployment's policy.

    Returns the open binding (unchanged when the policy keeps the current upline and the code
    is the current upline's). Raises a typed error when a guard or the policy refuses.
    """
    settings = runtime.settings("distribution")
    code = distributors.normalise_code(raw_code)
    referrer = await Distributor.get_or_none(code=code) if code else None
    if referrer is None:
        raise UnknownCode()
    if referrer.member_id == member_id:
        raise SelfBinding()
    if referrer.status != DistributorStatus.ACTIVE or not await Member.exists(id=referrer.member_id, is_active=True):
        raise UplineUnavailable()
    now = runtime.now()
    async with in_transaction():
        await tree.lock()
        current = await open_binding(member_id)
        reason = ""
        if current is not None:
            live = is_live(current, now)
            if live and current.upline_id == referrer.member_id:
                return current
            if live and settings.binding != "last_touch":
                raise AlreadyBound()
            reason = "last touch" if live else "expired binding renewed by a new share"
        elif not is_new and settings.scope == "new_members_only":
            raise NotNewMember()
        if await tree.is_in_team(member_id, referrer.member_id):
            raise CycleBinding()
        expires = now + timedelta(days=settings.binding_days) if settings.binding == "valid_days" else None
        binding = await _rebind(member_id, referrer.member_id, current, code=code, source=source, at=now,
                                expires_at=expires, end_reason="rebound")
        if current is not None:
            await UplineChange.create(member_id=member_id, old_upline_id=current.upline_id,
                                      new_upline_id=referrer.member_id, reason=reason, actor_id=None, at=now)
    return binding


async def change_upline(runtime: Runtime, member_id: int, upline_id: int | None, *, reason: str, actor_id: int) -> Binding | None:
    """Operators move a member (and their team) under another upline, or remove the upline.
    Later orders follow the new tree; commissions already created are untouched."""
    if not await Member.exists(id=member_id):
        raise NotFound()
    if upline_id is not None:
        if upline_id == member_id:
            raise SelfBinding()
        if not await Member.exists(id=upline_id, is_active=True):
            raise NotFound()
        if not await distributors.is_active(runtime, upline_id):
            raise UplineUnavailable()
    now = runtime.now()
    async with in_transaction():
        await tree.lock()
        current = await open_binding(member_id)
        if current is not None and current.upline_id == upline_id and is_live(current, now):
            return current  # already there: nothing to change or audit
        if upline_id is not None and await tree.is_in_team(member_id, upline_id):
            raise CycleBinding()
        if upline_id is None:
            binding = None
            if current is not None:
                await _end(current, now, "removed by operator")
                await tree.detach(member_id)
        else:
            binding = await _rebind(member_id, upline_id, current, code="", source="operator", at=now,
                                    expires_at=None, end_reason="changed by operator")
        await UplineChange.create(member_id=member_id, old_upline_id=current.upline_id if current else None,
                                  new_upline_id=upline_id, reason=reason, actor_id=actor_id, at=now)
    return binding


async def _rebind(member_id: int, upline_id: int, current: Binding | None, *, code: str, source: str, at,
                  expires_at, end_reason: str) -> Binding:
    if current is not None:
        await _end(current, at, end_reason)
    try:
        async with in_transaction():
            binding = await Binding.create(member_id=member_id, upline_id=upline_id, code=code, source=source[:32],
                                           bound_at=at, expires_at=expires_at, open_member_id=member_id)
    except IntegrityError:  # bound concurrently by another request
        raise AlreadyBound() from None
    await tree.detach(member_id)
    await tree.attach(member_id, upline_id)
    return binding


async def _end(binding: Binding, at, reason: str) -> None:
    await Binding.filter(id=binding.id).update(ended_at=at, end_reason=reason[:32], open_member_id=None)


async def history(member_id: int) -> dict[str, Any]:
    bindings = await Binding.filter(member_id=member_id).order_by("-id").values(
        "upline_id", "code", "source", "bound_at", "expires_at", "ended_at", "end_reason"
    )
    changes = await UplineChange.filter(member_id=member_id).order_by("-id").values(
        "old_upline_id", "new_upline_id", "reason", "actor_id", "at"
    )
    return {"bindings": bindings, "changes": changes}
