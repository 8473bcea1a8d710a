"""群商 Qunshang: a plugin-based framework for community commerce.

The public API for plugin authors: ``hookimpl`` to implement hooks, ``PluginMeta`` to declare a
plugin, the typed errors, and the money helpers. Domain services live in
``qunshang.<domain>.service``.
"""

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    Conflict,
    InvalidInput,
    InvalidState,
    NotFound,
    PermissionDenied,
    QunshangError,
)
from .hookspecs import hookimpl  # noqa: E402
from .plugin_manager import PluginMeta  # noqa: E402

__all__ = [
    "__version__",
    "hookimpl",
    "PluginMeta",
    "QunshangError",
    "InvalidInput",
    "InvalidState",
    "NotFound",
    "Conflict",
    "PermissionDenied",
]
