"""直播带货 Livestream: live rooms, real-time interaction, live flash sales and replays.

A host goes live on an external platform; Qunshang is where the live *commerce* happens: the
room page viewers open from a shared link (player, pinned product, shelf, comments, likes,
viewer count, group QR card, personal share link), the host's workbench in the console, live
flash sales reserved from the SKU's stock, and the public-to-private funnel. Events reach
viewers as server-sent events through Litestar channels (Redis when ``[redis] url`` is set).
See ``docs/plugins/livestream.md``.

    [plugins]
    enabled = ["livestream"]

    [plugins.livestream]
    comment_max_length = 200
"""

from qunshang import PluginMeta

from .settings import Settings

plugin = PluginMeta(
    id="livestream",
    title="直播带货 Livestream",
    version="0.1.0",
    description="Live rooms, pushed products, live comments, live flash sales, replays and the public-to-private funnel.",
    settings=Settings,
)

# pluggy registers this module: the hook implementations must be attributes of it.
from .hooks import (  # noqa: E402
    console_pages,
    member_registered,
    nav_items,
    order_cancelled,
    order_paid,
    order_placed,
    order_validate,
    price_adjustments,
    register_jobs,
    register_models,
    register_permissions,
    register_routes,
    seed_demo,
    shutdown,
    startup,
    storefront_slot,
)

__all__ = [
    "plugin", "Settings", "console_pages", "member_registered", "nav_items", "order_cancelled", "order_paid",
    "order_placed", "order_validate", "price_adjustments", "register_jobs", "register_models", "register_permissions",
    "register_routes", "seed_demo", "shutdown", "startup", "storefront_slot",
]
