"""Fails at import, as a plugin with a missing dependency does."""

import qunshang_missing_dependency  # noqa: F401

from qunshang import PluginMeta

plugin = PluginMeta(id="broken", title="Broken", version="1.0")
