"""The catalog's part of the core, registered as a plugin."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"catalog": "qunshang.catalog.models"}


@hookimpl
def register_routes():
    from .api import CatalogController

    return [CatalogController]


@hookimpl
def register_permissions():
    return {
        "owner": ["*"],
        "operator": ["catalog.*"],
        "host": ["catalog.view"],
    }
