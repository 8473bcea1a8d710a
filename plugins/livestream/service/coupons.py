"""Live coupons (直播间优惠券): the host pushes an amount off, viewers claim it, and a member's
claimed coupon comes off a live order they place from the room.

Pushing creates a :class:`LiveCoupon` of ``quantity`` claims and tells every viewer. A claim is
one transaction whose first statement is ``UPDATE coupon SET remaining = remaining - 1 WHERE
id = ? AND remaining > 0`` (exactly ``quantity`` claims, whatever the burst; on PostgreSQL the
row stays locked until the claim commits), then the member's :class:`CouponClaim`, unique per
coupon and member: a member's second claim, concurrent or replayed, answers with the first.

Using it (``sales.buy``, inside the live order's transaction): :func:`take` is ``UPDATE claim
SET status = 'used' WHERE id = ? AND status = 'claimed'``, so of two concurrent orders naming
the coupon one wins and the other is refused. The ``price_adjustments`` impl then takes the
amount off the order's goods (after the live price, never below zero), only for the placement
that took the claim (a context variable) and only when the order's context names the coupon;
if the goods come to less than the minimum spend, ``order_validate`` refuses the order, which
rolls the take back. ``order_placed`` writes the order's id on the claim, ``order_cancelled``
gives the coupon back. The amount always comes from the server's row, never from the client.
A coupon is valid until its ``valid_until``, or, without one, until its session ends.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from qunshang.catalog.pricing import Adjustment
from qunshang.errors import InvalidInput, NotFound

from .. import realtime
from ..errors import (
    CouponExpired, CouponGone, CouponMinimum, CouponNotClaimed, CouponOutsideRoom, CouponUsed, SessionStateError,
)
from ..models import ClaimStatus, CouponClaim, LiveCoupon, LiveSession, SessionStatus

MAX_AMOUNT = 10**10
COUPON_FIELDS = ("id", "session_id", "amount", "min_spend", "quantity", "remaining", "valid_until")


@dataclass(frozen=True)
class Held:
    """A claimed coupon a live placement is using."""

    coupon_id: int
    claim_id: int
    amount: int
    min_spend: int

    @property
    def code(self) -> str:
        return f"coupon:{self.coupon_id}"


_HELD: contextvars.ContextVar[Held | None] = contextvars.ContextVar("livestream_coupon", default=None)


def _money(value: Any, name: str, low: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_AMOUNT:
        raise InvalidInput(detail="{field} is an amount in minor units from {low}", field=name, low=low)
    return value


async def push(
    runtime, session: LiveSession, *, amount: int, min_spend: int, quantity: int, valid_until: datetime | None = None,
) -> LiveCoupon:
    """Offer a coupon to the live session's viewers."""
    if session.status != SessionStatus.LIVE:
        raise SessionStateError(state=str(session.status))
    _money(amount, "amount", 1)
    _money(min_spend, "min_spend", 0)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 1_000_000:
        raise InvalidInput(detail="quantity must be an integer from 1 to 1000000")
    now = runtime.now()
    longest = timedelta(hours=runtime.settings("livestream").max_duration_hours)
    if valid_until is not None and (valid_until.tzinfo is None or not now < valid_until <= now + longest):
        raise InvalidInput(detail="a coupon is valid until a time in the future, within the longest session")
    coupon = await LiveCoupon.create(session_id=session.id, amount=amount, min_spend=min_spend, quantity=quantity,
                                     remaining=quantity, valid_until=valid_until, created_at=now)
    await realtime.publish(runtime, session.id, {"type": "coupon", "coupon": coupon_out(coupon)})
    return coupon


def coupon_out(coupon: LiveCoupon) -> dict[str, Any]:
    return {name: getattr(coupon, name) for name in COUPON_FIELDS}


def _require_valid(runtime, coupon: LiveCoupon, session: LiveSession) -> None:
    if coupon.valid_until is not None:
        if coupon.valid_until <= runtime.now():
            raise CouponExpired()
    elif session.status == SessionStatus.ENDED:
        raise CouponExpired()


async def _coupon(session_id: int, coupon_id: int) -> tuple[LiveSession, LiveCoupon]:
    """The session and its coupon; :class:`NotFound` for a coupon of another session."""
    session = await LiveSession.get_or_none(id=session_id)
    coupon = await LiveCoupon.get_or_none(id=coupon_id, session_id=session_id) if session else None
    if coupon is None:
        raise NotFound()
    return session, coupon


class _Claimed(Exception):
    """The member's claim already exists: undo this request's decrement."""


async def claim(runtime, member_id: int, session_id: int, coupon_id: int) -> tuple[dict[str, Any], bool]:
    """Claim a coupon for ``member_id``: (the claim, whether this request made it)."""
    session, coupon = await _coupon(session_id, coupon_id)
    if existing := await CouponClaim.get_or_none(coupon_id=coupon.id, member_id=member_id):
        return claim_out(existing, coupon), False
    _require_valid(runtime, coupon, session)
    try:
        async with in_transaction():
            if not await LiveCoupon.filter(id=coupon.id, remaining__gt=0).update(remaining=F("remaining") - 1):
                raise CouponGone()
            if await CouponClaim.exists(coupon_id=coupon.id, member_id=member_id):
                raise _Claimed()
            made = await CouponClaim.create(coupon_id=coupon.id, member_id=member_id, claimed_at=runtime.now())
    except (_Claimed, IntegrityError):
        return claim_out(await CouponClaim.get(coupon_id=coupon.id, member_id=member_id), coupon), False
    return claim_out(made, coupon), True


def claim_out(row: CouponClaim, coupon: LiveCoupon) -> dict[str, Any]:
    return {"id": row.id, "coupon_id": coupon.id, "status": str(row.status), "amount": coupon.amount,
            "min_spend": coupon.min_spend}


async def offered(runtime, session: LiveSession, member_id: int | None = None) -> list[dict[str, Any]]:
    """The session's coupons still valid, newest first, each with the member's claim status
    (``claimed``, ``used`` or ``None``)."""
    query = LiveCoupon.filter(session_id=session.id)
    now = runtime.now()
    if session.status == SessionStatus.ENDED:
        query = query.filter(valid_until__gt=now)
    rows = [c for c in await query.order_by("-id") if c.valid_until is None or c.valid_until > now]
    mine: dict[int, str] = {}
    if member_id is not None and rows:
        mine = dict(await CouponClaim.filter(member_id=member_id, coupon_id__in=[c.id for c in rows]).values_list(
            "coupon_id", "status"))
    return [{**coupon_out(c), "claim": str(mine[c.id]) if c.id in mine else None} for c in rows]


async def holdable(runtime, member_id: int, session: LiveSession, coupon_id: int) -> Held:
    """The member's claim of a coupon of this session, still usable (reads only)."""
    _, coupon = await _coupon(session.id, coupon_id)
    _require_valid(runtime, coupon, session)
    row = await CouponClaim.get_or_none(coupon_id=coupon.id, member_id=member_id)
    if row is None:
        raise CouponNotClaimed()
    if row.status == ClaimStatus.USED:
        raise CouponUsed()
    return Held(coupon.id, row.id, coupon.amount, coupon.min_spend)


@contextlib.contextmanager
def holding(held: Held | None):
    """Mark ``held`` as the coupon the placement in this block may apply."""
    token = _HELD.set(held)
    try:
        yield
    finally:
        _HELD.reset(token)


async def take(held: Held) -> None:
    """Inside the live order's transaction: the claim is used (once, whatever the concurrency)."""
    if not await CouponClaim.filter(id=held.claim_id, status=ClaimStatus.CLAIMED).update(status=ClaimStatus.USED):
        raise CouponUsed()


def _applying(context) -> Held | None:
    held = _HELD.get()
    if held is None or context.get("purpose") != "order" or context.get("live_coupon") != str(held.coupon_id):
        return None
    return held


def adjustments(lines, context, earlier: list[Adjustment]) -> list[Adjustment]:
    """Part of the ``price_adjustments`` impl: the held coupon off the goods (after ``earlier``,
    the live price), spread over the lines in order, never below zero, if they reach the
    minimum spend."""
    held = _applying(context)
    if held is None:
        return []
    totals = [line.subtotal for line in lines]
    for adjustment in earlier:
        totals[adjustment.line] += adjustment.amount
    goods = sum(max(total, 0) for total in totals)
    if goods < held.min_spend:
        return []
    left, out = min(held.amount, goods), []
    for i, total in enumerate(totals):
        off = min(left, max(total, 0))
        if off:
            out.append(Adjustment(i, -off, "Live coupon", "livestream", held.code))
            left -= off
    return out


def check_order(draft) -> None:
    """Part of the ``order_validate`` impl: an order naming a coupon comes from the room and
    got the coupon's discount (else it missed the minimum spend)."""
    named = draft.context.get("live_coupon")
    if not named:
        return
    held = _HELD.get()
    if held is None or named != str(held.coupon_id):
        raise CouponOutsideRoom()
    if not any(a.get("code") == held.code for line in draft.lines for a in line.adjustments):
        raise CouponMinimum()


async def record_order(order) -> None:
    """Part of the ``order_placed`` impl: the order the held coupon was used on."""
    held = _HELD.get()
    if held is not None and (order.context or {}).get("live_coupon") == str(held.coupon_id):
        await CouponClaim.filter(id=held.claim_id).update(order_id=order.id)


async def give_back(order) -> None:
    """The ``order_cancelled`` impl: a cancelled order's coupon may be used again."""
    if (order.context or {}).get("live_coupon"):
        await CouponClaim.filter(order_id=order.id, status=ClaimStatus.USED).update(
            status=ClaimStatus.CLAIMED, order_id=None)


async def figures(session_id: int) -> dict[str, int]:
    claims = CouponClaim.filter(coupon__session_id=session_id)
    return {"coupons_claimed": await claims.count(),
            "coupons_used": await claims.filter(status=ClaimStatus.USED).count()}


async def list_for_host(session_id: int) -> list[dict[str, Any]]:
    """Every coupon of the session with its claimed and used counts (the workbench)."""
    rows = await LiveCoupon.filter(session_id=session_id).order_by("-id")
    used = dict.fromkeys([c.id for c in rows], 0)
    for coupon_id in await CouponClaim.filter(coupon_id__in=list(used), status=ClaimStatus.USED).values_list(
            "coupon_id", flat=True):
        used[coupon_id] += 1
    return [{**coupon_out(c), "claimed": c.quantity - c.remaining, "used": used[c.id]} for c in rows]
