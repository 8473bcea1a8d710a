"""Members on the storefront: register, login, logout, the member centre and their orders."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from typing_extensions import Annotated

from ...errors import QunshangError
from ...groups import service as groups
from ...members import service as members
from ...members.api import client_ip, login_store, start_session
from ...orders import service as orders
from ...payments import service as payments
from ...runtime import Runtime
from .render import ARRIVAL, error_text, member_or_login, remember_arrival, render, safe_next, see_other
from .shop import Page

Next = Annotated[str, Parameter(max_length=500)]


def _arrival(request: Request) -> dict[str, str]:
    return dict((request.scope.get("session") or {}).get(ARRIVAL) or {})


async def _auth_page(request: Request, runtime: Runtime, template: str, form: dict[str, str], error: str = "",
                     status_code: int = 200) -> Response:
    context = {"form": form, "error": error, "next": safe_next(form.get("next"), "/me"), "arrival": _arrival(request)}
    return await render(request, runtime, template, context, status_code=status_code)


@get("/register", name="storefront:register", include_in_schema=False)
async def register_page(request: Request, runtime: NamedDependency[Runtime], next: Next = "/me",
                        invite: Annotated[str, Parameter(max_length=64)] = "") -> Response:
    remember_arrival(request, invite_code=invite or None)
    return await _auth_page(request, runtime, "core/register.html", {"next": next, "login": "", "display_name": ""})


@post("/register", name="storefront:register-submit", include_in_schema=False)
async def register(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:500] for k in ("login", "display_name", "next")}
    arrival = _arrival(request)
    context = {"source": "direct", **arrival}
    try:
        member = await members.register(
            runtime, login=form["login"], password=str(raw.get("password", ""))[:1024],
            display_name=form["display_name"], locale=None, context=context,
        )
    except QunshangError as exc:
        return await _auth_page(request, runtime, "core/register.html", form, error_text(request, runtime, exc), 400)
    start_session(request, member)
    request.set_session({k: v for k, v in request.session.items() if k != ARRIVAL})
    return see_other(safe_next(form["next"], "/me"))


@get("/login", name="storefront:login", include_in_schema=False)
async def login_page(request: Request, runtime: NamedDependency[Runtime], next: Next = "/me") -> Response:
    return await _auth_page(request, runtime, "core/login.html", {"next": next, "login": ""})


@post("/login", name="storefront:login-submit", include_in_schema=False)
async def login(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:500] for k in ("login", "next")}
    try:
        member = await members.authenticate(
            runtime, login_store(request), form["login"], str(raw.get("password", ""))[:1024], client_ip(request)
        )
    except QunshangError as exc:
        response = await _auth_page(request, runtime, "core/login.html", form, error_text(request, runtime, exc),
                                    exc.status_code)
        response.headers.update(exc.headers)
        return response
    start_session(request, member)
    return see_other(safe_next(form["next"], "/me"))


@post("/logout", name="storefront:logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    request.clear_session()
    return see_other("/")


async def _me_page(request: Request, runtime: Runtime, form: dict[str, str], error: str = "", saved: bool = False,
                   status_code: int = 200) -> Response:
    member = member_or_login(request)
    context = {
        "form": form, "error": error, "saved": saved,
        "orders": (await orders.list_orders(member_id=member.id, limit=5))["items"],
        "groups": await groups.my_groups(member),
    }
    return await render(request, runtime, "core/me.html", context, ("member.dashboard",), status_code=status_code)


@get("/me", name="storefront:me", include_in_schema=False)
async def me(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member = member_or_login(request)
    form = {"display_name": member.display_name, "locale": member.locale or ""}
    return await _me_page(request, runtime, form, saved=request.query_params.get("saved") == "1")


@post("/me", name="storefront:me-save", include_in_schema=False)
async def save_profile(request: Request, runtime: NamedDependency[Runtime]) -> Response:
    member = member_or_login(request)
    raw = await request.form()
    form = {k: str(raw.get(k, ""))[:500] for k in ("display_name", "locale")}
    try:
        await members.update_profile(member, display_name=form["display_name"], locale=form["locale"] or None)
    except QunshangError as exc:
        return await _me_page(request, runtime, form, error_text(request, runtime, exc), status_code=400)
    return see_other("/me?saved=1")


@get("/orders", name="storefront:orders", include_in_schema=False)
async def order_list(request: Request, runtime: NamedDependency[Runtime], page: Page = 1) -> Response:
    member = member_or_login(request)
    listing = await orders.list_orders(member_id=member.id, limit=20, offset=(page - 1) * 20)
    return await render(request, runtime, "core/orders.html", {"listing": listing, "page": page})


@get("/orders/{order_id:int}", name="storefront:order", include_in_schema=False)
async def order_page(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    order = await orders.order_detail(await orders.get_order(order_id, member.id))
    providers = [{"name": n, "title": p.title} for n, p in payments.offered(runtime).items()]
    return await render(request, runtime, "core/order.html", {"order": order, "providers": providers,
                                                               "paid_now": request.query_params.get("paid") == "1"})


@post("/orders/{order_id:int}/cancel", name="storefront:order-cancel", include_in_schema=False)
async def cancel_order(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    order = await orders.get_order(order_id, member.id)
    await orders.cancel(runtime, order.id, reason="buyer", actor_id=member.id)
    return see_other(f"/orders/{order.id}")


@post("/orders/{order_id:int}/receive", name="storefront:order-receive", include_in_schema=False)
async def receive_order(request: Request, runtime: NamedDependency[Runtime], order_id: FromPath[int]) -> Response:
    member = member_or_login(request)
    order = await orders.get_order(order_id, member.id)
    await orders.complete(runtime, order.id, actor_id=member.id, note="buyer")
    return see_other(f"/orders/{order.id}")


ROUTES = [register_page, register, login_page, login, logout, me, save_profile, order_list, order_page,
          cancel_order, receive_order]
