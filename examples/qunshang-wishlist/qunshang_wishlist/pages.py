"""The wishlist on the storefront: a button in the ``product.after_price`` slot, its stylesheet
in ``head``, and the form the button posts to."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from markupsafe import Markup

from qunshang import QunshangError
from qunshang.runtime import Runtime
from qunshang.web.storefront import page_error, render_fragment
from qunshang.web.storefront.render import member_or_login

from . import service
from .models import WishlistItem


async def slot(runtime: Runtime, name: str, request: Request, context: dict) -> Markup | None:
    if name == "head":
        href = runtime.state["assets"].url("wishlist:wishlist.css")
        return Markup('<link rel="stylesheet" href="{}">').format(href)
    if name == "product.after_price":
        product_id = context["product"]["id"]
        member = request.user
        wished = member is not None and await WishlistItem.exists(member_id=member.id, product_id=product_id)
        return render_fragment(request, "wishlist/button.html", product_id=product_id, wished=wished)
    return None


@post("/wishlist/{product_id:int}", name="wishlist:add-page", include_in_schema=False,
      exception_handlers={QunshangError: page_error})
async def add_from_page(request: Request, runtime: NamedDependency[Runtime], product_id: FromPath[int]) -> Response:
    """The button's form: add, then back to the product page (errors show as storefront pages)."""
    await service.add(runtime, member_or_login(request), product_id)
    return Redirect(f"/p/{product_id}", status_code=303)
