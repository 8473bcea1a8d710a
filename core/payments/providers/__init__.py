"""The payment providers shipped with the core: ``offline`` and ``sandbox``."""
