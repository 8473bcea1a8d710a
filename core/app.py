"""``create_app(config)``: one Litestar application with its own plugin manager."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from pathlib import Path
from importlib.metadata import EntryPoint
from types import ModuleType
from typing import Any, Callable

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from swagger_ui_bundle import swagger_ui_path

from . import __version__, db, jobs
from .config import Config, load_config
from .plugin_manager import build_plugin_manager
from .runtime import Runtime, utcnow
from .web.auth import AuthMiddleware, TokenUse
from .web.csrf import TokenAwareCSRFMiddleware, csrf_config
from .web.errors import EXCEPTION_HANDLERS
from .web.pagecache import PageCacheMiddleware, PageStore
from .web.guards import role_permissions
from .web.sessions import COOKIE as SESSION_COOKIE, SessionConfig
from .web.templates import build_environment

log = logging.getLogger("qunshang")

OPENAPI_ASSETS = "/static/core/openapi"


def build_runtime(
    config: Config | None = None,
    *,
    entry_points: Iterable[EntryPoint] | None = None,
    extra_plugins: Iterable[ModuleType | Any] = (),
    clock: Callable[[], datetime] = utcnow,
) -> Runtime:
    """Config + plugin manager + derived registries, without a web app (CLI, worker, tests)."""
    config = config or load_config()
    runtime = Runtime(config, build_plugin_manager(config, entry_points=entry_points, extra=extra_plugins), clock)
    runtime.state["permissions"] = role_permissions(runtime)
    runtime.state["payment_providers"] = {
        provider.name: provider
        for _plugin, providers in runtime.call_setup("payment_providers")
        for provider in providers
    }
    runtime.state["locale_dirs"] = tuple(
        folder for record in runtime.plugins.enabled
        if (folder := Path(record.module.__file__).parent / "locale").is_dir()
    )
    runtime.state["templates"] = build_environment(runtime)
    runtime.state["token_use"] = TokenUse()
    runtime.state["page_cache"] = PageStore()
    return runtime


def create_app(config: Config | None = None, *, runtime: Runtime | None = None, **runtime_options: Any) -> Litestar:
    runtime = runtime or build_runtime(config, **runtime_options)
    config = runtime.config
    handlers = [handler for _plugin, declared in runtime.call_setup("register_routes") for handler in declared]
    handlers.append(create_static_files_router(path=OPENAPI_ASSETS, directories=[swagger_ui_path], name="openapi-assets",
                                               include_in_schema=False, opt={"exclude_from_auth": True}))
    sessions = SessionConfig(
        key=SESSION_COOKIE, max_age=config.security.session_max_age, secure=config.security.cookie_secure,
        samesite="lax", httponly=True, store="sessions",
    )
    return Litestar(
        route_handlers=handlers,
        lifespan=[lambda app: runtime_lifespan(runtime)],
        middleware=[
            PageCacheMiddleware,
            sessions.middleware,
            DefineMiddleware(AuthMiddleware, exclude=["^/static/", "^/schema"]),
            DefineMiddleware(TokenAwareCSRFMiddleware, config=csrf_config(config.app.secret_key, config.security.cookie_secure)),
        ],
        dependencies={"runtime": Provide(lambda: runtime, use_cache=True, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        stores=_stores(config),
        state=State({"runtime": runtime}),
        openapi_config=OpenAPIConfig(
            title="Qunshang API",
            version=__version__,
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(
                    path="/",
                    js_url=f"{OPENAPI_ASSETS}/swagger-ui-bundle.js",
                    css_url=f"{OPENAPI_ASSETS}/swagger-ui.css",
                    standalone_preset_js_url=f"{OPENAPI_ASSETS}/swagger-ui-standalone-preset.js",
                    favicon=f"<link rel='icon' type='image/png' href='{OPENAPI_ASSETS}/favicon-32x32.png'>",
                )
            ],
        ),
        request_max_body_size=2 * 1024 * 1024,
        logging_config=None,  # logging belongs to the deployment (uvicorn, the CLI, pytest)
        debug=config.app.debug,
    )


def app_factory() -> Litestar:
    """For uvicorn's import-string form (several workers, reload): config from ``QUNSHANG_CONFIG``/env."""
    return create_app(load_config())


def _stores(config: Config) -> dict[str, Store]:
    names = ("sessions", "rate_limit", "cache")
    if config.redis.url:
        from litestar.stores.redis import RedisStore

        root = RedisStore.with_client(url=config.redis.url, namespace="qunshang")
        return {name: root.with_namespace(name) for name in names}
    return {name: MemoryStore() for name in names}


@contextlib.asynccontextmanager
async def runtime_lifespan(runtime: Runtime) -> AsyncIterator[None]:
    """Connect the database, start in-process jobs and the recording of API token use, call
    ``startup``; undo it all on exit."""
    await db.connect(runtime)
    await runtime.call("startup")
    stop = asyncio.Event()
    tasks = [asyncio.create_task(runtime.state["token_use"].flush_until(stop), name="qunshang-token-use")]
    if runtime.config.jobs.in_process:
        tasks.append(asyncio.create_task(jobs.run_forever(runtime, stop=stop), name="qunshang-jobs"))
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await runtime.call("shutdown")
        await db.disconnect()
