"""Console pages (``/console/distribution/…``): the effective settings and grades (with forms
to add and edit them), product and SKU commission rates, applications, distributors, the tree around a member (with audited upline changes),
commissions with filters and CSV export, withdrawal review and the leaderboard.

Operators' pages need ``distribution.manage``; the money pages (commissions, withdrawals)
``distribution.finance``. Every write is audited in its own transaction. The grade and rate
forms show their errors inline and keep what was typed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Redirect, Stream
from tortoise.transactions import in_transaction

from qunshang.console import audit, forms
from qunshang.console.pages import ConsolePage
from qunshang.console.templates import flash, render
from qunshang.catalog.models import Product, Sku
from qunshang.errors import InvalidInput, NotFound, QunshangError
from qunshang.localtime import day_start
from qunshang.web.locale import gettext_for
from qunshang.members.models import Member

from .models import (ApplicationStatus, CommissionStatus, Distributor, DistributorStatus, Grade, RateOverride,
                     WithdrawalStatus)
from .service import binding, distributors, grades, reports, rules, team, withdrawals

PAGE = 50  # console/_pager.html steps by 50
MANAGE, FINANCE = "distribution.manage", "distribution.finance"
OptId = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
Offset = Annotated[int, Parameter(ge=0, le=10**9)]
Days = Annotated[int | None, Parameter(ge=1, le=3660)]


def _runtime(request: Request):
    return request.app.state.runtime


async def _names(ids) -> dict[int, str]:
    return dict(await Member.filter(id__in=list(set(ids))).values_list("id", "display_name"))


def _back(path: str) -> Redirect:
    return Redirect(f"/console{path}", status_code=303)


# --------------------------------------------------------------------------- settings


GRADE_FIELDS = ("name", "rank", "rates_bp", "min_team_size", "min_team_sales", "min_own_sales")


def _yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen // 100}.{fen % 100:02d}"


def _numbers(form, name: str, read) -> list[int]:
    """A list typed as ``1500, 700`` (``/`` works too), each part read by ``read``."""
    raw = forms.text(form, name, max_length=60)
    return [read({name: part.strip()}, name) for part in raw.replace("/", ",").split(",") if part.strip()]


def _bp(one, name: str) -> int:
    return forms.integer(one, name, low=0, high=10_000)


def _typed(form, names) -> dict[str, str]:
    return {name: str(form.get(name) or "")[:60] for name in names}


def _grade_values(form) -> dict[str, Any]:
    """A grade as typed: rates per level in basis points (empty: the defaults) and its upgrade
    rules (empty: none), sales in yuan."""
    size = forms.text(form, "min_team_size", max_length=12)
    return {
        "name": forms.text(form, "name", max_length=32, required=True),
        "rank": forms.integer(form, "rank", low=0, high=1000),
        "rates_bp": _numbers(form, "rates_bp", _bp),
        "min_team_size": forms.integer(form, "min_team_size", low=0, high=10**9) if size else None,
        **{rule: forms.money(form, rule) if forms.text(form, rule, max_length=16) else None
           for rule in ("min_team_sales", "min_own_sales")},
    }


def _grade_form(grade: dict[str, Any]) -> dict[str, str]:
    return {"name": grade["name"], "rank": str(grade["rank"]), "rates_bp": ", ".join(map(str, grade["rates_bp"] or [])),
            "min_team_size": "" if grade["min_team_size"] is None else str(grade["min_team_size"]),
            "min_team_sales": _yuan(grade["min_team_sales"]), "min_own_sales": _yuan(grade["min_own_sales"])}


async def _settings_page(request: Request, form: dict[str, str] | None = None, error: str = "",
                         status_code: int = 200) -> Response:
    settings = _runtime(request).settings("distribution")
    return render(request, "distribution/console/settings.html", status_code=status_code, settings=settings.model_dump(),
                  grades=await grades.list_grades(), form=form or dict.fromkeys(GRADE_FIELDS, ""), error=error)


@get("/distribution/settings")
async def settings_view(request: Request) -> Response:
    """The settings in force (``qunshang.toml``), read-only, and the grades."""
    return await _settings_page(request)


@post("/distribution/grades")
async def grade_create(request: Request) -> Response:
    """Add a grade, audited."""
    form = await request.form()
    try:
        values = _grade_values(form)
        async with in_transaction():
            grade = await grades.create(_runtime(request), **values)
            await audit.record(request, "distribution.grade.create", "distribution_grade", grade.id, after=values)
    except QunshangError as exc:
        return await _settings_page(request, _typed(form, GRADE_FIELDS), exc.render(gettext_for(request)), exc.status_code)
    flash(request, gettext_for(request)("Saved."))
    return _back("/distribution/settings")


def _grade_page(request: Request, grade: dict[str, Any], form: dict[str, str], error: str = "",
                      status_code: int = 200) -> Response:
    return render(request, "distribution/console/grade.html", status_code=status_code, grade=grade, form=form, error=error)


async def _grade_or_404(grade_id: int) -> dict[str, Any]:
    found = await Grade.filter(id=grade_id).values("id", "name", "rank", "rates_bp", *grades.RULES)
    if not found:
        raise NotFound()
    return found[0]


@get("/distribution/grades/{grade_id:int}")
async def grade_edit(request: Request, grade_id: FromPath[int]) -> Response:
    """A grade's form, filled in with what it is now."""
    grade = await _grade_or_404(grade_id)
    return _grade_page(request, grade, _grade_form(grade))


@post("/distribution/grades/{grade_id:int}")
async def grade_update(request: Request, grade_id: FromPath[int]) -> Response:
    """Change a grade, audited with before and after. Distributors already holding it keep it."""
    before = await _grade_or_404(grade_id)
    form = await request.form()
    try:
        values = _grade_values(form)
        async with in_transaction():
            await grades.update(_runtime(request), grade_id, values)
            await audit.record(request, "distribution.grade.update", "distribution_grade", grade_id,
                               before={k: v for k, v in before.items() if k != "id"}, after=values)
    except QunshangError as exc:
        return _grade_page(request, before, _typed(form, GRADE_FIELDS), exc.render(gettext_for(request)),
                           exc.status_code)
    flash(request, gettext_for(request)("Saved."))
    return _back("/distribution/settings")


# --------------------------------------------------------------------------- product and SKU rates

RATE_FIELDS = ("rates_bp", "amounts_per_unit", "excluded")


def _override_form(o: RateOverride | None) -> dict[str, Any]:
    if o is None:
        return {"rates_bp": "", "amounts_per_unit": "", "excluded": False}
    return {"rates_bp": ", ".join(map(str, o.rates_bp or [])),
            "amounts_per_unit": ", ".join(_yuan(a) for a in o.amounts_per_unit or []), "excluded": o.excluded}


async def _rates_page(request: Request, product_id: int | None, typed: dict[str, Any] | None = None,
                      status_code: int = 200) -> Response:
    """The product's rules, one form for the product and one per option (``typed``: the form
    sent back with its error, keeping what was typed)."""
    product, targets = None, []
    if product_id is not None:
        product = await Product.get_or_none(id=product_id)
        if product is None:
            raise NotFound()
        saved = {o.sku_id: o for o in await RateOverride.filter(product_id=product_id)}
        skus = await Sku.filter(product_id=product_id).order_by("id").values("id", "name")
        for sku_id, name in [(None, ""), *((s["id"], s["name"]) for s in skus)]:
            target = {"sku_id": sku_id, "name": name, "key": sku_id or "product", "saved": sku_id in saved,
                      "form": _override_form(saved.get(sku_id)), "error": ""}
            if typed is not None and typed["sku_id"] == sku_id:
                target.update(form=typed["form"], error=typed["error"])
            targets.append(target)
    return render(request, "distribution/console/rates.html", status_code=status_code, product=product, targets=targets)


def _sku_of(form) -> int | None:
    raw = forms.text(form, "sku_id", max_length=12)
    return forms.integer(form, "sku_id", low=1, high=2**31 - 1) if raw else None


@get("/distribution/rates")
async def rates_view(request: Request, product_id: OptId = None) -> Response:
    return await _rates_page(request, product_id)


@post("/distribution/rates/{product_id:int}")
async def rates_set(request: Request, product_id: FromPath[int]) -> Response:
    """Set the product's (or, with ``sku_id``, one option's) rates, fixed amounts per unit
    (yuan) or exclusion, audited with before and after."""
    form = await request.form()
    sku_id = _sku_of(form)
    try:
        rates = _numbers(form, "rates_bp", _bp) or None
        amounts = _numbers(form, "amounts_per_unit", forms.money) or None
        excluded = form.get("excluded") == "1"
        before = await RateOverride.get_or_none(product_id=product_id, sku_id=sku_id)
        async with in_transaction():
            after = await rules.set_override(_runtime(request), product_id, sku_id=sku_id, rates_bp=rates,
                                             amounts_per_unit=amounts, excluded=excluded)
            await audit.record(request, "distribution.rates.set", "product", product_id,
                               before=rules.override_out(before) if before else None, after=after)
    except NotFound:
        raise
    except QunshangError as exc:
        typed = {"rates_bp": str(form.get("rates_bp") or "")[:60], "amounts_per_unit": str(form.get("amounts_per_unit") or "")[:60],
                 "excluded": form.get("excluded") == "1"}
        return await _rates_page(request, product_id, {"sku_id": sku_id, "form": typed,
                                                       "error": exc.render(gettext_for(request))}, exc.status_code)
    flash(request, gettext_for(request)("Saved."))
    return _back(f"/distribution/rates?product_id={product_id}")


@post("/distribution/rates/{product_id:int}/delete")
async def rates_delete(request: Request, product_id: FromPath[int]) -> Response:
    """Remove the product's (or one option's) own rules, audited."""
    form = await request.form()
    sku_id = _sku_of(form)
    before = await RateOverride.get_or_none(product_id=product_id, sku_id=sku_id)
    if before is None:
        raise NotFound()
    async with in_transaction():
        await rules.delete_override(product_id, sku_id)
        await audit.record(request, "distribution.rates.delete", "product", product_id,
                           before=rules.override_out(before), after=None)
    flash(request, gettext_for(request)("Saved."))
    return _back(f"/distribution/rates?product_id={product_id}")


# --------------------------------------------------------------------------- applications


@get("/distribution/applications")
async def application_list(request: Request, status: FromQuery[ApplicationStatus | None] = ApplicationStatus.PENDING,
                           offset: Offset = 0) -> Response:
    listing = await distributors.list_applications(status=status, limit=PAGE, offset=offset)
    return render(request, "distribution/console/applications.html", items=listing["items"], has_more=listing["has_more"],
                  offset=offset, status=str(status or ""), statuses=[s.value for s in ApplicationStatus])


async def _review(request: Request, application_id: int, approve: bool) -> Response:
    form = await request.form()
    reason = forms.text(form, "reason", max_length=200)
    async with in_transaction():
        done = await distributors.review(_runtime(request), application_id, approve=approve,
                                         reviewer_id=request.user.id, reason=reason)
        await audit.record(request, f"distribution.application.{'approve' if approve else 'reject'}", "distribution_application",
                           application_id, before={"status": "pending"},
                           after={"status": str(done.status), "member_id": done.member_id, "reason": reason})
    return _back("/distribution/applications")


@post("/distribution/applications/{application_id:int}/approve")
async def application_approve(request: Request, application_id: FromPath[int]) -> Response:
    return await _review(request, application_id, True)


@post("/distribution/applications/{application_id:int}/reject")
async def application_reject(request: Request, application_id: FromPath[int]) -> Response:
    return await _review(request, application_id, False)


# --------------------------------------------------------------------------- distributors


@get("/distribution/distributors")
async def distributor_list(request: Request, status: FromQuery[DistributorStatus | None] = None,
                           offset: Offset = 0) -> Response:
    listing = await distributors.list_distributors(status=status, limit=PAGE, offset=offset)
    return render(request, "distribution/console/distributors.html", items=listing["items"], has_more=listing["has_more"],
                  offset=offset, status=str(status or ""), statuses=[s.value for s in DistributorStatus],
                  grades=await grades.list_grades())


@post("/distribution/distributors/{member_id:int}")
async def distributor_update(request: Request, member_id: FromPath[int]) -> Response:
    """Set the status (active, frozen, disabled) and the grade (empty: none)."""
    form = await request.form()
    status = forms.text(form, "status", max_length=16)
    if status not in {s.value for s in DistributorStatus}:
        raise InvalidInput(detail="{field} must be one of {allowed}", field="status", allowed="active, frozen, disabled")
    grade = forms.text(form, "grade_id", max_length=12)
    grade_id = forms.integer(form, "grade_id", low=1, high=2**31 - 1) if grade else None
    before = await Distributor.get_or_none(member_id=member_id)
    if before is None:
        raise NotFound()
    async with in_transaction():
        after = await distributors.update(member_id, status=DistributorStatus(status), grade_id=grade_id,
                                          clear_grade=grade_id is None)
        await audit.record(request, "distribution.distributor.update", "distribution_distributor", member_id,
                           before={"status": str(before.status), "grade_id": before.grade_id},
                           after={"status": str(after.status), "grade_id": after.grade_id})
    flash(request, gettext_for(request)("Saved."))
    return _back("/distribution/distributors")


# --------------------------------------------------------------------------- tree


@get("/distribution/tree")
async def tree_view(request: Request, member_id: OptId = None) -> Response:
    """The uplines of any member, their team figures and direct members, and the upline form."""
    around, history = None, None
    if member_id is not None:
        around = await team.around(member_id, now=team.cutoff(_runtime(request)))
        history = await binding.history(member_id)
        history["names"] = await _names([c["old_upline_id"] for c in history["changes"] if c["old_upline_id"]]
                                        + [c["new_upline_id"] for c in history["changes"] if c["new_upline_id"]])
    return render(request, "distribution/console/tree.html", member_id=member_id or "", around=around, history=history)


@post("/distribution/tree/{member_id:int}/upline")
async def upline_change(request: Request, member_id: FromPath[int]) -> Response:
    """Move a member (and their team) under another upline, or remove the upline (empty)."""
    form = await request.form()
    reason = forms.text(form, "reason", max_length=200, required=True)
    raw = forms.text(form, "upline_id", max_length=12)
    upline_id = forms.integer(form, "upline_id", low=1, high=2**31 - 1) if raw else None
    current = await binding.open_binding(member_id)
    async with in_transaction():
        await binding.change_upline(_runtime(request), member_id, upline_id, reason=reason, actor_id=request.user.id)
        await audit.record(request, "distribution.upline.change", "member", member_id,
                           before={"upline_id": current.upline_id if current else None},
                           after={"upline_id": upline_id, "reason": reason})
    return _back(f"/distribution/tree?member_id={member_id}")


# --------------------------------------------------------------------------- commissions


def _day(value: date | None, tz: ZoneInfo, *, end: bool = False) -> datetime | None:
    """A local day as the instant it starts (``end``: the instant after it ends)."""
    if value is None:
        return None
    return day_start(value + timedelta(days=1) if end else value, tz)


def _commission_filters(tz, earner_id, order_id, status, since, until) -> dict[str, Any]:
    return {"earner_id": earner_id, "order_id": order_id, "status": status,
            "since": _day(since, tz), "until": _day(until, tz, end=True)}


@get("/distribution/commissions")
async def commission_list(request: Request, status: FromQuery[CommissionStatus | None] = None, earner_id: OptId = None,
                          order_id: OptId = None, since: FromQuery[date | None] = None, until: FromQuery[date | None] = None,
                          offset: Offset = 0) -> Response:
    filters = _commission_filters(_runtime(request).tz, earner_id, order_id, status, since, until)
    listing = await reports.list_commissions(limit=PAGE, offset=offset, explain=True, **filters)
    names = await _names([c["earner_id"] for c in listing["items"]] + [c["buyer_id"] for c in listing["items"]])
    return render(request, "distribution/console/commissions.html", items=listing["items"], has_more=listing["has_more"],
                  offset=offset, names=names, statuses=[s.value for s in CommissionStatus],
                  f={"status": str(status or ""), "earner_id": earner_id or "", "order_id": order_id or "",
                     "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""},
                  query=request.url.query)


@get("/distribution/commissions.csv")
async def commission_export(request: Request, status: FromQuery[CommissionStatus | None] = None, earner_id: OptId = None,
                            order_id: OptId = None, since: FromQuery[date | None] = None,
                            until: FromQuery[date | None] = None) -> Stream:
    rows = reports.csv_export(**_commission_filters(_runtime(request).tz, earner_id, order_id, status, since, until))
    return Stream(rows, media_type="text/csv; charset=utf-8",
                  headers={"Content-Disposition": 'attachment; filename="commissions.csv"'})


# --------------------------------------------------------------------------- withdrawals


@get("/distribution/withdrawals")
async def withdrawal_list(request: Request, status: FromQuery[WithdrawalStatus | None] = WithdrawalStatus.PENDING,
                          offset: Offset = 0) -> Response:
    listing = await withdrawals.list_withdrawals(status=status, limit=PAGE, offset=offset)
    return render(request, "distribution/console/withdrawals.html", items=listing["items"], has_more=listing["has_more"],
                  offset=offset, status=str(status or ""), statuses=[s.value for s in WithdrawalStatus],
                  names=await _names([w["member_id"] for w in listing["items"]]))


async def _decide(request: Request, withdrawal_id: int, approve: bool) -> Response:
    form = await request.form()
    reason = forms.text(form, "reason", max_length=200)
    runtime = _runtime(request)
    async with in_transaction():
        if approve:
            done = await withdrawals.approve(runtime, withdrawal_id, request.user.id)
        else:
            done = await withdrawals.reject(runtime, withdrawal_id, request.user.id, reason)
        await audit.record(request, f"distribution.withdrawal.{'approve' if approve else 'reject'}", "distribution_withdrawal",
                           withdrawal_id, before={"status": "pending"}, after=withdrawals.withdrawal_out(done))
    return _back("/distribution/withdrawals")


@post("/distribution/withdrawals/{withdrawal_id:int}/approve")
async def withdrawal_approve(request: Request, withdrawal_id: FromPath[int]) -> Response:
    return await _decide(request, withdrawal_id, True)


@post("/distribution/withdrawals/{withdrawal_id:int}/reject")
async def withdrawal_reject(request: Request, withdrawal_id: FromPath[int]) -> Response:
    return await _decide(request, withdrawal_id, False)


# --------------------------------------------------------------------------- leaderboard


@get("/distribution/leaderboard")
async def leaderboard(request: Request, days: Days = 30) -> Response:
    since = _runtime(request).now() - timedelta(days=days) if days else None
    rows = await reports.leaderboard(since=since, limit=50)
    return render(request, "distribution/console/leaderboard.html", rows=rows, days=days or "",
                  names=await _names([r["member_id"] for r in rows]))


def pages() -> list[ConsolePage]:
    section = "distribution"
    return [
        ConsolePage(section, "Distribution settings", "/distribution/settings", MANAGE,
                    (settings_view, grade_create, grade_edit, grade_update), 10),
        ConsolePage(section, "Commission rates", "/distribution/rates", MANAGE, (rates_view, rates_set, rates_delete), 15),
        ConsolePage(section, "Distributor applications", "/distribution/applications", MANAGE,
                    (application_list, application_approve, application_reject), 20),
        ConsolePage(section, "Distributors", "/distribution/distributors", MANAGE, (distributor_list, distributor_update), 30),
        ConsolePage(section, "Referral tree", "/distribution/tree", MANAGE, (tree_view, upline_change), 40),
        ConsolePage(section, "Commissions", "/distribution/commissions", FINANCE, (commission_list, commission_export), 50),
        ConsolePage(section, "Withdrawals", "/distribution/withdrawals", FINANCE,
                    (withdrawal_list, withdrawal_approve, withdrawal_reject), 60),
        ConsolePage(section, "Distribution leaderboard", "/distribution/leaderboard", MANAGE, (leaderboard,), 70),
    ]
