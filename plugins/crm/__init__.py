"""拓客 CRM: salespeople, customer ownership, lead assignment, follow-ups and lifecycle."""

from qunshang import PluginMeta

plugin = PluginMeta(
    id="crm",
    title="拓客 CRM",
    version="0.1.0",
    description="Salespeople's invite links, customer ownership and assignment, follow-ups, tags, lifecycle and staff performance.",
)
