"""Rendering storefront pages: language, slots, CSRF token, inline form errors, redirects."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Redirect
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from ...errors import NotAuthenticated, QunshangError
from ...runtime import Runtime
from ..locale import request_locale
from ..templates import current_locale, request_language, slot_markup

#: filled on every page; a page adds its own (see docs/themes.md for the table)
LAYOUT_SLOTS = ("head", "nav", "body_end")
PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    # pages carry the visitor's CSRF token, cart and language: never stored by shared caches
    "cache-control": "private, no-cache",
    "vary": "Accept-Language, Cookie",
}


def csrf_token(request: Request) -> str:
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def translator(request: Request, runtime: Runtime):
    return runtime.translations(request_locale(request)).gettext


def error_text(request: Request, runtime: Runtime, exc: QunshangError) -> str:
    """A domain error in the visitor's language, for showing inline next to the form."""
    return exc.render(translator(request, runtime))


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go to after a form (never ``//host``, ``javascript:`` or a URL)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(ch) < 0x21 for ch in target):
        return default
    return target


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=303)


def member_or_login(request: Request):
    """The signed-in member; anonymous visitors are sent to the login page (see ``page_error``)."""
    if request.user is None:
        raise NotAuthenticated()
    return request.user


ARRIVAL = "arrival"
CODE_MAX = 64


def remember_arrival(request: Request, **codes: str | None) -> None:
    """Keep how a visitor arrived (``referral_code``, ``invite_code``, ``source``) in the session
    until they register: it becomes the ``member_registered`` context."""
    kept = {k: v[:CODE_MAX] for k, v in codes.items() if isinstance(v, str) and v.strip() and v.isprintable()}
    if not kept:
        return
    session = request.scope.get("session") or {}
    arrival = dict(session.get(ARRIVAL) or {})
    if {k: arrival.get(k) for k in kept} != kept:
        request.set_session({**session, ARRIVAL: {**arrival, **kept}})


def cart_size(request: Request) -> int:
    session = request.scope.get("session") or {}
    return sum((session.get("cart") or {}).values())


async def render(
    request: Request,
    runtime: Runtime,
    template: str,
    context: dict[str, Any],
    slots: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    """Render ``template`` in the request's language with its slots filled (each slot's hook
    is called once per request)."""
    if request.method == "GET" and (ref := request.query_params.get("ref")):
        remember_arrival(request, referral_code=ref, source=request.query_params.get("src") or "link")
    with request_language(request, runtime):
        filled: dict[str, Markup] = {}
        for name in (*LAYOUT_SLOTS, *slots):
            parts = await runtime.call("storefront_slot", name=name, request=request, context=context)
            filled[name] = slot_markup(parts)
        nav = [item for items in await runtime.call("nav_items", request=request) for item in items]
        return render_filled(request, runtime, template, context, filled, nav, status_code)


def page_globals(request: Request) -> dict[str, Any]:
    """What every page template (and a slot's fragment) may use besides its own context."""
    return {"request": request, "member": request.user, "locale": current_locale.get(),
            "csrf_token": csrf_token(request), "cart_size": cart_size(request), "path": request.url.path}


def render_fragment(request: Request, template: str, **context: Any) -> Markup:
    """Render a template for a ``storefront_slot`` impl, in the page's language, with the page
    globals (``member``, ``csrf_token``, ``locale``…). Autoescaped: the result is safe markup."""
    env = request.app.state.runtime.state["templates"]
    return Markup(env.get_template(template).render(**page_globals(request), **context))


def render_filled(
    request: Request, runtime: Runtime, template: str, context: dict[str, Any],
    slots: dict[str, Markup], nav: list[dict[str, str]], status_code: int = 200,
) -> Response:
    """Render with slots already filled (error pages, which cannot await hooks, pass none)."""
    with request_language(request, runtime):
        html = runtime.state["templates"].get_template(template).render(
            **context, **page_globals(request), slots=_EmptySlots(slots), nav_items=nav,
        )
    return Response(html, media_type="text/html", status_code=status_code, headers=PAGE_HEADERS)


class _EmptySlots(dict):
    """A slot nobody filled renders as nothing."""

    def __missing__(self, name: str) -> Markup:
        return Markup("")

    def __getattr__(self, name: str) -> Markup:
        return self[name]
