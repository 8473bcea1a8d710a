"""The payments part of the core, registered as a plugin: its routes and the core providers."""

from ..hookspecs import hookimpl


@hookimpl
def register_models():
    return {"payments": "qunshang.payments.models"}


@hookimpl
def register_routes():
    from .api import PaymentController

    return [PaymentController]


@hookimpl
def payment_providers():
    from .providers.offline import OfflineProvider
    from .providers.sandbox import SandboxProvider

    return [OfflineProvider(), SandboxProvider()]
