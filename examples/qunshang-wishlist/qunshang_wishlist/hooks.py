"""The wishlist's hook implementations (re-exported by the package, which pluggy registers)."""

from qunshang import hookimpl

from .api import WishlistController
from .service import remove_bought


@hookimpl
def register_models():
    return {"wishlist": "qunshang_wishlist.models"}


@hookimpl
def register_routes():
    return [WishlistController]


@hookimpl
async def order_paid(runtime, order):
    """Bought products leave the buyer's list, in the payment's transaction: if the payment rolls
    back, the list is as it was."""
    if runtime.settings("wishlist").remove_when_bought:
        await remove_bought(order)
