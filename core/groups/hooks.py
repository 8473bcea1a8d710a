"""The groups part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"groups": "qunshang.groups.models"}
