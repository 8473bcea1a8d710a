"""``/api/distribution``: members (become a distributor, share, team, earnings, withdraw),
operators (``distribution.manage``: applications, distributors, grades, rates, the tree,
uplines, commissions, leaderboard, CSV) and finance (``distribution.finance``: withdrawals)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream

from qunshang.errors import InvalidInput
from qunshang.runtime import Runtime
from qunshang.validation import invalid_body
from qunshang.web.guards import login_required, permission

from .models import ApplicationStatus, CommissionStatus, DistributorStatus, WithdrawalStatus
from .service import binding, distributors, grades, reports, rules, share, team, withdrawals

T = TypeVar("T")
Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Bp = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**12)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
OptId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
Level = Annotated[int | None, Parameter(ge=1, le=3)]


async def strict(request: Request, struct_type: type[T]) -> T:
    """Re-validate the JSON body strictly: amounts must be integers as sent, not ``"2"`` or ``2.0``."""
    try:
        return msgspec.convert(await request.json(), struct_type, strict=True)
    except msgspec.ValidationError as exc:
        raise invalid_body(exc) from None


class BindIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class WithdrawIn(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=10**10)]


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class DesignateIn(msgspec.Struct, forbid_unknown_fields=True):
    member_id: Id
    grade_id: Id | None = None


class DistributorPatch(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["active", "frozen", "disabled"] | None = None
    grade_id: Id | None = None
    clear_grade: bool = False


class GradeIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\S")]
    rank: Annotated[int, msgspec.Meta(ge=0, le=1000)]
    rates_bp: Annotated[list[Bp], msgspec.Meta(max_length=3)] = []
    min_team_size: Annotated[int, msgspec.Meta(ge=0, le=10**9)] | None = None
    min_team_sales: Money | None = None
    min_own_sales: Money | None = None


class GradePatch(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\S")] | msgspec.UnsetType = msgspec.UNSET
    rank: Annotated[int, msgspec.Meta(ge=0, le=1000)] | msgspec.UnsetType = msgspec.UNSET
    rates_bp: Annotated[list[Bp], msgspec.Meta(max_length=3)] | msgspec.UnsetType = msgspec.UNSET
    min_team_size: Annotated[int, msgspec.Meta(ge=0, le=10**9)] | None | msgspec.UnsetType = msgspec.UNSET
    min_team_sales: Money | None | msgspec.UnsetType = msgspec.UNSET
    min_own_sales: Money | None | msgspec.UnsetType = msgspec.UNSET


class OverrideIn(msgspec.Struct, forbid_unknown_fields=True):
    sku_id: Id | None = None
    rates_bp: Annotated[list[Bp], msgspec.Meta(max_length=3)] | None = None
    amounts_per_unit: Annotated[list[Annotated[int, msgspec.Meta(ge=0, le=10**9)]], msgspec.Meta(max_length=3)] | None = None
    excluded: bool = False


class UplineIn(msgspec.Struct, forbid_unknown_fields=True):
    """``upline_id`` null removes the upline."""

    upline_id: Id | None
    reason: Reason


class DistributionController(Controller):
    """The logged-in member's own distribution pages."""

    path = "/api/distribution"
    tags = ["distribution"]
    guards = [login_required]

    @get("/me", summary="My distribution status: distributor record, open application, upline and balances")
    async def me(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        member = request.user
        row = await distributors.get(member.id)
        current = await binding.open_binding(member.id)
        return {
            "mode": runtime.settings("distribution").mode,
            "distributor": distributors.distributor_out(row) if row else None,
            "upline_id": current.upline_id if binding.is_live(current, runtime.now()) else None,
            "balances": await withdrawals.balances(member.id),
        }

    @post("/become", summary="Become a distributor, or apply, following the deployment's mode")
    async def become(self, request: Request, runtime: NamedDependency[Runtime]) -> Response[dict[str, Any]]:
        return Response(await distributors.become(runtime, request.user), status_code=201)

    @post("/bind", status_code=200, summary="Bind me under the owner of a referral code (existing members, by policy)")
    async def bind(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[BindIn]) -> dict[str, Any]:
        bound = await binding.bind(runtime, request.user.id, data.code, source="link")
        return {"upline_id": bound.upline_id, "bound_at": bound.bound_at, "expires_at": bound.expires_at}

    @get("/share", summary="My referral code and share link (for a product with product_id)")
    async def share(self, request: Request, runtime: NamedDependency[Runtime], product_id: OptId = None) -> dict[str, Any]:
        return await share.share_link(runtime, request.user.id, product_id)

    @get("/share/qr.svg", summary="My share link as an SVG QR code (poster)", media_type="image/svg+xml")
    async def qr(self, request: Request, runtime: NamedDependency[Runtime], product_id: OptId = None) -> Response[str]:
        link = (await share.share_link(runtime, request.user.id, product_id))["link"]
        return Response(share.qr_svg(link), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})

    @get("/team", summary="My team: members per level, team size, team sales, recent joins")
    async def my_team(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        return await team.summary(request.user.id, now=team.cutoff(runtime))

    @get("/team/direct", summary="My direct members, newest first")
    async def direct(self, request: Request, runtime: NamedDependency[Runtime], limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await team.direct_members(request.user.id, limit=limit, offset=offset, now=team.cutoff(runtime))

    @get("/earnings", summary="My balances and commissions, each with its explanation")
    async def earnings(self, request: Request, status: FromQuery[CommissionStatus | None] = None, limit: Limit = 20,
                       offset: Offset = 0) -> dict[str, Any]:
        listed = await reports.list_commissions(earner_id=request.user.id, status=status, explain=True,
                                                limit=limit, offset=offset)
        return {"balances": await withdrawals.balances(request.user.id), **listed}

    @post("/withdrawals", summary="Ask to withdraw from my available balance")
    async def withdraw(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[WithdrawIn]) -> Response[dict[str, Any]]:
        body = await strict(request, WithdrawIn)
        created = await withdrawals.request(runtime, request.user.id, body.amount)
        return Response(withdrawals.withdrawal_out(created), status_code=201)

    @get("/withdrawals", summary="My withdrawals, newest first")
    async def my_withdrawals(self, request: Request, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await withdrawals.list_withdrawals(member_id=request.user.id, limit=limit, offset=offset)

    @get("/products/{product_id:int}/calculator", summary="What each level earns on this product under the current rules")
    async def calculator(self, request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> dict[str, Any]:
        return await rules.calculator(runtime, product_id, request.user.id)


class DistributionOperatorController(Controller):
    """Operators (``distribution.manage``)."""

    path = "/api/distribution/manage"
    tags = ["distribution: operators"]
    guards = [permission("distribution.manage")]

    @get("/applications", summary="Distributor applications")
    async def applications(self, status: FromQuery[ApplicationStatus | None] = None, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await distributors.list_applications(status=status, limit=limit, offset=offset)

    @post("/applications/{application_id:int}/approve", status_code=200, summary="Approve an application: the member becomes a distributor")
    async def approve(self, request: Request, runtime: NamedDependency[Runtime], application_id: FromPath[int]) -> dict[str, Any]:
        done = await distributors.review(runtime, application_id, approve=True, reviewer_id=request.user.id)
        return distributors.application_out(done)

    @post("/applications/{application_id:int}/reject", status_code=200, summary="Reject an application")
    async def reject(self, request: Request, runtime: NamedDependency[Runtime], application_id: FromPath[int],
                     data: JSONBody[ReviewIn]) -> dict[str, Any]:
        done = await distributors.review(runtime, application_id, approve=False, reviewer_id=request.user.id,
                                         reason=data.reason)
        return distributors.application_out(done)

    @get("/distributors", summary="Distributors, newest first")
    async def list_distributors(self, status: FromQuery[DistributorStatus | None] = None, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await distributors.list_distributors(status=status, limit=limit, offset=offset)

    @post("/distributors", summary="Designate a member as distributor")
    async def designate(self, runtime: NamedDependency[Runtime], data: JSONBody[DesignateIn]) -> Response[dict[str, Any]]:
        created = await distributors.designate(runtime, data.member_id, data.grade_id)
        return Response(distributors.distributor_out(created), status_code=201)

    @patch("/distributors/{member_id:int}", summary="Freeze, disable or reactivate a distributor, or set the grade")
    async def update_distributor(self, member_id: FromPath[int], data: JSONBody[DistributorPatch]) -> dict[str, Any]:
        status = DistributorStatus(data.status) if data.status else None
        updated = await distributors.update(member_id, status=status, grade_id=data.grade_id, clear_grade=data.clear_grade)
        return distributors.distributor_out(updated)

    @get("/grades", summary="Grades, lowest rank first")
    async def list_grades(self) -> dict[str, Any]:
        return {"items": await grades.list_grades()}

    @post("/grades", summary="Create a grade with its rates and upgrade rules")
    async def create_grade(self, runtime: NamedDependency[Runtime], data: JSONBody[GradeIn]) -> Response[dict[str, Any]]:
        grade = await grades.create(runtime, **msgspec.structs.asdict(data))
        return Response({"id": grade.id, **msgspec.structs.asdict(data)}, status_code=201)

    @patch("/grades/{grade_id:int}", summary="Change a grade")
    async def update_grade(self, runtime: NamedDependency[Runtime], grade_id: FromPath[int], data: JSONBody[GradePatch]) -> dict[str, Any]:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        grade = await grades.update(runtime, grade_id, changes)
        return {"id": grade.id, "name": grade.name, "rank": grade.rank, "rates_bp": grade.rates_bp,
                "min_team_size": grade.min_team_size, "min_team_sales": grade.min_team_sales,
                "min_own_sales": grade.min_own_sales}

    @put("/products/{product_id:int}/rates", summary="Set a product's (or one SKU's) commission rates, fixed amounts or exclusion")
    async def set_rates(self, request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int],
                        data: JSONBody[OverrideIn]) -> dict[str, Any]:
        body = await strict(request, OverrideIn)
        return await rules.set_override(runtime, product_id, sku_id=body.sku_id, rates_bp=body.rates_bp,
                                        amounts_per_unit=body.amounts_per_unit, excluded=body.excluded)

    @delete("/products/{product_id:int}/rates", summary="Remove a product's (or, with sku_id, one SKU's) override")
    async def delete_rates(self, product_id: FromPath[int], sku_id: OptId = None) -> None:
        await rules.delete_override(product_id, sku_id)

    @get("/tree/{member_id:int}", summary="The tree around a member: uplines, team figures, direct members")
    async def tree(self, runtime: NamedDependency[Runtime], member_id: FromPath[int]) -> dict[str, Any]:
        return await team.around(member_id, now=team.cutoff(runtime))

    @put("/members/{member_id:int}/upline", summary="Change or remove a member's upline (audited, with a reason)")
    async def change_upline(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int],
                            data: JSONBody[UplineIn]) -> dict[str, Any]:
        body = await strict(request, UplineIn)
        await binding.change_upline(runtime, member_id, body.upline_id, reason=body.reason, actor_id=request.user.id)
        return await binding.history(member_id)

    @get("/members/{member_id:int}/bindings", summary="A member's bindings and the audit of upline changes")
    async def bindings(self, member_id: FromPath[int]) -> dict[str, Any]:
        return await binding.history(member_id)

    @get("/commissions", summary="Commissions with filters, newest first")
    async def commissions(self, earner_id: OptId = None, order_id: OptId = None, status: FromQuery[CommissionStatus | None] = None,
                          level: Level = None, since: FromQuery[datetime | None] = None, until: FromQuery[datetime | None] = None,
                          limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await reports.list_commissions(earner_id=earner_id, order_id=order_id, status=status, level=level,
                                              since=since, until=until, explain=True, limit=limit, offset=offset)

    @get("/commissions.csv", summary="Commissions as CSV, with the same filters", media_type="text/csv")
    async def commissions_csv(self, earner_id: OptId = None, order_id: OptId = None,
                              status: FromQuery[CommissionStatus | None] = None, level: Level = None,
                              since: FromQuery[datetime | None] = None, until: FromQuery[datetime | None] = None) -> Stream:
        rows = reports.csv_export(earner_id=earner_id, order_id=order_id, status=status, level=level, since=since, until=until)
        return Stream(rows, media_type="text/csv; charset=utf-8",
                      headers={"Content-Disposition": 'attachment; filename="commissions.csv"'})

    @get("/leaderboard", summary="Top earners (net of reversals), optionally over the last N days")
    async def leaderboard(self, runtime: NamedDependency[Runtime], days: Annotated[int | None, Parameter(ge=1, le=3660)] = None,
                          limit: Limit = 20) -> dict[str, Any]:
        since = runtime.now() - timedelta(days=days) if days else None
        return {"items": await reports.leaderboard(since=since, limit=limit)}


class DistributionFinanceController(Controller):
    """Finance (``distribution.finance``): withdrawal review."""

    path = "/api/distribution/finance"
    tags = ["distribution: finance"]
    guards = [permission("distribution.finance")]

    @get("/withdrawals", summary="Withdrawals, newest first")
    async def list_withdrawals(self, status: FromQuery[WithdrawalStatus | None] = None, member_id: OptId = None,
                               limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
        return await withdrawals.list_withdrawals(member_id=member_id, status=status, limit=limit, offset=offset)

    @post("/withdrawals/{withdrawal_id:int}/approve", status_code=200, summary="Approve: pay out through the payout provider")
    async def approve(self, request: Request, runtime: NamedDependency[Runtime], withdrawal_id: FromPath[int]) -> dict[str, Any]:
        return withdrawals.withdrawal_out(await withdrawals.approve(runtime, withdrawal_id, request.user.id))

    @post("/withdrawals/{withdrawal_id:int}/reject", status_code=200, summary="Reject: the amount returns to available")
    async def reject(self, request: Request, runtime: NamedDependency[Runtime], withdrawal_id: FromPath[int],
                     data: JSONBody[ReviewIn]) -> dict[str, Any]:
        return withdrawals.withdrawal_out(await withdrawals.reject(runtime, withdrawal_id, request.user.id, data.reason))
