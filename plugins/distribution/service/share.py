"""A distributor's share link and poster QR code (SVG), optionally for one product."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import segno

from qunshang.catalog.models import Product, ProductStatus
from qunshang.errors import NotFound

from ..errors import NotADistributor
from ..models import DistributorStatus
from . import distributors

if TYPE_CHECKING:
    from qunshang.runtime import Runtime


async def share_link(runtime: Runtime, member_id: int, product_id: int | None = None) -> dict[str, Any]:
    """``{code, link, product}`` of an active distributor (frozen and disabled ones may not
    share); in everyone mode the member's code is created on first use."""
    settings = runtime.settings("distribution")
    row = await distributors.get(member_id)
    if row is None and settings.mode == "everyone":
        row = await distributors.ensure(runtime, member_id, "everyone")
    if row is None or row.status != DistributorStatus.ACTIVE:
        raise NotADistributor()
    base = runtime.config.app.base_url.rstrip("/")
    product = None
    if product_id is not None:
        product = await Product.get_or_none(id=product_id, status=ProductStatus.PUBLISHED).values("id", "title", "price")
        if product is None:
            raise NotFound()
    path = f"/p/{product_id}" if product else "/"
    return {"code": row.code, "link": f"{base}{path}?{urlencode({'ref': row.code})}", "product": product}


def qr_svg(link: str, scale: int = 4) -> str:
    """The link as a standalone SVG QR code (segno, error correction M)."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="svg", scale=scale, xmldecl=False, title="QR")
    return out.getvalue().decode()
