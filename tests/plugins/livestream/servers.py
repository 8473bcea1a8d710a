"""Real app server processes for the SSE tests: a migrated SQLite deployment with the
livestream plugin, seeded host, product and live session (no tests here)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

QUNSHANG = str(Path(sys.executable).with_name("qunshang"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("QUNSHANG_")} | {"PYTHONUNBUFFERED": "1"}


def deployment(folder: Path, redis_url: str | None = None, stream_seconds: float = 55) -> Path:
    config = folder / "qunshang.toml"
    text = (
        f'[app]\nsecret_key = "live-process-secret-0123456789"\nmedia_dir = "{folder / "media"}"\n'
        f'[database]\nurl = "sqlite://{folder / "live.sqlite3"}"\n'
        f'[plugins]\nenabled = ["livestream"]\n[plugins.livestream]\nstats_seconds = 0.2\nstream_seconds = {stream_seconds}\n'
    )
    if redis_url:
        text += f'[redis]\nurl = "{redis_url}"\n'
    config.write_text(text, encoding="utf-8")
    done = subprocess.run([QUNSHANG, "-c", str(config), "db", "migrate"], env=environment(), capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return config


def seed(config: Path) -> dict[str, Any]:
    """A host (with an API token), a published product and a live session."""
    return asyncio.run(_seed(config))


async def _seed(config: Path) -> dict[str, Any]:
    from qunshang import db
    from qunshang.app import build_runtime
    from qunshang.catalog import service as catalog
    from qunshang.catalog.models import ProductStatus
    from qunshang.config import load_config
    from qunshang.plugins.livestream.models import LiveSession, Room, SessionStatus
    from qunshang.testing import bearer, make_member

    runtime = build_runtime(load_config(config))
    await db.connect(runtime)
    try:
        host = await make_member("host@example.com", roles=["host"])
        headers = await bearer(host)
        product = await catalog.create_product(title="直播好茶 Live tea", status=ProductStatus.PUBLISHED,
                                               skus=[catalog.SkuInput("L-1", 1000, 100)])
        now = datetime.now(timezone.utc)
        room = await Room.create(title="Room", host_id=host.id, created_at=now)
        session = await LiveSession.create(room_id=room.id, title="Live", status=SessionStatus.LIVE, scheduled_start=now,
                                           scheduled_end=now + timedelta(hours=1), started_at=now)
        return {"headers": headers, "product_id": product.id, "session_id": session.id}
    finally:
        await db.disconnect()


@contextmanager
def server(config: Path, folder: Path) -> Iterator[str]:
    """``qunshang serve`` on a free port; yields its base URL; SIGTERM on the way out (it must
    stop within 20 s)."""
    port = free_port()
    process = subprocess.Popen([QUNSHANG, "-c", str(config), "serve", "--port", str(port)], cwd=folder,
                               env=environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited:\n{process.communicate()[0]}")
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not answer") from None
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise AssertionError(f"did not stop on SIGTERM:\n{process.communicate()[0]}") from None


async def snapshot(base: str, session_id: int, timeout: float = 15.0) -> dict[str, Any]:
    """The first event a new viewer gets: the pinned product."""
    async with httpx.AsyncClient(timeout=timeout) as client:
        async with client.stream("GET", f"{base}/live/{session_id}/events") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    return json.loads(line[len("data: "):])
    raise AssertionError("no snapshot")


async def first_event(base: str, session_id: int, wanted: str, action, timeout: float = 15.0) -> dict[str, Any]:
    """Open the session's event stream on ``base``, run ``action()`` once connected (after the
    snapshot), and return the first event of type ``wanted``."""
    async with httpx.AsyncClient(timeout=timeout) as client:
        async with client.stream("GET", f"{base}/live/{session_id}/events") as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()

            async def connected() -> None:
                async for line in lines:
                    if line == ": connected":
                        return

            await asyncio.wait_for(connected(), timeout)
            await action()

            async def read() -> dict[str, Any]:
                async for line in lines:
                    if line.startswith("data: "):
                        event = json.loads(line[len("data: "):])
                        if event["type"] == wanted:
                            return event
                raise AssertionError("stream ended")

            return await asyncio.wait_for(read(), timeout)
