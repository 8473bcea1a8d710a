"""Withdrawals (提现): a member asks, an operator approves (paid out through the
``distribution_payout`` hook) or rejects (the money returns to available).

A request holds its amount at once: ``member:<id>:available → member:<id>:withdrawing``.
It is checked against the available balance while that ledger account's row is locked
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs write transactions one at a time), and a
unique open-request column allows one pending request per member: concurrent requests can
never take out more than the balance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from qunshang.errors import InvalidInput, NotFound
from qunshang.ledger import service as ledger
from qunshang.ledger.models import Account
from qunshang.money import apply_rate

from ..errors import AlreadyReviewed, InsufficientBalance, WithdrawalOutOfRange, WithdrawalPending
from ..models import Withdrawal, WithdrawalStatus

if TYPE_CHECKING:
    from qunshang.runtime import Runtime


def withdrawing(member_id: int) -> str:
    return f"member:{member_id}:withdrawing"


async def request(runtime: Runtime, member_id: int, amount: Any) -> Withdrawal:
    settings = runtime.settings("distribution")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidInput(detail="amount must be an integer of minor units")
    if not settings.withdrawal_min <= amount <= settings.withdrawal_max:
        raise WithdrawalOutOfRange(min=f"¥{settings.withdrawal_min / 100:.2f}", max=f"¥{settings.withdrawal_max / 100:.2f}")
    fee = apply_rate(amount, settings.withdrawal_fee_bp)
    now = runtime.now()
    available = ledger.member_account(member_id, "available")
    async with in_transaction():
        account = await Account.filter(code=available).select_for_update().first()
        if await Withdrawal.exists(open_member_id=member_id):
            raise WithdrawalPending()
        if account is None or account.balance < amount:
            raise InsufficientBalance()
        try:
            async with in_transaction():
                withdrawal = await Withdrawal.create(member_id=member_id, amount=amount, fee=fee,
                                                     open_member_id=member_id, created_at=now)
        except IntegrityError:
            raise WithdrawalPending() from None
        await ledger.post(f"distribution:withdrawal:{withdrawal.id}:hold", "distribution.withdrawal",
                          [(available, -amount), (withdrawing(member_id), amount)], at=now,
                          memo="withdrawal requested", ref=f"withdrawal:{withdrawal.id}")
    return withdrawal


async def approve(runtime: Runtime, withdrawal_id: int, reviewer_id: int) -> Withdrawal:
    now = runtime.now()
    async with in_transaction():
        withdrawal = await _review(withdrawal_id, WithdrawalStatus.PAID, reviewer_id, "", now)
        net = withdrawal.amount - withdrawal.fee
        refs = await runtime.call("distribution_payout", withdrawal=withdrawal, net_amount=net)
        ref = str(refs[0])[:64] if refs else "manual"
        await Withdrawal.filter(id=withdrawal.id).update(payout_ref=ref)
        entries = [(withdrawing(withdrawal.member_id), -withdrawal.amount)]
        if net:
            entries.append((ledger.member_account(withdrawal.member_id, "withdrawn"), net))
        if withdrawal.fee:
            entries.append((ledger.SALES, withdrawal.fee))
        await ledger.post(f"distribution:withdrawal:{withdrawal.id}:paid", "distribution.withdrawal", entries, at=now,
                          memo=f"withdrawal paid out ({ref})", ref=f"withdrawal:{withdrawal.id}")
    return await Withdrawal.get(id=withdrawal.id)


async def reject(runtime: Runtime, withdrawal_id: int, reviewer_id: int, reason: str) -> Withdrawal:
    now = runtime.now()
    async with in_transaction():
        withdrawal = await _review(withdrawal_id, WithdrawalStatus.REJECTED, reviewer_id, reason, now)
        await ledger.post(f"distribution:withdrawal:{withdrawal.id}:returned", "distribution.withdrawal",
                          [(withdrawing(withdrawal.member_id), -withdrawal.amount),
                           (ledger.member_account(withdrawal.member_id, "available"), withdrawal.amount)],
                          at=now, memo="withdrawal rejected", ref=f"withdrawal:{withdrawal.id}")
    return await Withdrawal.get(id=withdrawal.id)


async def _review(withdrawal_id: int, status: WithdrawalStatus, reviewer_id: int, reason: str, now) -> Withdrawal:
    changed = await Withdrawal.filter(id=withdrawal_id, status=WithdrawalStatus.PENDING).update(
        status=status, open_member_id=None, reviewer_id=reviewer_id, reason=reason, reviewed_at=now
    )
    if not changed:
        if not await Withdrawal.exists(id=withdrawal_id):
            raise NotFound()
        raise AlreadyReviewed()
    return await Withdrawal.get(id=withdrawal_id)


async def balances(member_id: int) -> dict[str, int]:
    codes = {ledger.member_account(member_id, b): b for b in ("pending", "available", "withdrawn")}
    codes[withdrawing(member_id)] = "withdrawing"
    found = dict(await Account.filter(code__in=list(codes)).values_list("code", "balance"))
    return {bucket: int(found.get(code, 0)) for code, bucket in codes.items()}


async def list_withdrawals(*, member_id: int | None = None, status: WithdrawalStatus | None = None,
                           limit: int = 20, offset: int = 0) -> dict[str, Any]:
    query = Withdrawal.all().order_by("-id")
    if member_id is not None:
        query = query.filter(member_id=member_id)
    if status is not None:
        query = query.filter(status=status)
    rows = await query.offset(offset).limit(limit + 1).values(
        "id", "member_id", "amount", "fee", "status", "reason", "payout_ref", "created_at", "reviewed_at"
    )
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


def withdrawal_out(w: Withdrawal) -> dict[str, Any]:
    return {"id": w.id, "member_id": w.member_id, "amount": w.amount, "fee": w.fee, "net": w.amount - w.fee,
            "status": str(w.status), "reason": w.reason, "payout_ref": w.payout_ref,
            "created_at": w.created_at.isoformat(), "reviewed_at": w.reviewed_at.isoformat() if w.reviewed_at else None}
