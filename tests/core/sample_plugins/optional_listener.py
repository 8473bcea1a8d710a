"""Implements the announcer's hook only if the announcer is there."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="optional_listener", title="Optional listener", version="1.0")


@hookimpl(optionalhook=True)
async def announcer_channels():
    return "optional_listener"
