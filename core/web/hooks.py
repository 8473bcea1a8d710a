"""Core web routes: health check."""

from litestar import get

from ..hookspecs import hookimpl


@get("/healthz", include_in_schema=False, opt={"exclude_from_auth": True}, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@hookimpl
def register_routes():
    return [healthz]
