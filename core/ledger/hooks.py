"""The ledger part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"ledger": "qunshang.ledger.models"}
