"""First-party plugins. Each is registered through the ``qunshang.plugins`` entry point group,
exactly like a third-party plugin, and enabled per deployment in ``qunshang.toml``."""
