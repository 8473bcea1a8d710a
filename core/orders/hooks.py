"""The orders part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"orders": "qunshang.orders.models"}


@hookimpl
def register_routes():
    from .api import OrderController

    return [OrderController]


@hookimpl
def register_jobs():
    from .jobs import JOBS

    return JOBS


@hookimpl
def register_permissions():
    return {
        "owner": ["*"],
        "operator": ["orders.*"],
        "finance": ["orders.view", "orders.refund", "orders.confirm_payment"],
    }
