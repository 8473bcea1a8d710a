"""Implements ``order_paid`` with an argument the hook does not have."""

from qunshang import PluginMeta, hookimpl

plugin = PluginMeta(id="wrong_args", title="Wrong arguments", version="1.0")


@hookimpl
async def order_paid(order, receipt):
    raise AssertionError("never called")
