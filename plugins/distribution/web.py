"""Storefront pages of the distribution centre (``/distribution``): become a distributor or
apply, the share link, QR code and PNG poster, the team, earnings with their explanations and
the withdrawal form. Server-rendered, the signed-in member's own data only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import HTTPException
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from qunshang.errors import NotFound, QunshangError
from qunshang.money import format_amount
from qunshang.runtime import Runtime
from qunshang.web.locale import request_locale
from qunshang.web.storefront import page_error
from qunshang.web.storefront.render import error_text, member_or_login, render, see_other

from .errors import BadAmount, NotADistributor
from .models import Application, Commission, Grade
from .service import distributors, poster, reports, share, team, withdrawals

PAGE = 20
Page = Annotated[int, Parameter(ge=1, le=1000)]
OptProduct = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]


def parse_yuan(raw: str) -> int:
    """``"12.5"`` → 1250 fen, exactly; anything else is :class:`BadAmount`."""
    try:
        amount = Decimal(raw.strip().replace(",", "").lstrip("¥"))
    except InvalidOperation:
        raise BadAmount() from None
    fen = amount * 100
    if not amount.is_finite() or fen != fen.to_integral_value() or not 0 < fen <= 10**10:
        raise BadAmount()
    return int(fen)


def exact_yuan(exact_fen: str) -> str:
    """The unrounded amount stored in fen (``"3412.5000"``) in yuan, at least to the fen (``"34.125"``)."""
    text = f"{Decimal(exact_fen) / 100:.6f}".rstrip("0")
    whole, _, cents = text.partition(".")
    return f"{whole}.{cents.ljust(2, '0')}"


def _readable(explanation: dict[str, Any]) -> dict[str, Any]:
    return {**explanation, "exact_yuan": exact_yuan(explanation.get("exact") or "0")}


async def _status(runtime: Runtime, member_id: int) -> dict[str, Any]:
    """The member's distributor row (with grade name), latest application and balances."""
    row = await distributors.get(member_id)
    grade = await Grade.get_or_none(id=row.grade_id) if row and row.grade_id else None
    application = await Application.filter(member_id=member_id).order_by("-id").first()
    settings = runtime.settings("distribution")
    return {
        "settings": settings, "distributor": row, "grade": grade, "application": application,
        "balances": await withdrawals.balances(member_id),
        "spend": await distributors.paid_spend(member_id) if settings.mode == "spend_threshold" and row is None else None,
    }


async def _centre(request: Request, runtime: Runtime, error: str = "", status_code: int = 200) -> Response:
    member = member_or_login(request)
    context = await _status(runtime, member.id) | {"error": error, "done": request.query_params.get("done") == "1"}
    return await render(request, runtime, "distribution/centre.html", context, status_code=status_code)


@get("/distribution", name="distribution:centre", include_in_schema=False)
async def centre(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    return await _centre(request, runtime)


@post("/distribution/become", name="distribution:become", include_in_schema=False)
async def become(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member = member_or_login(request)
    try:
        await distributors.become(runtime, member)
    except QunshangError as exc:
        return await _centre(request, runtime, error_text(request, runtime, exc), exc.status_code)
    return see_other("/distribution?done=1")


@get("/distribution/share", name="distribution:share", include_in_schema=False)
async def share_page(request: Request, runtime: NamedDependency[Runtime], product_id: OptProduct = None) -> Response:
    member = member_or_login(request)
    try:
        link = await share.share_link(runtime, member.id, product_id)
    except NotADistributor as exc:
        return await _centre(request, runtime, error_text(request, runtime, exc), exc.status_code)
    query = f"?product_id={product_id}" if product_id else ""
    return await render(request, runtime, "distribution/share.html", {**link, "query": query})


@get("/distribution/poster.png", name="distribution:poster", include_in_schema=False)
async def poster_png(request: Request, runtime: NamedDependency[Runtime], product_id: OptProduct = None) -> Response:
    member = member_or_login(request)
    link = await share.share_link(runtime, member.id, product_id)
    gettext = runtime.translations(request_locale(request)).gettext
    product = link["product"]
    png = poster.render_png(
        brand=runtime.config.app.name, link=link["link"], caption=gettext("Scan to visit the shop"),
        title=product["title"] if product else None,
        price=format_amount(product["price"], "CNY", request_locale(request)) if product else None,
        accent=runtime.state["theme"].settings.primary_color,
    )
    return Response(png, media_type="image/png", headers={
        "Cache-Control": "private, max-age=3600", "Content-Disposition": 'inline; filename="poster.png"'})


@get("/distribution/team", name="distribution:team", include_in_schema=False)
async def team_page(request: Request, runtime: NamedDependency[Runtime], page: Page = 1) -> Response:
    member = member_or_login(request)
    now = team.cutoff(runtime)
    context = {
        "summary": await team.summary(member.id, now=now),
        "direct": await team.direct_members(member.id, limit=PAGE, offset=(page - 1) * PAGE, now=now),
        "page": page,
    }
    return await render(request, runtime, "distribution/team.html", context)


async def _earnings(request: Request, runtime: Runtime, page: int, form: dict[str, str], error: str = "",
                    status_code: int = 200) -> Response:
    member = member_or_login(request)
    settings = runtime.settings("distribution")
    commissions = await reports.list_commissions(earner_id=member.id, explain=True, limit=PAGE, offset=(page - 1) * PAGE)
    for item in commissions["items"]:
        item["explanation"] = _readable(item["explanation"])
    context = {
        "balances": await withdrawals.balances(member.id),
        "commissions": commissions,
        "withdrawals": (await withdrawals.list_withdrawals(member_id=member.id, limit=5))["items"],
        "settings": settings, "page": page, "form": form, "error": error,
        "requested": request.query_params.get("requested") == "1",
    }
    return await render(request, runtime, "distribution/earnings.html", context, status_code=status_code)


@get("/distribution/earnings", name="distribution:earnings", include_in_schema=False)
async def earnings(request: Request, runtime: NamedDependency[Runtime], page: Page = 1) -> Response:
    return await _earnings(request, runtime, page, {"amount": ""})


@get("/distribution/earnings/{commission_id:int}", name="distribution:commission", include_in_schema=False)
async def commission(request: Request, runtime: NamedDependency[Runtime], commission_id: FromPath[int]) -> Response:
    """One commission and why it is what it is; someone else's is not found."""
    member = member_or_login(request)
    row = await Commission.get_or_none(id=commission_id, earner_id=member.id)
    if row is None:
        raise NotFound()
    return await render(request, runtime, "distribution/commission.html", {"c": row, "why": _readable(row.explanation)})


@post("/distribution/withdraw", name="distribution:withdraw", include_in_schema=False)
async def withdraw(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member = member_or_login(request)
    raw = await request.form()
    form = {"amount": str(raw.get("amount", ""))[:32]}
    try:
        await withdrawals.request(runtime, member.id, parse_yuan(form["amount"]))
    except QunshangError as exc:
        return await _earnings(request, runtime, 1, form, error_text(request, runtime, exc), exc.status_code)
    return see_other("/distribution/earnings?requested=1")


#: the pages, with the storefront's HTML error pages (anonymous visitors go to the login page)
router = Router(
    path="/", route_handlers=[centre, become, share_page, poster_png, team_page, earnings, commission, withdraw],
    exception_handlers={QunshangError: page_error, HTTPException: page_error}, include_in_schema=False,
)
