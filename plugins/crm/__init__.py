"""拓客 CRM: salespeople's invite links, customer ownership and assignment, follow-ups, tags,
lifecycle stages, dormant customers and staff performance. See ``docs/plugins/crm.md``.

    [plugins]
    enabled = ["crm"]

    [plugins.crm]
    strategy = "least_loaded"
    default_capacity = 500
    protection_days = 30
"""

from qunshang import PluginMeta

from .settings import Settings

plugin = PluginMeta(
    id="crm",
    title="拓客 CRM",
    version="0.1.0",
    description="Salespeople's invite links, customer ownership and assignment, follow-ups, tags, lifecycle and staff performance.",
    settings=Settings,
)

# pluggy registers this module: the hook implementations must be attributes of it.
from .hooks import (  # noqa: E402
    console_pages,
    group_member_joined,
    member_registered,
    order_paid,
    order_refunded,
    register_jobs,
    register_models,
    register_permissions,
    register_routes,
    seed_demo,
)

__all__ = [
    "plugin", "Settings", "console_pages", "group_member_joined", "member_registered", "order_paid", "order_refunded",
    "register_jobs", "register_models", "register_permissions", "register_routes", "seed_demo",
]
