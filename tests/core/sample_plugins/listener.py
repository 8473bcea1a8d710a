"""Implements a hook that the announcer plugin declares."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="listener", title="Listener", version="1.0")


@hookimpl
def announcer_channels():
    return "listener"
