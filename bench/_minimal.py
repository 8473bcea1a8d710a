"""What the hand-written baselines share: the health check the load runner waits for, and a
lifespan that opens Tortoise on ``BENCH_DATABASE_URL`` with the baseline's own models."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, get
from tortoise import Tortoise


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def minimal_app(models_module: str, *handlers: Any) -> Litestar:
    """A bare Litestar app: ``handlers`` plus ``/healthz``, Tortoise with ``models_module``."""

    @asynccontextmanager
    async def database(_app: Litestar) -> AsyncIterator[None]:
        await Tortoise.init(
            config={"connections": {"default": os.environ["BENCH_DATABASE_URL"]},
                    "apps": {"bench": {"models": [models_module]}}},
            _enable_global_fallback=True,
        )
        try:
            yield
        finally:
            await Tortoise.close_connections()

    return Litestar(route_handlers=[*handlers, healthz], lifespan=[database])
