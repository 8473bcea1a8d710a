"""分销 Distribution: referral binding, multi-level commissions, settlement and withdrawals.

The S2B2C engine: distributors share links and posters, members who arrive through them are
bound under them (锁粉), and every paid order pays the chain above the buyer — pending
until the after-sales window closes, then available to withdraw. All money moves through the
core ledger. See ``docs/plugins/distribution.md``.

    [plugins]
    enabled = ["distribution"]

    [plugins.distribution]
    levels = 2
    rates_bp = [2000, 1000]
"""

from qunshang import PluginMeta

from .settings import Settings

plugin = PluginMeta(
    id="distribution",
    title="分销 Distribution",
    version="0.1.0",
    description="Referral binding, multi-level commissions (capped at 3 levels), settlement and withdrawals.",
    settings=Settings,
)

# pluggy registers this module: the hook implementations must be attributes of it.
from .hooks import (  # noqa: E402
    after_sales_closed,
    console_pages,
    member_registered,
    member_share_code,
    nav_items,
    order_paid,
    order_refunded,
    register_jobs,
    register_models,
    register_permissions,
    register_routes,
    seed_demo,
    storefront_slot,
)

__all__ = [
    "plugin", "Settings", "after_sales_closed", "console_pages", "member_registered", "member_share_code", "nav_items",
    "order_paid", "order_refunded", "register_jobs", "register_models", "register_permissions", "register_routes",
    "seed_demo", "storefront_slot",
]
