"""A minimal storefront: home listing and product page, with plugin slots.

Enough for ``qunshang demo`` to show a shop; themes build on the same templates.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from litestar.response import Redirect
from typing_extensions import Annotated

from ..catalog import service as catalog
from ..runtime import Runtime
from .locale import COOKIE as LANG_COOKIE, request_locale
from .templates import current_locale, current_translations, slot_markup


async def render(request: Request, runtime: Runtime, template: str, context: dict[str, Any], slots: tuple[str, ...]) -> Response:
    locale = request_locale(request)
    token = current_locale.set(locale)
    translations = current_translations.set(runtime.translations(locale))
    try:
        filled = {}
        for name in ("head", "nav", "body_end", *slots):
            parts = await runtime.call("storefront_slot", name=name, request=request, context=context)
            filled[name] = slot_markup(parts)
        env = runtime.state["templates"]
        html = env.get_template(template).render(
            **context, slots=filled, request=request, member=request.user, locale=locale,
            csrf_token=request.scope.get("_csrf_token", ""),
        )
    finally:
        current_locale.reset(token)
        current_translations.reset(translations)
    return Response(html, media_type="text/html")


@get("/", name="storefront:home", include_in_schema=False)
async def home(
    request: Request, runtime: NamedDependency[Runtime],
    page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
) -> Response:
    listing = await catalog.list_products(runtime, request.user, limit=24, offset=(page - 1) * 24)
    return await render(request, runtime, "core/home.html", {"listing": listing, "page": page}, ("home.sections",))


@get("/p/{product_id:int}", name="storefront:product", include_in_schema=False)
async def product(request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> Response:
    item = await catalog.get_product(runtime, product_id, request.user)
    return await render(request, runtime, "core/product.html", {"product": item}, ("product.after_price", "product.below"))


@get("/lang/{code:str}", name="storefront:language", include_in_schema=False)
async def switch_language(request: Request, code: FromPath[str]) -> Redirect:
    target = request.headers.get("referer") or "/"
    if not target.startswith(str(request.base_url)):
        target = "/"
    response = Redirect(target)
    if code in ("zh_CN", "en"):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
    return response


ROUTES = [home, product, switch_language]
