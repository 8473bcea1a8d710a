"""A pluggy hook wrapper, which ``Runtime.call`` cannot honour."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="wrapper", title="Wrapper", version="1.0")


@hookimpl(wrapper=True)
def nav_items():
    return (yield)
