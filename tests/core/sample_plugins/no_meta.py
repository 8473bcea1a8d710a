"""Implements a hook but never says who it is."""

from qunshang import hookimpl


@hookimpl
def nav_items():
    return [{"label": "anonymous", "url": "/"}]
