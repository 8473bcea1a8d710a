"""What the plugin adds to other pages: the earnings calculator under a product, the card in
the member centre and the navigation entry. Each costs a bounded number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from qunshang.web.locale import request_locale
from qunshang.web.storefront.render import render_fragment

from .models import Distributor, DistributorStatus
from .service import rules, withdrawals

if TYPE_CHECKING:
    from litestar import Request

    from qunshang.runtime import Runtime


async def calculator(runtime: Runtime, request: Request, context: dict[str, Any]) -> Markup | None:
    """``product.below``, for signed-in members who earn or may become distributors (two
    queries: their distributor row, the product's overrides). Anonymous visitors get nothing,
    so the page stays the same for all of them (and cacheable)."""
    product = context.get("product")
    member = request.user
    if member is None or not product or not product.get("skus"):
        return None
    row = await Distributor.filter(member_id=member.id).first().values("status", "grade__rates_bp")
    mode = runtime.settings("distribution").mode
    if (row and row["status"] != DistributorStatus.ACTIVE) or (row is None and mode == "designated"):
        return None
    skus = [{"id": s["id"], "name": s["name"], "price": s["price"]} for s in product["skus"]]
    calc = await rules.calculate(runtime, product["id"], skus, tuple((row or {}).get("grade__rates_bp") or ()))
    return render_fragment(request, "distribution/_calculator.html", calc=calc)


async def dashboard(request: Request) -> Markup | None:
    """``member.dashboard``: balances and links for distributors, an invitation for others."""
    member = request.user
    if member is None:
        return None
    row = await Distributor.get_or_none(member_id=member.id)
    balances = await withdrawals.balances(member.id) if row else None
    return render_fragment(request, "distribution/_dashboard.html", distributor=row, balances=balances)


def nav(runtime: Runtime, request: Request) -> list[dict[str, str]]:
    """The distribution centre in the storefront menu, for signed-in members."""
    if request.user is None:
        return []
    gettext = runtime.translations(request_locale(request)).gettext
    return [{"label": gettext("Distribution centre"), "url": "/distribution"}]
