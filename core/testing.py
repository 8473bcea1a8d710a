"""pytest fixtures for Qunshang and its plugins: ``pytest_plugins = ["qunshang.testing"]``.

The database comes from ``QUNSHANG_TEST_DATABASE``: unset or ``sqlite`` for a fresh SQLite file
per test (copied from one migrated template), or a ``postgres://`` URL whose database is
migrated once per session and emptied before each test. Tests that need PostgreSQL skip,
saying why, when no server answers.

``make_app`` builds an application with the plugins a test enables, runs its lifespan in the
test's own event loop and returns an ``httpx.AsyncClient`` bound to it
(``client.app``, ``client.runtime``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from . import db
from .app import build_runtime, create_app, runtime_lifespan
from .config import Config
from .plugin_manager import discover
from .web.csrf import COOKIE as CSRF_COOKIE, HEADER as CSRF_HEADER

ENV = "QUNSHANG_TEST_DATABASE"


class Clock:
    """An injectable clock for tests: ``clock.advance(days=8)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current


@dataclass
class TestDatabase:
    backend: str  # "sqlite" or "postgres"
    url: str
    template: Path | None = None

    def url_for(self, tmp_path: Path) -> str:
        if self.backend == "sqlite":
            target = tmp_path / "qunshang.sqlite3"
            if not target.exists():
                shutil.copyfile(self.template, target)
            return f"sqlite://{target}"
        return self.url


def _all_plugins_config(url: str) -> Config:
    return Config(database={"url": url}, plugins={"enabled": sorted(discover())})


async def _prepare(config: Config) -> None:
    runtime = build_runtime(config)
    await db.migrate(runtime)


async def _postgres_reset(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'tortoise_migrations'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def _postgres_create(url: str) -> None:
    import asyncpg

    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def qunshang_database(tmp_path_factory: pytest.TempPathFactory) -> TestDatabase:
    """The test database, migrated once for the session with every discovered plugin."""
    choice = os.environ.get(ENV, "sqlite")
    if choice == "sqlite":
        template = tmp_path_factory.mktemp("qunshang-template") / "template.sqlite3"
        asyncio.run(_prepare(_all_plugins_config(f"sqlite://{template}")))
        return TestDatabase("sqlite", f"sqlite://{template}", template)
    try:
        asyncio.run(_postgres_create(choice))
    except (OSError, asyncio.TimeoutError) as exc:
        pytest.skip(f"PostgreSQL at {ENV}={choice} is not reachable: {exc}")
    asyncio.run(_prepare(_all_plugins_config(choice)))
    return TestDatabase("postgres", choice)


@pytest.fixture
def clock() -> Clock:
    return Clock()


class QunshangClient(httpx.AsyncClient):
    app: Any
    runtime: Any

    async def form_headers(self) -> dict[str, str]:
        """The CSRF header a browser script would send (fetches the cookie if needed)."""
        if CSRF_COOKIE not in self.cookies:
            await self.get("/healthz")
        return {CSRF_HEADER: self.cookies.get(CSRF_COOKIE, "")}


@pytest.fixture
def make_app(qunshang_database: TestDatabase, tmp_path: Path, clock: Clock):
    """``async with make_app(enabled=[...], settings={...}) as client:`` — see module docs."""

    @contextlib.asynccontextmanager
    async def factory(
        enabled: Iterable[str] = (),
        settings: dict[str, dict[str, Any]] | None = None,
        *,
        entry_points: Iterable[EntryPoint] | None = None,
        extra_plugins: Iterable[Any] = (),
        config: dict[str, dict[str, Any]] | None = None,
        use_clock: bool = True,
    ) -> AsyncIterator[QunshangClient]:
        if qunshang_database.backend == "postgres":
            await _postgres_reset(qunshang_database.url)
        sections: dict[str, dict[str, Any]] = {
            "database": {"url": qunshang_database.url_for(tmp_path)},
            "plugins": {"enabled": list(enabled), **(settings or {})},
            "jobs": {"in_process": False},
            "app": {"secret_key": "test-secret-key-0123456789", "media_dir": str(tmp_path / "media")},
            "payments": {"sandbox_secret": "sandbox-test-secret"},
        }
        for section, values in (config or {}).items():
            sections.setdefault(section, {}).update(values)
        runtime = build_runtime(
            Config(**sections), entry_points=entry_points, extra_plugins=extra_plugins,
            **({"clock": clock} if use_clock else {}),
        )
        app = create_app(runtime=runtime)
        async with runtime_lifespan(runtime):
            transport = httpx.ASGITransport(app=app)
            async with QunshangClient(transport=transport, base_url="http://testserver") as client:
                client.app, client.runtime = app, runtime
                yield client

    return factory


@pytest.fixture
async def client(make_app) -> AsyncIterator[QunshangClient]:
    """An app with the core only (no optional plugin enabled)."""
    async with make_app() as c:
        yield c


def requires_postgres(qunshang_database: TestDatabase) -> None:
    if qunshang_database.backend != "postgres":
        pytest.skip(f"needs PostgreSQL: set {ENV}=postgres://…")


Factory = Callable[..., contextlib.AbstractAsyncContextManager[QunshangClient]]


async def make_member(login: str = "buyer@example.com", *, roles: Iterable[str] = (), display_name: str | None = None, **fields: Any):
    """A member created directly (no hooks fire); ``password_hash`` is unusable unless given."""
    from .members.models import Member, MemberRole

    member = await Member.create(
        login=login, password_hash=fields.pop("password_hash", "!"), display_name=display_name or login.split("@")[0], **fields
    )
    for role in roles:
        await MemberRole.create(member=member, role=role)
    return member


async def bearer(member: Any, name: str = "test") -> dict[str, str]:
    """``Authorization`` headers with a fresh API token for ``member``."""
    import secrets

    from .members.models import ApiToken
    from .web.auth import token_digest

    token = f"qs_{secrets.token_urlsafe(24)}"
    await ApiToken.create(member=member, name=name, token_hash=token_digest(token), prefix=token[:8])
    return {"Authorization": f"Bearer {token}"}
