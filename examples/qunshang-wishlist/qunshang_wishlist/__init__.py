"""心愿单 Wishlist: members keep products they want to buy later.

An example third-party plugin: copy this folder to start your own. Enable it in
``qunshang.toml``::

    [plugins]
    enabled = ["wishlist"]

    [plugins.wishlist]
    max_items = 50
"""

from qunshang import PluginMeta

from .settings import Settings

plugin = PluginMeta(
    id="wishlist",
    title="心愿单 Wishlist",
    version="0.1.0",
    description="Members keep a list of products to buy later; bought products leave the list.",
    settings=Settings,
)

# pluggy registers this module: the hook implementations must be attributes of it.
from .hooks import order_paid, register_models, register_routes, storefront_slot  # noqa: E402

__all__ = ["plugin", "Settings", "order_paid", "register_models", "register_routes", "storefront_slot"]
