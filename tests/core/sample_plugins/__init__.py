"""Small plugin modules for the plugin-manager tests, fed in as entry points.

Each records what was called in :data:`calls` (the tests clear it), so a test can tell which
implementations ran and in which order.
"""

from importlib.metadata import EntryPoint

from qunshang.plugin_manager import ENTRY_POINT_GROUP

calls: list[str] = []


def entry_point(name: str, module: str | None = None) -> EntryPoint:
    """An entry point ``name = tests.core.sample_plugins.<module or name>``."""
    return EntryPoint(name=name, value=f"{__name__}.{module or name}", group=ENTRY_POINT_GROUP)
