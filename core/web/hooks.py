"""Core web: health check, the minimal storefront and the template environment."""

from pathlib import Path

from litestar import get
from litestar.datastructures import CacheControlHeader

from ..hookspecs import hookimpl


@get("/healthz", include_in_schema=False, opt={"exclude_from_auth": True}, sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@hookimpl
def register_routes(runtime):
    from litestar.static_files import create_static_files_router

    from . import assets
    from .storefront import router
    from .templates import CORE_STATIC

    static = create_static_files_router(
        path="/static/core", directories=[CORE_STATIC], name="core-static", include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600, public=True),
    )
    media_dir = Path(runtime.config.app.media_dir)
    media_dir.mkdir(parents=True, exist_ok=True)
    media = create_static_files_router(
        path="/media", directories=[media_dir], name="media", include_in_schema=False,
        cache_control=CacheControlHeader(max_age=86400, public=True),
    )
    return [healthz, static, media, *assets.ROUTES, router]
