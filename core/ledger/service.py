"""The ledger: every movement of money is a posting here — double-entry, immutable, idempotent.

Account codes (accounts are created on first use):

``platform:cash:<provider>``   money taken in through a payment provider (``offline``, ``sandbox``…)
``platform:sales``             the platform's takings from orders
``member:<id>:pending``        a member's earnings not yet settled (e.g. commissions during the after-sales window)
``member:<id>:available``      a member's settled, withdrawable balance
``member:<id>:withdrawn``      what a member has been paid out

Sign convention: an entry's ``amount`` is added to its account's balance, and money moves from
the accounts with negative entries to those with positive ones. A paid order therefore posts
``platform:cash:<provider> −total, platform:sales +total``: the provider account runs negative
by what came in through it, and member wallets read as positive numbers. A plugin paying a
commission posts ``platform:sales −c, member:<id>:pending +c``; settling it moves it from
``pending`` to ``available``.

Postings are never updated or deleted: a mistake is undone by :func:`reverse`. Each posting's
``key`` makes it idempotent: posting the same key again with the same entries returns the
existing posting, with different entries raises :class:`PostingConflict`. Balances change only
through ``UPDATE … SET balance = balance + ?`` in the posting's transaction; :func:`check`
recomputes them from the entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from ..errors import Conflict, NotFound
from ..money import allocate
from .models import Account, Entry, Posting

SALES = "platform:sales"
#: money received for orders that could no longer be paid, owed back to the buyers
REFUNDS_DUE = "platform:refunds_due"
MAX_CODE = 128


class PostingConflict(Conflict):
    code = "posting_conflict"
    message = "Ledger posting {key} already exists with different entries."


class OverReversal(Conflict):
    code = "over_reversal"
    message = "Ledger posting {key} cannot be reversed by more than its amount."


def cash(provider: str) -> str:
    return f"platform:cash:{provider}"


def member_account(member_id: int, bucket: Literal["pending", "available", "withdrawn"]) -> str:
    return f"member:{member_id}:{bucket}"


@dataclass(frozen=True)
class Mismatch:
    """A ledger inconsistency found by :func:`check`.

    ``kind`` is ``"account_balance"`` (``account_or_posting`` is an account code, ``expected``
    the sum of its entries, ``actual`` its stored balance) or ``"unbalanced_posting"`` (a
    posting key, ``expected`` 0, ``actual`` the sum of its entries).
    """

    kind: str
    account_or_posting: str
    expected: int
    actual: int


async def post(
    key: str,
    kind: str,
    entries: Sequence[tuple[str, int]],
    *,
    at: datetime,
    memo: str = "",
    ref: str = "",
    reverses: Posting | None = None,
) -> Posting:
    """Write one balanced posting (inside the caller's transaction, if any) and return it.

    ``entries`` are ``(account_code, amount)`` pairs: ints, non-zero, summing to zero. Wrong
    types raise ``TypeError`` and wrong values ``ValueError``: these are programming errors.
    """
    _check_posting(key, kind, entries, memo, ref)
    async with in_transaction():
        try:
            async with in_transaction():  # a savepoint: a duplicate key must not abort the caller
                posting = await Posting.create(
                    key=key, kind=kind, memo=memo, ref=ref, created_at=at,
                    reverses_id=reverses.id if reverses else None,
                )
        except IntegrityError:
            existing = await Posting.get_or_none(key=key)
            if existing is None:
                raise
            if existing.kind != kind or await _entries_of(existing) != sorted(entries):
                raise PostingConflict(key=key) from None
            return existing
        accounts = await _account_ids({code for code, _ in entries})
        await Entry.bulk_create([Entry(posting_id=posting.id, account_id=accounts[c], amount=a) for c, a in entries])
        deltas: dict[int, int] = defaultdict(int)
        for code, amount in entries:
            deltas[accounts[code]] += amount
        for account_id in sorted(deltas):  # one lock order for every posting: no deadlocks
            if deltas[account_id]:
                await Account.filter(id=account_id).update(balance=F("balance") + deltas[account_id])
    return posting


async def reverse(original_key: str, key: str, *, at: datetime, amount: int | None = None, memo: str = "") -> Posting:
    """Post the opposite of ``original_key``: ``amount`` of it, or all that is not yet reversed.

    A partial reversal splits ``amount`` over what is left of each of the original's credits,
    and separately its debits, with :func:`~qunshang.money.allocate`: the parts add up
    exactly, it still balances, and reversals of one posting together reverse it exactly once.
    """
    original = await Posting.get_or_none(key=original_key)
    if original is None:
        raise NotFound()
    left = await _left_to_reverse(original, excluding_key=key)
    size = sum(a for a in left.values() if a > 0)
    if amount is None and not size:
        raise OverReversal(key=original_key)
    amount = size if amount is None else amount
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int")
    if amount <= 0:
        raise ValueError("amount must be positive")
    if amount > size:
        raise OverReversal(key=original_key)
    return await post(
        key, "reversal", _scaled_opposite(left, amount), at=at, memo=memo or f"reverses {original_key}",
        ref=original.ref, reverses=original,
    )


async def wallet(member_id: int) -> dict[str, int]:
    """A member's ``pending`` and ``available`` balances (0 for accounts never used)."""
    codes = {member_account(member_id, b): b for b in ("pending", "available")}
    found = dict(await Account.filter(code__in=list(codes)).values_list("code", "balance"))
    return {bucket: int(found.get(code, 0)) for code, bucket in codes.items()}


async def balance(code: str) -> int:
    found = await Account.filter(code=code).values_list("balance", flat=True)
    return int(found[0]) if found else 0


async def check() -> list[Mismatch]:
    """Recompute the ledger: accounts whose balance differs from the sum of their entries, and
    postings whose entries do not sum to zero. Two aggregate queries; an empty list is healthy."""
    account, entry, posting = (m._meta.db_table for m in (Account, Entry, Posting))
    conn = Account._meta.db
    accounts = await conn.execute_query_dict(
        f"SELECT a.code AS name, a.balance AS actual, COALESCE(SUM(e.amount), 0) AS expected"
        f" FROM {account} a LEFT JOIN {entry} e ON e.account_id = a.id"
        f" GROUP BY a.id, a.code, a.balance HAVING a.balance <> COALESCE(SUM(e.amount), 0) ORDER BY a.code"
    )
    postings = await conn.execute_query_dict(
        f"SELECT p.key AS name, SUM(e.amount) AS actual FROM {posting} p JOIN {entry} e ON e.posting_id = p.id"
        f" GROUP BY p.id, p.key HAVING SUM(e.amount) <> 0 ORDER BY p.id"
    )
    return [Mismatch("account_balance", r["name"], int(r["expected"]), int(r["actual"])) for r in accounts] + [
        Mismatch("unbalanced_posting", r["name"], 0, int(r["actual"])) for r in postings
    ]


def _check_posting(key: str, kind: str, entries: Sequence[tuple[str, int]], memo: str, ref: str) -> None:
    for name, value, limit in (("key", key, 191), ("kind", kind, 48), ("memo", memo, 200), ("ref", ref, 64)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str")
        if len(value) > limit or (name in ("key", "kind") and not value):
            raise ValueError(f"{name} must be 1..{limit} characters")
    if not isinstance(entries, (list, tuple)) or not entries:
        raise ValueError("a posting needs entries")
    for item in entries:
        if not isinstance(item, tuple) or len(item) != 2:
            raise TypeError("entries are (account_code, amount) tuples")
        code, amount = item
        if not isinstance(code, str) or isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError("entries are (str, int) tuples")
        if not code or len(code) > MAX_CODE:
            raise ValueError(f"account codes must be 1..{MAX_CODE} characters")
        if amount == 0:
            raise ValueError("entry amounts must not be zero")
    if sum(a for _, a in entries) != 0:
        raise ValueError("a posting's entries must sum to zero")


async def _entries_of(posting: Posting) -> list[tuple[str, int]]:
    rows = await Entry.filter(posting_id=posting.id).values_list("account__code", "amount")
    return sorted((code, int(amount)) for code, amount in rows)


async def _account_ids(codes: Iterable[str]) -> dict[str, int]:
    """Ids of the accounts named by ``codes``, creating missing ones (race-safe: unique code)."""
    codes = set(codes)
    found = dict(await Account.filter(code__in=list(codes)).values_list("code", "id"))
    for code in sorted(codes - found.keys()):
        try:
            async with in_transaction():
                found[code] = (await Account.create(code=code, member_id=_member_of(code))).id
        except IntegrityError:  # created meanwhile by a concurrent posting
            found[code] = (await Account.get(code=code)).id
    return found


def _member_of(code: str) -> int | None:
    parts = code.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == "member" and parts[1].isdigit() else None


async def _left_to_reverse(original: Posting, excluding_key: str) -> dict[str, int]:
    """Per account, the original's net amount minus what its other reversals took back."""
    left: dict[str, int] = defaultdict(int)
    for code, amount in await _entries_of(original):
        left[code] += amount
    reversed_rows = await Entry.filter(posting__reverses_id=original.id).exclude(
        posting__key=excluding_key
    ).values_list("account__code", "amount")
    for code, amount in reversed_rows:
        left[code] += int(amount)
    return {code: amount for code, amount in sorted(left.items()) if amount}


def _scaled_opposite(left: dict[str, int], amount: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for sign in (1, -1):
        side = [(code, a) for code, a in left.items() if (a > 0) == (sign > 0)]
        parts = allocate(amount, [abs(a) for _, a in side])
        out += [(code, -sign * part) for (code, _), part in zip(side, parts) if part]
    return out
