"""The ledger part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"ledger": "qunshang.ledger.models"}


@hookimpl
def register_routes():
    from .api import LedgerController

    return [LedgerController]


@hookimpl
def register_permissions():
    return {"owner": ["*"], "finance": ["ledger.*"]}
