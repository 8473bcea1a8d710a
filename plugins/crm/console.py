"""Console pages: customers (list, detail with timeline, follow-ups, tags, claim, reassign),
today, pool, dormant, assignment rules, performance (SVG charts, CSV) and a phone view for
salespeople. Every write is recorded in the audit log in its transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Stream
from tortoise.transactions import in_transaction

from qunshang.console import audit, forms
from qunshang.console.pages import ConsolePage
from qunshang.console.templates import render
from qunshang.errors import InvalidInput
from qunshang.localtime import parse_local

from .errors import PoolClosed
from .models import FollowUpKind, RouteMatch, TagRuleKind
from .service import assignment, charts, customers, dormant, followups, reports, routes, salespeople, tags
from .service.access import scope_of
from .api import csv_download
from .storefront import invite_link, qr_svg

Offset = Annotated[int, Parameter(ge=0, le=10**9)]
SELL = {"permission": "crm.sell"}
ASSIGN = {"permission": "crm.assign"}
MANAGE = {"permission": "crm.manage"}
STAGES = ("user", "member", "fan", "loyal_fan")


def _runtime(request: Request) -> Any:
    return request.app.state.runtime


async def _scope(request: Request):
    return await scope_of(_runtime(request), request.user.id)


def _back(path: str) -> Redirect:
    return Redirect(path, status_code=303)


def _choice(form: Any, name: str, enum: type[StrEnum]) -> Any:
    """A required form field that must be one of the enum's values."""
    value = forms.text(form, name, max_length=32, required=True)
    if value not in {e.value for e in enum}:
        raise InvalidInput(detail="{field} must be one of {choices}", field=name, choices=", ".join(e.value for e in enum))
    return enum(value)


def _next_at(request: Request, raw: str) -> datetime | None:
    """A ``datetime-local`` value, typed in the deployment's time zone."""
    if not raw:
        return None
    try:
        return parse_local(raw, _runtime(request).tz)
    except ValueError:
        raise InvalidInput(detail="next follow-up must be a date and time") from None


# --------------------------------------------------------------------------- customers


@get("/crm/customers")
async def customer_list(request: Request, q: FromQuery[str | None] = None, tag: FromQuery[str | None] = None,
                        stage: FromQuery[str | None] = None, offset: Offset = 0) -> Response:
    page = await customers.listing(await _scope(request), q=(q or "")[:64] or None, tag=(tag or "")[:32] or None,
                                   stage=stage if stage in STAGES else None, offset=offset)
    return render(request, "crm/customers.html", page=page, q=q or "", tag=tag or "", stage=stage or "", stages=STAGES,
                  pool=False)


@get("/crm/pool")
async def pool_list(request: Request, offset: Offset = 0) -> Response:
    sc = await _scope(request)
    if not sc.pool:
        raise PoolClosed()
    page = await customers.listing(sc, pool=True, offset=offset)
    return render(request, "crm/customers.html", page=page, q="", tag="", stage="", stages=STAGES, pool=True)


@get("/crm/customers/{member_id:int}")
async def customer_view(request: Request, member_id: FromPath[int]) -> Response:
    sc = await _scope(request)
    detail = await customers.detail(sc, member_id)
    staff = await salespeople.listing() if sc.can("crm.assign") else []
    return render(request, "crm/customer.html", customer=detail, timeline=await customers.timeline(member_id),
                  kinds=[k.value for k in FollowUpKind], staff=[s for s in staff if sc.sees_owner(s["member_id"])])


@post("/crm/customers/{member_id:int}/follow-ups", opt=SELL)
async def customer_follow_up(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    sc = await _scope(request)
    await customers.visible(sc, member_id)
    kind = _choice(form, "kind", FollowUpKind)
    note = forms.text(form, "note", max_length=500)
    next_at = _next_at(request, forms.text(form, "next_at", max_length=32))
    async with in_transaction():
        done = await followups.add(_runtime(request), request.user.id, member_id, kind, note, next_at)
        await audit.record(request, "crm.follow_up", "member", member_id, after={"kind": kind, "note": note, "next_at": next_at})
    return _back("/console/crm/m" if form.get("back") == "m" else f"/console/crm/customers/{member_id}#f{done.id}")


@post("/crm/customers/{member_id:int}/tags", opt=SELL)
async def customer_tags(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    await customers.visible(await _scope(request), member_id)
    tag = forms.text(form, "tag", max_length=32, required=True)
    async with in_transaction():
        before = await tags.tags_of(member_id)
        after = await (tags.remove(member_id, tag) if form.get("remove") == "1" else tags.add(_runtime(request), member_id, tag))
        await audit.record(request, "crm.tags", "member", member_id, before={"tags": before}, after={"tags": after})
    return _back(f"/console/crm/customers/{member_id}")


@post("/crm/customers/{member_id:int}/region", opt=SELL)
async def customer_region(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    row = await customers.visible(await _scope(request), member_id)
    region = forms.text(form, "region", max_length=32)
    async with in_transaction():
        await customers.set_region(row, region)
        await audit.record(request, "crm.region", "member", member_id, before={"region": row.region}, after={"region": region})
    return _back(f"/console/crm/customers/{member_id}")


@post("/crm/customers/{member_id:int}/claim", opt=SELL)
async def customer_claim(request: Request, member_id: FromPath[int]) -> Response:
    await customers.visible(await _scope(request), member_id)
    async with in_transaction():
        entry = await assignment.claim(_runtime(request), request.user.id, member_id)
        await audit.record(request, "crm.claim", "member", member_id, before={"owner_id": entry.from_owner_id},
                           after={"owner_id": entry.to_owner_id})
    return _back(f"/console/crm/customers/{member_id}")


@post("/crm/customers/{member_id:int}/assign", opt=ASSIGN)
async def customer_assign(request: Request, member_id: FromPath[int]) -> Response:
    form = await request.form()
    sc = await _scope(request)
    await customers.visible(sc, member_id)
    reason = forms.text(form, "reason", max_length=200, required=True)
    to = forms.integer(form, "to", low=0, high=2**31 - 1) or None
    sc.check_target(to)
    async with in_transaction():
        entry = await assignment.reassign(_runtime(request), member_id, to, reason, request.user.id)
        await audit.record(request, "crm.reassign", "member", member_id, before={"owner_id": entry.from_owner_id},
                           after={"owner_id": entry.to_owner_id, "reason": reason})
    return _back(f"/console/crm/customers/{member_id}")


# --------------------------------------------------------------------------- today, dormant, phone


@get("/crm/today")
async def today_page(request: Request) -> Response:
    return render(request, "crm/today.html", today=await followups.today(_runtime(request), request.user.id))


@get("/crm/dormant")
async def dormant_page(request: Request, offset: Offset = 0) -> Response:
    page = await dormant.listing(_runtime(request), await _scope(request), offset=offset)
    return render(request, "crm/dormant.html", page=page)


@get("/crm/m")
async def phone_view(request: Request) -> Response:
    """The salesperson's phone view: today's and overdue follow-ups as cards, their dormant
    customers to reactivate, and their invite link and QR code."""
    runtime = _runtime(request)
    link = qr = ""
    if await salespeople.is_active_salesperson(request.user.id):
        me = await salespeople.ensure(runtime, request.user.id)
        link = invite_link(runtime, me.code)
        qr = qr_svg(link, scale=3)
    idle = await dormant.listing(runtime, await _scope(request), owner_id=request.user.id, limit=10)
    return render(request, "crm/mobile.html", today=await followups.today(runtime, request.user.id), link=link, qr=qr,
                  kinds=[k.value for k in FollowUpKind], dormant=idle)


# --------------------------------------------------------------------------- rules


@get("/crm/rules")
async def rules_page(request: Request) -> Response:
    return render(request, "crm/rules.html", routes=await routes.listing(),
                  tag_rules=await tags.rules(), staff=await salespeople.listing(),
                  settings=_runtime(request).settings("crm"), matches=[m.value for m in RouteMatch],
                  rule_kinds=[k.value for k in TagRuleKind])


@post("/crm/rules/routes", opt=MANAGE)
async def route_create(request: Request) -> Response:
    form = await request.form()
    match = _choice(form, "match", RouteMatch)
    value = forms.text(form, "value", max_length=64, required=True)
    ids = [forms.integer({"id": raw}, "id", low=1, high=2**31 - 1) for raw in form.getall("salesperson_ids", [])]
    if not ids:
        raise InvalidInput(detail="choose at least one salesperson")
    position = forms.integer(form, "position", low=0, high=10_000, default=0)
    async with in_transaction():
        row = await routes.create(_runtime(request), match, value, ids, position)
        await audit.record(request, "crm.route.create", "crm_route", row.id,
                           after={"match": match, "value": row.value, "to": row.salesperson_ids})
    return _back("/console/crm/rules")


@post("/crm/rules/routes/{rule_id:int}/delete", opt=MANAGE)
async def route_delete(request: Request, rule_id: FromPath[int]) -> Response:
    async with in_transaction():
        await routes.delete(rule_id)
        await audit.record(request, "crm.route.delete", "crm_route", rule_id)
    return _back("/console/crm/rules")


@post("/crm/rules/tags", opt=MANAGE)
async def tag_rule_create(request: Request) -> Response:
    form = await request.form()
    kind = _choice(form, "kind", TagRuleKind)
    async with in_transaction():
        row = await tags.create_rule(_runtime(request), kind, forms.text(form, "value", max_length=64, required=True),
                                     forms.text(form, "tag", max_length=32, required=True))
        await audit.record(request, "crm.tag_rule.create", "crm_tagrule", row.id, after={"kind": kind, "value": row.value, "tag": row.tag})
    return _back("/console/crm/rules")


@post("/crm/rules/tags/{rule_id:int}/delete", opt=MANAGE)
async def tag_rule_delete(request: Request, rule_id: FromPath[int]) -> Response:
    async with in_transaction():
        await tags.delete_rule(rule_id)
        await audit.record(request, "crm.tag_rule.delete", "crm_tagrule", rule_id)
    return _back("/console/crm/rules")


@post("/crm/rules/salespeople/{salesperson_id:int}", opt=MANAGE)
async def salesperson_save(request: Request, salesperson_id: FromPath[int]) -> Response:
    form = await request.form()
    cap = forms.text(form, "capacity", max_length=8)
    changes = {"capacity": forms.integer(form, "capacity", low=0, high=10**7) if cap else None,
               "region": forms.text(form, "region", max_length=32), "disabled": form.get("disabled") == "1"}
    async with in_transaction():
        before = salespeople.out(await salespeople.ensure(_runtime(request), salesperson_id))
        after = salespeople.out(await salespeople.update(salesperson_id, **changes))
        await audit.record(request, "crm.salesperson", "member", salesperson_id, before=before, after=after)
    return _back("/console/crm/rules")


@post("/crm/rules/assign-pool", opt=MANAGE)
async def assign_pool(request: Request) -> Response:
    async with in_transaction():
        count = await assignment.assign_pool(_runtime(request), actor_id=request.user.id)
        await audit.record(request, "crm.assign_pool", "crm_pool", "", after={"assigned": count})
    return _back("/console/crm/rules")


# --------------------------------------------------------------------------- performance


def _range(request: Request, start: date | None, end: date | None) -> reports.Period:
    runtime = _runtime(request)
    today = runtime.now().astimezone(runtime.tz).date()
    return reports.period(runtime, start or today - timedelta(days=29), end or today)


@get("/crm/performance")
async def performance_page(request: Request, start: FromQuery[date | None] = None, end: FromQuery[date | None] = None) -> Response:
    p = _range(request, start, end)
    report = await reports.performance(_runtime(request), await _scope(request), p)
    return render(request, "crm/performance.html", report=report,
                  gmv_chart=charts.bars(report["salespeople"], "gmv"),
                  new_chart=charts.bars(report["salespeople"], "new_customers"),
                  follow_chart=charts.bars(report["salespeople"], "follow_ups"))


@get("/crm/performance.csv")
async def performance_csv(request: Request, start: FromQuery[date | None] = None, end: FromQuery[date | None] = None) -> Stream:
    return csv_download(await reports.performance(_runtime(request), await _scope(request), _range(request, start, end)))


PAGES = [
    ConsolePage("crm", "Customers", "/crm/customers", "crm.view",
                (customer_list, customer_view, customer_follow_up, customer_tags, customer_region, customer_claim, customer_assign), position=10),
    ConsolePage("crm", "Today's follow-ups", "/crm/today", "crm.view", (today_page,), position=11),
    ConsolePage("crm", "Pool", "/crm/pool", "crm.view", (pool_list,), position=12),
    ConsolePage("crm", "Dormant", "/crm/dormant", "crm.view", (dormant_page,), position=13),
    ConsolePage("crm", "Phone view", "/crm/m", "crm.sell", (phone_view,), position=14),
    ConsolePage("crm", "Performance", "/crm/performance", "crm.report", (performance_page, performance_csv), position=15),
    ConsolePage("crm", "Assignment rules", "/crm/rules", "crm.manage",
                (rules_page, route_create, route_delete, tag_rule_create, tag_rule_delete, salesperson_save, assign_pool),
                position=16),
]
