"""Implements ``order_payed``: a hook that does not exist."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="misspelled", title="Misspelled", version="1.0")


@hookimpl
async def order_payed(order):
    raise AssertionError("never called")
