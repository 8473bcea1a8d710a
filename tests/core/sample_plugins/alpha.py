"""A complete plugin: settings, a route, a lifespan hook and an async query hook."""

from litestar import get
from pydantic import BaseModel, ConfigDict, Field

from qunshang import PluginMeta, hookimpl

from . import calls


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str = "hello"
    limit: int = Field(default=3, ge=1, le=10)


plugin = PluginMeta(id="alpha", title="Alpha", version="1.0", settings=Settings)


@get("/api/alpha/ping", sync_to_thread=False, summary="Alpha's greeting")
def ping() -> dict[str, str]:
    return {"greeting": "pong"}


@hookimpl
def register_routes():
    return [ping]


@hookimpl
async def startup():
    calls.append("alpha.startup")


@hookimpl
async def nav_items(runtime):
    calls.append("alpha.nav_items")
    settings = runtime.settings("alpha")
    return [{"label": f"{settings.greeting} x{settings.limit}", "url": "/alpha"}]
