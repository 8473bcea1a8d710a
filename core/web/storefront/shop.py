"""Browsing: home, category and search listings, product pages, the language switch."""

from __future__ import annotations

import time
from typing import Any, Literal

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from typing_extensions import Annotated

from ...catalog import service as catalog
from ...catalog.models import Category
from ...members import service as members
from ...runtime import Runtime
from ..locale import COOKIE as LANG_COOKIE
from .render import render, safe_next, see_other

Page = Annotated[int, Parameter(ge=1, le=1000)]
Sort = Annotated[Literal["default", "newest", "price_asc", "price_desc"], Parameter()]
SearchText = Annotated[str, Parameter(max_length=100)]
CATEGORIES_TTL = 60.0  # seconds: the category bar is read from process memory, not per request
#: anonymous visitors get these pages from the page cache (qunshang.web.pagecache)
CACHED = {"page_cache": True}


async def categories(runtime: Runtime) -> list[dict[str, Any]]:
    """The category bar, kept for ``CATEGORIES_TTL`` or until the page cache sees a newer
    catalog revision (so a page cached for visitors never shows an older bar than its own)."""
    seen = runtime.state["page_cache"].seen
    cached = runtime.state.get("storefront.categories")
    if cached and cached[0] > time.monotonic() and cached[1] == seen:
        return cached[2]
    rows = await Category.filter(parent_id=None).order_by("position", "id").values("id", "name", "slug")
    runtime.state["storefront.categories"] = (time.monotonic() + CATEGORIES_TTL, seen, rows)
    return rows


async def _listing(request: Request, runtime: Runtime, *, page: int, sort: str, **filters: Any) -> dict[str, Any]:
    per_page = runtime.state["theme"].settings.products_per_page
    listing = await catalog.list_products(
        runtime, request.user, limit=per_page, offset=(page - 1) * per_page, sort=sort, **filters
    )
    return {"listing": listing, "page": page, "sort": sort}


@get("/", name="storefront:home", include_in_schema=False, opt=CACHED)
async def home(request: Request, runtime: NamedDependency[Runtime], page: Page = 1) -> Response:
    context = await _listing(request, runtime, page=page, sort="default")
    context["sections"] = runtime.state["theme"].settings.home_sections
    if "categories" in context["sections"]:
        context["categories"] = await categories(runtime)
    return await render(request, runtime, "core/home.html", context, ("home.sections",))


@get("/c/{slug:str}", name="storefront:category", include_in_schema=False, opt=CACHED)
async def category(
    request: Request, runtime: NamedDependency[Runtime], slug: FromPath[str], page: Page = 1, sort: Sort = "default"
) -> Response:
    known = {c["slug"]: c for c in await categories(runtime)}
    context = await _listing(request, runtime, page=page, sort=sort, category=slug)
    context |= {"category": known.get(slug, {"slug": slug, "name": slug}), "categories": list(known.values())}
    return await render(request, runtime, "core/listing.html", context)


@get("/search", name="storefront:search", include_in_schema=False, opt=CACHED)
async def search(
    request: Request, runtime: NamedDependency[Runtime], q: SearchText = "", page: Page = 1, sort: Sort = "default"
) -> Response:
    q = q.strip()
    context = await _listing(request, runtime, page=page, sort=sort, q=q or None)
    context |= {"q": q, "categories": await categories(runtime)}
    return await render(request, runtime, "core/listing.html", context)


@get("/p/{product_id:int}", name="storefront:product", include_in_schema=False)
async def product(request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> Response:
    item = await catalog.get_product(runtime, product_id, request.user)
    return await render(request, runtime, "core/product.html", {"product": item}, ("product.after_price", "product.below"))


@get("/lang/{code:str}", name="storefront:language", include_in_schema=False)
async def switch_language(request: Request, code: FromPath[str], next: Annotated[str, Parameter(max_length=500)] = "/") -> Response:
    """Remember the language in a cookie and, for a member, as their preference."""
    response = see_other(safe_next(next))
    if code in members.LOCALES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
        if request.user is not None and request.user.locale != code:
            await members.update_profile(request.user, locale=code)
    return response


ROUTES = [home, category, search, product, switch_language]
