"""The wishlist's hook implementations (re-exported by the package, which pluggy registers)."""

from qunshang import hookimpl

from .api import WishlistController
from .pages import add_from_page, slot
from .service import remove_bought


@hookimpl
def register_models():
    return {"wishlist": "qunshang_wishlist.models"}


@hookimpl
def register_routes():
    return [WishlistController, add_from_page]


@hookimpl
async def storefront_slot(runtime, name, request, context):
    """A "♡ add to wishlist" button under the product's price (and its stylesheet in ``head``)."""
    return await slot(runtime, name, request, context)


@hookimpl
async def order_paid(runtime, order):
    """Bought products leave the buyer's list, in the payment's transaction: if the payment rolls
    back, the list is as it was."""
    if runtime.settings("wishlist").remove_when_bought:
        await remove_bought(order)
