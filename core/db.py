"""Database: Tortoise configuration, connection lifecycle, migrations and atomic helpers.

Every core domain and every plugin is one Tortoise app; tables are named
``<app label>_<model>`` by :func:`table_name`. Schemas change only through Tortoise's own
migrations (one ``migrations`` package beside each ``models`` module).
"""

from __future__ import annotations

import graphlib
import importlib
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.expressions import F
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.executor import MigrationExecutor
from tortoise.models import Model

from .errors import PluginError

if TYPE_CHECKING:
    from .runtime import Runtime

SQLITE_DEFAULTS = {"busy_timeout": "10000", "synchronous": "NORMAL"}


def table_name(model: type[Model]) -> str:
    return f"{model._meta.app}_{model.__name__.lower()}"


def database_url(url: str, pool_max: int = 10) -> str:
    """Add embedded-shape defaults: SQLite waits on locks (WAL is Tortoise's default)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme == "sqlite":
        query = {**SQLITE_DEFAULTS, **query}
    else:
        query.setdefault("maxsize", str(pool_max))
    return urlunsplit(parts._replace(query=urlencode(query)))


def connection_config(url: str, pool_max: int = 10) -> dict[str, Any]:
    """Tortoise's settings for one connection; on asyncpg, with the pool reset of :func:`_keep_session`."""
    config = expand_db_url(database_url(url, pool_max))
    if config["engine"] == "tortoise.backends.asyncpg":
        config["credentials"]["reset"] = _keep_session
    return config


async def _keep_session(connection: Any) -> None:
    """How asyncpg's pool resets a connection handed back: beyond what it always does (roll
    back an open transaction, drop listeners), nothing.

    Its default also sends ``RESET ALL; UNLISTEN *; CLOSE ALL; SELECT pg_advisory_unlock_all()``,
    one more round trip per query run outside a transaction (about a fifth of the CPU of a
    short API request). Qunshang keeps no session state: no ``SET``, ``LISTEN``, cursors
    ``WITH HOLD`` or session-level advisory locks (``pg_advisory_xact_lock`` ends with its
    transaction).
    """


def apps_config(runtime: Runtime) -> dict[str, dict[str, Any]]:
    apps: dict[str, dict[str, Any]] = {}
    for plugin, mapping in runtime.call_setup("register_models"):
        for label, module in mapping.items():
            if not plugin.startswith("qunshang.") and label != plugin:
                raise PluginError(f"plugin '{plugin}' declares app '{label}': its app label must be its id")
            if label in apps:
                raise PluginError(f"plugin '{plugin}' declares app '{label}', which already exists")
            apps[label] = {
                "models": [module],
                "migrations": module.rsplit(".", 1)[0] + ".migrations",
                "default_connection": "default",
            }
    return apps


def tortoise_config(runtime: Runtime) -> dict[str, Any]:
    db = runtime.config.database
    return {
        "connections": {"default": connection_config(db.url, db.pool_max)},
        "apps": apps_config(runtime),
        "use_tz": True,
        "timezone": "UTC",
    }


async def connect(runtime: Runtime, *, global_fallback: bool = True) -> TortoiseContext:
    """Initialise Tortoise for this process.

    ``global_fallback`` makes the context visible to every task (Litestar's lifespan runs in a
    different task from the requests; without it each request fails with "No TortoiseContext
    is currently active").
    """
    return await Tortoise.init(
        config=tortoise_config(runtime),
        table_name_generator=table_name,
        _enable_global_fallback=global_fallback,
    )


async def disconnect() -> None:
    await Tortoise.close_connections()


async def migrate(runtime: Runtime, progress: Callable[[str, str, str], object] | None = None) -> None:
    """Apply every pending migration of the core and the enabled plugins."""
    config = tortoise_config(runtime)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, table_name_generator=table_name, _create_db=False)
        executor = MigrationExecutor(ctx.connections.get("default"), config["apps"])
        await executor.migrate(progress=progress)


async def make_migrations(runtime: Runtime, labels: list[str] | None = None, name: str | None = None) -> list[str]:
    """Write migrations for model changes (developers and plugin authors); returns file paths.

    Apps are handled one at a time, those referenced by foreign keys first, so that each new
    migration can depend on the migrations it needs (Tortoise finds those on disk).
    """
    config = tortoise_config(runtime)
    paths: list[str] = []
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, table_name_generator=table_name, init_connections=False)
        order = _dependency_order(ctx.apps)
    for label in order:
        if labels and label not in labels:
            continue
        importlib.invalidate_caches()
        async with TortoiseContext() as ctx:
            await ctx.init(config=config, table_name_generator=table_name, init_connections=False)
            writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
        for writer in (w for w in writers if w.app_label == label):
            if name:
                writer.name = f"{writer.name.split('_', 1)[0]}_{name}"
            paths.append(str(writer.write()))
    return paths


def _dependency_order(apps: Any) -> list[str]:
    needs: dict[str, set[str]] = {}
    for label, models in apps.items():
        needs[label] = set()
        for model in models.values():
            for field_name in model._meta.fk_fields | model._meta.o2o_fields:
                related = model._meta.fields_map[field_name].related_model._meta.app
                if related != label:
                    needs[label].add(related)
    return list(graphlib.TopologicalSorter(needs).static_order())


async def take(model: type[Model], pk: Any, field: str, amount: int, **where: Any) -> bool:
    """Atomically subtract ``amount`` from ``field`` if enough is left; return whether it did.

    ``UPDATE … SET f = f - amount WHERE id = pk AND f >= amount``: correct under concurrency on
    SQLite and PostgreSQL alike, without row locks.
    """
    if amount <= 0:
        raise ValueError("amount must be positive")
    changed = await model.filter(pk=pk, **{f"{field}__gte": amount}, **where).update(
        **{field: F(field) - amount}
    )
    return changed == 1


async def give(model: type[Model], pk: Any, field: str, amount: int) -> None:
    """Atomically add ``amount`` to ``field``."""
    await model.filter(pk=pk).update(**{field: F(field) + amount})
