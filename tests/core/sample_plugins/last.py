"""A fallback implementation: ``trylast`` runs after every other plugin, wherever it is enabled."""

from qunshang import PluginMeta, hookimpl

from . import calls

plugin = PluginMeta(id="last", title="Last", version="1.0")


@hookimpl(trylast=True)
async def nav_items():
    calls.append("last.nav_items")
    return [{"label": "last", "url": "/last"}]


@hookimpl(trylast=True)
def register_permissions():
    return {"last_role": ["last.view"]}
