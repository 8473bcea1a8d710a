"""The console router: one guard for every route, errors rendered as console pages, and the
pages every deployment has (sign-in, language, dashboard)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from ..errors import InvalidInput, NotAuthenticated, PermissionDenied, QunshangError
from ..members import service as members
from ..members.api import client_ip, login_store, start_session
from ..web.locale import COOKIE as LANG_COOKIE, gettext_for
from . import audit, dashboard, forms
from .access import PUBLIC, STAFF, allows, console_guard, grants_of
from .pages import ConsolePage
from .templates import STATIC, flash, render

LOCALES = ("zh_CN", "en")


def _next(target: str | None) -> str:
    return target if target and target.startswith("/console") and not target.startswith("//") else "/console"


@get("/login", opt={"permission": PUBLIC}, include_in_schema=False)
async def login_form(request: Request) -> Response:
    if request.user is not None and allows(await grants_of(request.app.state.runtime, request.user.id), STAFF):
        return Redirect(_next(request.query_params.get("next")))
    return render(request, "console/login.html", next=_next(request.query_params.get("next")), error=None)


@post("/login", opt={"permission": PUBLIC}, include_in_schema=False)
async def login(request: Request) -> Response:
    runtime = request.app.state.runtime
    form = await request.form()
    target = _next(form.get("next"))
    try:
        member = await members.authenticate(
            runtime, login_store(request), forms.text(form, "login", max_length=256),
            forms.text(form, "password", max_length=256), client_ip(request),
        )
    except QunshangError as exc:
        message = exc.render(gettext_for(request))
        return render(request, "console/login.html", status_code=exc.status_code, next=target, error=message)
    if not allows(await grants_of(runtime, member.id), STAFF):
        message = gettext_for(request)("This account has no access to the console.")
        return render(request, "console/login.html", status_code=403, next=target, error=message)
    start_session(request, member)
    return Redirect(target, status_code=303)


@post("/logout", opt={"permission": STAFF}, include_in_schema=False)
async def logout(request: Request) -> Response:
    request.clear_session()
    return Redirect("/console/login", status_code=303)


@post("/lang", opt={"permission": PUBLIC}, include_in_schema=False)
async def switch_language(request: Request) -> Response:
    form = await request.form()
    locale = form.get("locale")
    if locale not in LOCALES:
        raise InvalidInput(detail="locale must be zh_CN or en")
    if request.user is not None:
        before = request.user.locale
        await members.update_profile(request.user, locale=locale)
        await audit.record(request, "member.locale", "member", request.user.id, before={"locale": before}, after={"locale": locale})
    response = Redirect(_next(form.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@get("/", opt={"permission": STAFF}, include_in_schema=False)
async def home(request: Request) -> Response:
    runtime = request.app.state.runtime
    return render(request, "console/dashboard.html", **await dashboard.view(runtime, request))


# --------------------------------------------------------------------------- errors


def _not_authenticated(request: Request, exc: Exception) -> Response:
    return Redirect(f"/console/login?next={quote(request.url.path)}", status_code=303)


def _domain_error(request: Request, exc: QunshangError) -> Response:
    message = exc.render(gettext_for(request))
    referer = request.headers.get("referer", "")
    back = referer.split(str(request.base_url).rstrip("/"), 1)[-1] if referer else ""
    if request.method == "POST" and not isinstance(exc, PermissionDenied) and back.startswith("/console"):
        flash(request, message, "error")
        return Redirect(back, status_code=303)
    return render(request, "console/error.html", status_code=exc.status_code, message=message)


def _http_error(request: Request, exc: HTTPException) -> Response:
    _ = gettext_for(request)
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        message = _("The form expired or was sent from another site. Please reload and try again.")
    elif exc.status_code == 404:
        message = _("Not found.")
    elif exc.status_code >= 500:
        message = _("Something went wrong on our side.")
    else:
        message = _("The request is not valid: {detail}").format(detail=exc.detail)
    return render(request, "console/error.html", status_code=exc.status_code, message=message)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotAuthenticated: _not_authenticated,
    QunshangError: _domain_error,
    HTTPException: _http_error,
}


def build_router(pages: list[ConsolePage]) -> Router:
    """Mount every page's handlers under ``/console``; each gets its page's permission unless it
    declares its own."""
    handlers: list[Any] = [login_form, login, logout, switch_language, home]
    for page in pages:
        for handler in page.handlers:
            handler.opt.setdefault("permission", page.permission)
            handlers.append(handler)
    return Router(
        path="/console", route_handlers=handlers, guards=[console_guard],
        exception_handlers=EXCEPTION_HANDLERS, include_in_schema=False,
    )


def static_router() -> Any:
    return create_static_files_router(
        path="/static/console", directories=[STATIC], name="console-static", include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600, public=True),
    )
