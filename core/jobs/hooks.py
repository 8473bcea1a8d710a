"""The jobs part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"jobs": "qunshang.jobs.models"}
