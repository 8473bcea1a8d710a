"""``/api/crm``: salespeople and managers work their customers (scoped: others' customers are
404), and ``/api/crm/admin`` (``crm.manage``) configures salespeople, teams and rules. Every
write is recorded in the audit log in its transaction, as the console's are."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Stream
from tortoise.transactions import in_transaction

from qunshang.console import audit
from qunshang.errors import PermissionDenied
from qunshang.runtime import Runtime
from qunshang.web.guards import permission

from .errors import PoolClosed
from .models import FollowUpKind, RouteMatch, TagRuleKind
from .service import assignment, customers, dormant, followups, reports, routes, salespeople, tags
from .service.access import Scope, scope_of
from .storefront import invite_link, qr_svg

Id = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\S")]
Limit = Annotated[int, Parameter(ge=1, le=100)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]
OptId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
Region = Annotated[str, msgspec.Meta(max_length=32)]


class FollowUpIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["visit", "call", "chat", "note"]
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    next_at: datetime | None = None


class TagIn(msgspec.Struct, forbid_unknown_fields=True):
    tag: Tag


class CustomerPatch(msgspec.Struct, forbid_unknown_fields=True):
    region: Region


class AssignIn(msgspec.Struct, forbid_unknown_fields=True):
    """``to`` null returns the customer to the pool."""

    to: Id | None
    reason: Reason


class SalespersonIn(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    capacity: Annotated[int, msgspec.Meta(ge=0, le=10**7)] | None | msgspec.UnsetType = msgspec.UNSET
    region: Region | msgspec.UnsetType = msgspec.UNSET
    disabled: bool | msgspec.UnsetType = msgspec.UNSET
    team_id: Id | None | msgspec.UnsetType = msgspec.UNSET


class TeamIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\S")]
    manager_id: Id


class RouteIn(msgspec.Struct, forbid_unknown_fields=True):
    match: Literal["tag", "region", "source"]
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\S")]
    salesperson_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=200)]
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0


class TagRuleIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Literal["bought_category", "joined_group", "no_order_days"]
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    tag: Tag


def csv_download(report: dict[str, Any]) -> Stream:
    """The performance report as a streamed CSV attachment (the API's and the console's)."""
    name = f"crm-performance-{report['start']}-{report['end']}.csv"
    return Stream(reports.csv_rows(report), media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def scope(request: Request) -> Scope:
    return await scope_of(request.app.state.runtime, request.user.id)


def need(sc: Scope, name: str) -> None:
    if not sc.can(name):
        raise PermissionDenied()


class CrmController(Controller):
    """Customers, follow-ups, the today list, the pool, dormant customers and performance."""

    path = "/api/crm"
    tags = ["crm"]
    guards = [permission("crm.view")]

    @get("/me", summary="My salesperson record: invite code and link (null when I am not a salesperson)")
    async def me(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        if not await salespeople.is_active_salesperson(request.user.id):
            return {"salesperson": None}
        row = await salespeople.ensure(runtime, request.user.id)
        return {"salesperson": salespeople.out(row), "invite_link": invite_link(runtime, row.code)}

    @get("/me/qr.svg", summary="My invite link as an SVG QR code", media_type="image/svg+xml")
    async def qr(self, request: Request, runtime: NamedDependency[Runtime]) -> Response[str]:
        row = await salespeople.ensure(runtime, request.user.id)
        svg = qr_svg(invite_link(runtime, row.code))
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600",
                                                                   "X-Content-Type-Options": "nosniff"})

    @get("/customers", summary="Customers I may see (mine, my team's, or all for managers), newest first")
    async def customer_list(self, request: Request, q: Annotated[str | None, Parameter(max_length=64)] = None,
                            tag: Annotated[str | None, Parameter(max_length=32)] = None,
                            stage: FromQuery[Literal["user", "member", "fan", "loyal_fan"] | None] = None,
                            owner_id: OptId = None, pool: FromQuery[bool] = False, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        sc = await scope(request)
        if pool and not sc.pool:
            raise PoolClosed()
        return await customers.listing(sc, q=q, tag=tag, stage=stage, owner_id=owner_id, pool=pool, limit=limit, offset=offset)

    @get("/customers/{member_id:int}", summary="One customer with owner, protection, counters and tags")
    async def customer(self, request: Request, member_id: FromPath[int]) -> dict[str, Any]:
        return await customers.detail(await scope(request), member_id)

    @get("/customers/{member_id:int}/timeline", summary="Orders, groups, follow-ups and ownership changes, newest first")
    async def timeline(self, request: Request, member_id: FromPath[int]) -> dict[str, Any]:
        await customers.visible(await scope(request), member_id)
        return {"items": await customers.timeline(member_id)}

    @patch("/customers/{member_id:int}", summary="Set the customer's region (used by region rules)")
    async def update(self, request: Request, member_id: FromPath[int], data: JSONBody[CustomerPatch]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.sell")
        row = await customers.visible(sc, member_id)
        region = data.region.strip()
        async with in_transaction():
            await customers.set_region(row, region)
            await audit.record(request, "crm.region", "member", member_id, before={"region": row.region}, after={"region": region})
        return await customers.detail(sc, member_id)

    @post("/customers/{member_id:int}/follow-ups", summary="Record a visit, call, chat or note, with the next date")
    async def follow_up(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int],
                        data: JSONBody[FollowUpIn]) -> Response[dict[str, Any]]:
        sc = await scope(request)
        need(sc, "crm.sell")
        await customers.visible(sc, member_id)
        note = data.note.strip()
        async with in_transaction():
            done = await followups.add(runtime, request.user.id, member_id, FollowUpKind(data.kind), note, data.next_at)
            await audit.record(request, "crm.follow_up", "member", member_id,
                               after={"kind": data.kind, "note": note, "next_at": done.next_at})
        return Response({"id": done.id, "at": done.at, "next_at": done.next_at}, status_code=201)

    @post("/customers/{member_id:int}/tags", status_code=200, summary="Tag a customer by hand")
    async def add_tag(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int],
                      data: JSONBody[TagIn]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.sell")
        await customers.visible(sc, member_id)
        async with in_transaction():
            before = await tags.tags_of(member_id)
            after = await tags.add(runtime, member_id, data.tag)
            await audit.record(request, "crm.tags", "member", member_id, before={"tags": before}, after={"tags": after})
        return {"tags": after}

    @delete("/customers/{member_id:int}/tags/{tag:str}", status_code=200, summary="Remove a tag")
    async def remove_tag(self, request: Request, member_id: FromPath[int],
                         tag: FromPath[Annotated[str, Parameter(max_length=32)]]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.sell")
        await customers.visible(sc, member_id)
        async with in_transaction():
            before = await tags.tags_of(member_id)
            after = await tags.remove(member_id, tag)
            await audit.record(request, "crm.tags", "member", member_id, before={"tags": before}, after={"tags": after})
        return {"tags": after}

    @post("/customers/{member_id:int}/claim", status_code=200, summary="Take a customer from the shared pool")
    async def claim(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.sell")
        await customers.visible(sc, member_id)
        async with in_transaction():
            entry = await assignment.claim(runtime, request.user.id, member_id)
            await audit.record(request, "crm.claim", "member", member_id, before={"owner_id": entry.from_owner_id},
                               after={"owner_id": entry.to_owner_id})
        return {"owner_id": entry.to_owner_id, "at": entry.at}

    @post("/customers/{member_id:int}/assign", status_code=200, summary="Reassign a customer (managers), with a reason")
    async def assign(self, request: Request, runtime: NamedDependency[Runtime], member_id: FromPath[int],
                     data: JSONBody[AssignIn]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.assign")
        await customers.visible(sc, member_id)
        sc.check_target(data.to)
        reason = data.reason.strip()
        async with in_transaction():
            entry = await assignment.reassign(runtime, member_id, data.to, reason, request.user.id)
            await audit.record(request, "crm.reassign", "member", member_id, before={"owner_id": entry.from_owner_id},
                               after={"owner_id": entry.to_owner_id, "reason": reason})
        return {"owner_id": entry.to_owner_id, "at": entry.at}

    @get("/today", summary="My follow-ups due today and overdue (managers: owner_id of their team)")
    async def today(self, request: Request, runtime: NamedDependency[Runtime], owner_id: OptId = None) -> dict[str, Any]:
        sc = await scope(request)
        owner = owner_id or request.user.id
        if not sc.sees_owner(owner):
            raise PermissionDenied()
        return await followups.today(runtime, owner)

    @get("/pool", summary="Customers without an owner, to claim")
    async def pool(self, request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        sc = await scope(request)
        if not sc.pool:
            raise PoolClosed()
        return await customers.listing(sc, pool=True, limit=limit, offset=offset)

    @get("/dormant", summary="Customers with no order in dormant_days: reason and suggested action")
    async def dormant(self, request: Request, runtime: NamedDependency[Runtime], owner_id: OptId = None,
                      limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
        return await dormant.listing(runtime, await scope(request), owner_id=owner_id, limit=limit, offset=offset)

    @get("/performance", summary="Per salesperson and team: new customers, follow-ups, overdue, orders, GMV, conversion")
    async def performance(self, request: Request, runtime: NamedDependency[Runtime], start: FromQuery[date], end: FromQuery[date]) -> dict[str, Any]:
        sc = await scope(request)
        need(sc, "crm.report")
        return await reports.performance(runtime, sc, reports.period(runtime, start, end))

    @get("/performance.csv", summary="The performance report as CSV", media_type="text/csv")
    async def performance_csv(self, request: Request, runtime: NamedDependency[Runtime], start: FromQuery[date], end: FromQuery[date]) -> Stream:
        sc = await scope(request)
        need(sc, "crm.report")
        return csv_download(await reports.performance(runtime, sc, reports.period(runtime, start, end)))


class CrmAdminController(Controller):
    """Salespeople (caps, regions, teams), teams, routing rules and tag rules."""

    path = "/api/crm/admin"
    tags = ["crm"]
    guards = [permission("crm.manage")]

    @get("/salespeople", summary="Every salesperson with load and cap")
    async def salespeople_list(self) -> list[dict[str, Any]]:
        return await salespeople.listing()

    @put("/salespeople/{salesperson_id:int}", summary="Enrol a member with the salesperson role, or change cap, region, team")
    async def salesperson_put(self, request: Request, runtime: NamedDependency[Runtime], salesperson_id: FromPath[int],
                              data: JSONBody[SalespersonIn]) -> dict[str, Any]:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        async with in_transaction():
            before = salespeople.out(await salespeople.ensure(runtime, salesperson_id))
            after = salespeople.out(await salespeople.update(salesperson_id, **changes))
            await audit.record(request, "crm.salesperson", "member", salesperson_id, before=before, after=after)
        return after

    @post("/teams", summary="Create a team led by a manager")
    async def team_create(self, request: Request, runtime: NamedDependency[Runtime], data: JSONBody[TeamIn]) -> Response[dict[str, Any]]:
        async with in_transaction():
            team = await salespeople.create_team(runtime, data.name.strip(), data.manager_id)
            out = {"id": team.id, "name": team.name, "manager_id": team.manager_id}
            await audit.record(request, "crm.team.create", "crm_team", team.id, after=out)
        return Response(out, status_code=201)

    @get("/routes", summary="Assignment routing rules, in the order they are tried")
    async def route_list(self) -> list[dict[str, Any]]:
        return await routes.listing()

    @post("/routes", summary="Add a routing rule: customers with this tag, region or source go to these salespeople")
    async def route_create(self, request: Request, runtime: NamedDependency[Runtime],
                           data: JSONBody[RouteIn]) -> Response[dict[str, Any]]:
        async with in_transaction():
            row = await routes.create(runtime, RouteMatch(data.match), data.value, data.salesperson_ids, data.position)
            await audit.record(request, "crm.route.create", "crm_route", row.id,
                               after={"match": data.match, "value": row.value, "to": row.salesperson_ids})
        return Response({"id": row.id}, status_code=201)

    @delete("/routes/{rule_id:int}", status_code=204, summary="Remove a routing rule")
    async def route_delete(self, request: Request, rule_id: FromPath[int]) -> None:
        async with in_transaction():
            await routes.delete(rule_id)
            await audit.record(request, "crm.route.delete", "crm_route", rule_id)

    @get("/tag-rules", summary="Automatic tag rules")
    async def tag_rules(self) -> list[dict[str, Any]]:
        return await tags.rules()

    @post("/tag-rules", summary="Add an automatic tag rule")
    async def tag_rule_create(self, request: Request, runtime: NamedDependency[Runtime],
                              data: JSONBody[TagRuleIn]) -> Response[dict[str, Any]]:
        async with in_transaction():
            row = await tags.create_rule(runtime, TagRuleKind(data.kind), data.value, data.tag)
            out = {"id": row.id, "kind": str(row.kind), "value": row.value, "tag": row.tag}
            await audit.record(request, "crm.tag_rule.create", "crm_tagrule", row.id, after=out)
        return Response(out, status_code=201)

    @delete("/tag-rules/{rule_id:int}", status_code=204, summary="Remove an automatic tag rule (tags it set stay)")
    async def tag_rule_delete(self, request: Request, rule_id: FromPath[int]) -> None:
        async with in_transaction():
            await tags.delete_rule(rule_id)
            await audit.record(request, "crm.tag_rule.delete", "crm_tagrule", rule_id)

    @post("/assign-pool", status_code=200, summary="Run the assignment rules over the pool now")
    async def assign_pool(self, request: Request, runtime: NamedDependency[Runtime]) -> dict[str, Any]:
        async with in_transaction():
            count = await assignment.assign_pool(runtime, actor_id=request.user.id)
            await audit.record(request, "crm.assign_pool", "crm_pool", "", after={"assigned": count})
        return {"assigned": count}
