"""Who may distribute: the four modes, referral codes, applications, status and grades."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from qunshang.errors import InvalidInput, NotFound
from qunshang.members.models import Member
from qunshang.orders.models import Order, OrderStatus

from ..errors import AlreadyDistributor, AlreadyReviewed, ApplicationOpen, DesignatedOnly, NotADistributor, SpendTooLow
from ..models import Application, ApplicationStatus, Distributor, DistributorStatus, Grade

if TYPE_CHECKING:
    from qunshang.runtime import Runtime

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
SPENDING = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.CLOSED, OrderStatus.REFUNDED)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: Any) -> str | None:
    """A referral code as stored (upper case), or ``None`` when it cannot be one."""
    if not isinstance(raw, str):
        return None
    code = raw.strip().upper()
    return code if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code) else None


async def get(member_id: int) -> Distributor | None:
    return await Distributor.get_or_none(member_id=member_id)


async def ensure(runtime: Runtime, member_id: int, via: str) -> Distributor:
    """The member's distributor row, created active with a fresh code if missing."""
    existing = await get(member_id)
    if existing is not None:
        return existing
    for _ in range(5):
        try:
            async with in_transaction():
                return await Distributor.create(member_id=member_id, code=new_code(), via=via, created_at=runtime.now())
        except IntegrityError:  # a code clash, or created concurrently
            existing = await get(member_id)
            if existing is not None:
                return existing
    raise RuntimeError("could not allocate a referral code")


async def paid_spend(member_id: int) -> int:
    """What the member has paid for goods and shipping, less refunds, over all paid orders."""
    row = await (
        Order.filter(member_id=member_id, status__in=SPENDING)
        .annotate(paid=Sum("total"), back=Sum("refunded_amount"))
        .first()
        .values("paid", "back")
    )
    return int(row["paid"] or 0) - int(row["back"] or 0) if row else 0


async def become(runtime: Runtime, member: Member) -> dict[str, Any]:
    """The member asks to distribute: ``{"distributor": …}`` or ``{"application": …}`` by mode."""
    settings = runtime.settings("distribution")
    existing = await get(member.id)
    if existing is not None:
        if existing.status == DistributorStatus.DISABLED:
            raise NotADistributor()
        raise AlreadyDistributor()
    if settings.mode == "everyone":
        return {"distributor": distributor_out(await ensure(runtime, member.id, "everyone"))}
    if settings.mode == "spend_threshold":
        if await paid_spend(member.id) < settings.spend_threshold:
            raise SpendTooLow(threshold=f"¥{settings.spend_threshold / 100:.2f}")
        return {"distributor": distributor_out(await ensure(runtime, member.id, "spend_threshold"))}
    if settings.mode == "designated":
        raise DesignatedOnly()
    return {"application": application_out(await apply(runtime, member.id))}


async def apply(runtime: Runtime, member_id: int, note: str = "") -> Application:
    try:
        async with in_transaction():
            return await Application.create(member_id=member_id, note=note, open_member_id=member_id, created_at=runtime.now())
    except IntegrityError:
        raise ApplicationOpen() from None


async def qualify_by_spend(runtime: Runtime, member_id: int) -> Distributor | None:
    """In ``spend_threshold`` mode, make the member a distributor once the paid spend reaches
    the threshold (the boundary value qualifies). Called when their order is paid."""
    settings = runtime.settings("distribution")
    if settings.mode != "spend_threshold" or await Distributor.exists(member_id=member_id):
        return None
    if await paid_spend(member_id) < settings.spend_threshold:
        return None
    return await ensure(runtime, member_id, "spend_threshold")


async def review(runtime: Runtime, application_id: int, *, approve: bool, reviewer_id: int, reason: str = "") -> Application:
    now = runtime.now()
    async with in_transaction():
        status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
        changed = await Application.filter(id=application_id, status=ApplicationStatus.PENDING).update(
            status=status, open_member_id=None, reviewer_id=reviewer_id, reason=reason, reviewed_at=now
        )
        if not changed:
            if not await Application.exists(id=application_id):
                raise NotFound()
            raise AlreadyReviewed()
        application = await Application.get(id=application_id)
        if approve:
            await ensure(runtime, application.member_id, "application")
    return application


async def designate(runtime: Runtime, member_id: int, grade_id: int | None = None) -> Distributor:
    """Operators make any active member a distributor (any mode)."""
    if not await Member.exists(id=member_id, is_active=True):
        raise NotFound()
    if grade_id is not None and not await Grade.exists(id=grade_id):
        raise NotFound()
    distributor = await ensure(runtime, member_id, "designated")
    if grade_id is not None:
        await Distributor.filter(id=distributor.id).update(grade_id=grade_id)
    return await Distributor.get(id=distributor.id)


async def update(member_id: int, *, status: DistributorStatus | None = None, grade_id: int | None = None,
                 clear_grade: bool = False) -> Distributor:
    distributor = await get(member_id)
    if distributor is None:
        raise NotFound()
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = status
    if clear_grade:
        changes["grade_id"] = None
    elif grade_id is not None:
        if not await Grade.exists(id=grade_id):
            raise NotFound()
        changes["grade_id"] = grade_id
    if changes:
        await Distributor.filter(id=distributor.id).update(**changes)
    return await Distributor.get(id=distributor.id)


async def is_active(runtime: Runtime, member_id: int) -> bool:
    """May this member earn right now? Everyone mode needs no row; a row must be active."""
    row = await get(member_id)
    if row is None:
        return runtime.settings("distribution").mode == "everyone"
    return row.status == DistributorStatus.ACTIVE


async def list_distributors(*, status: DistributorStatus | None, limit: int, offset: int) -> dict[str, Any]:
    query = Distributor.all().order_by("-id")
    if status is not None:
        query = query.filter(status=status)
    rows = await query.offset(offset).limit(limit + 1).values(
        "member_id", "code", "status", "grade_id", "via", "created_at", name="member__display_name"
    )
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


async def list_applications(*, status: ApplicationStatus | None, limit: int, offset: int) -> dict[str, Any]:
    query = Application.all().order_by("-id")
    if status is not None:
        query = query.filter(status=status)
    rows = await query.offset(offset).limit(limit + 1).values(
        "id", "member_id", "status", "note", "reason", "created_at", "reviewed_at", name="member__display_name"
    )
    return {"items": rows[:limit], "limit": limit, "offset": offset, "has_more": len(rows) > limit}


def check_rates(rates: list[int] | None, levels: int) -> None:
    """A grade's or product's rates: at most ``levels`` of them, adding up to at most 100%."""
    if rates is None:
        return
    if len(rates) > levels or any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r <= 10_000 for r in rates):
        raise InvalidInput(detail="{field} holds at most {levels} rates of 0 to 10000 basis points", field="rates_bp", levels=levels)
    if sum(rates) > 10_000:
        raise InvalidInput(detail="{field} must not add up to more than 10000 basis points", field="rates_bp")


def distributor_out(d: Distributor) -> dict[str, Any]:
    return {"member_id": d.member_id, "code": d.code, "status": str(d.status), "grade_id": d.grade_id, "via": d.via,
            "created_at": d.created_at.isoformat()}


def application_out(a: Application) -> dict[str, Any]:
    return {"id": a.id, "member_id": a.member_id, "status": str(a.status), "note": a.note, "reason": a.reason,
            "created_at": a.created_at.isoformat()}
