"""The payments part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"payments": "qunshang.payments.models"}
