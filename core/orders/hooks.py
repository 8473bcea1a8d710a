"""The orders part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"orders": "qunshang.orders.models"}
