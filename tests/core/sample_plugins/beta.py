"""A plugin without settings whose query hook is a plain ``def``."""

from qunshang import PluginMeta, hookimpl

from . import calls

plugin = PluginMeta(id="beta", title="Beta", version="1.0")


@hookimpl
def nav_items():
    calls.append("beta.nav_items")
    return [{"label": "beta", "url": "/beta"}]
