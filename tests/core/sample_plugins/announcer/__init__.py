"""Declares a hook of its own (``hookspecs`` submodule) and calls it."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="announcer", title="Announcer", version="1.0")


@hookimpl
async def nav_items(runtime):
    channels = await runtime.call("announcer_channels")
    return [{"label": f"announce via {', '.join(channels)}", "url": "/announcer"}]
