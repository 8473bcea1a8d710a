"""The console's own Jinja2 environment (not themed): autoescaped, gettext from the runtime's
catalogs, a ``money`` filter. :func:`render` builds a page with the layout's context."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from litestar import Request, Response
from litestar.utils.scope.state import ScopeState

from .. import localtime
from ..money import format_amount
from ..web.templates import PageEnvironment, plugin_template_dirs, request_language
from .access import allows, request_grants

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static" / "console"
SECTIONS = ("dashboard", "catalog", "orders", "members", "groups", "ledger", "plugins", "audit")
_ENV = "console.templates"


def environment(runtime: Any) -> Environment:
    """Built once per runtime: console templates, then each enabled plugin's ``templates/``."""
    env = runtime.state.get(_ENV)
    if env is None:
        env = PageEnvironment(loader=FileSystemLoader([str(TEMPLATES), *map(str, plugin_template_dirs(runtime))]),
                              translations=runtime.translations)
        env.filters["money"] = lambda amount, currency="CNY", locale="zh_CN": format_amount(int(amount or 0), currency, locale)
        env.filters.update(localtime.template_filters(runtime.tz))
        env.filters["pager_query"] = lambda params, offset: urlencode(
            [(k, v) for k, v in params.multi_items() if k != "offset"] + [("offset", max(offset, 0))])
        runtime.state[_ENV] = env
    return env


def navigation(request: Request) -> list[dict[str, Any]]:
    """Sections with the entries the viewer's roles permit, in a stable order."""
    grants = request_grants(request)
    pages = request.app.state.runtime.state.get("console.pages", ())
    sections: dict[str, list[Any]] = {}
    for page in pages:
        if allows(grants, page.permission):
            sections.setdefault(page.section, []).append(page)
    order = {name: i for i, name in enumerate(SECTIONS)}
    return [
        {"name": name, "pages": sorted(entries, key=lambda p: (p.position, p.title))}
        for name, entries in sorted(sections.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    ]


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    runtime = request.app.state.runtime
    env = environment(runtime)
    flashes = (request.session or {}).get("console_flash") if request.scope.get("session") else None
    if flashes:
        request.set_session({k: v for k, v in request.session.items() if k != "console_flash"})
    with request_language(request, runtime) as locale:
        html = env.get_template(template).render(
            request=request, user=request.user, locale=locale, csrf_token=ScopeState.from_scope(request.scope).csrf_token,
            nav=navigation(request) if request.user else [], path=request.url.path, flashes=flashes or [],
            grants=request_grants(request), can=lambda name: allows(request_grants(request), name), **context,
        )
    return Response(html, status_code=status_code, media_type="text/html; charset=utf-8")


def flash(request: Request, message: str, kind: str = "ok") -> None:
    session = dict(request.session or {})
    session["console_flash"] = [*session.get("console_flash", []), {"kind": kind, "message": message}]
    request.set_session(session)
