"""Imports the core's ``hookspecs`` module by that name (to read hook kinds, say)."""

from qunshang import PluginMeta, hookspecs

plugin = PluginMeta(id="uses_core_specs", title="Uses core specs", version="1.0")


@hookspecs.hookimpl
def nav_items():
    return [{"label": hookspecs.PROJECT, "url": "/"}]
