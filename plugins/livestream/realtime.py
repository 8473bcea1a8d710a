"""Live events: Litestar channels carry them between processes, a per-process hub fans them out.

The :class:`~litestar.channels.ChannelsPlugin` is managed here (started in the ``startup`` hook,
stopped in ``shutdown``), with the in-memory backend, or Redis pub/sub when ``[redis] url`` is
configured so viewers on different processes see the same events. Each process subscribes once
per session that has viewers connected to it; the hub copies every event into each viewer's
bounded queue. A viewer whose queue is full (a slow or stalled client) is cut off: its
connection ends and the others are not held up.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

log = logging.getLogger("qunshang.livestream")
STATE = "livestream.hub"
StatsReader = Callable[[int], Awaitable[dict[str, Any]]]


def channel(session_id: int) -> str:
    return f"livestream:{session_id}"


@dataclass(eq=False)
class Connection:
    """One viewer's stream: a bounded queue of encoded events."""

    session_id: int
    queue: asyncio.Queue[bytes]
    cut: bool = False

    def offer(self, payload: bytes) -> bool:
        try:
            self.queue.put_nowait(payload)
        except asyncio.QueueFull:
            self.cut = True
            return False
        return True


@dataclass
class _Room:
    connections: set[Connection] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None


class Hub:
    """Publishes events and fans them out to this process's viewers."""

    def __init__(self, channels: ChannelsPlugin, queue_size: int, stats_seconds: float, stats: StatsReader) -> None:
        self.channels = channels
        self.queue_size = queue_size
        self._rooms: dict[int, _Room] = {}
        self._dirty: set[int] = set()
        self._sold: set[int] = set()
        self._stats_seconds = stats_seconds
        self._stats = stats
        self._ticker: asyncio.Task | None = None

    async def start(self) -> None:
        await self.channels.__aenter__()
        self._ticker = asyncio.create_task(self._broadcast_stats())

    async def stop(self) -> None:
        tasks = [t for t in (self._ticker, *(room.task for room in self._rooms.values())) if t]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.channels.__aexit__(None, None, None)

    def touch(self, session_id: int) -> None:
        """Viewer or like counts changed: broadcast them at the next stats tick."""
        self._dirty.add(session_id)

    def sold(self, session_id: int) -> None:
        """The session's orders changed: at the next stats tick, an ``orders`` event (no
        figures: viewers must not see the takings) tells workbenches to read them."""
        self._sold.add(session_id)

    async def _broadcast_stats(self) -> None:
        while True:
            await asyncio.sleep(self._stats_seconds)
            dirty, self._dirty = self._dirty, set()
            sold, self._sold = self._sold, set()
            for session_id in dirty:
                try:
                    await self.publish(session_id, {"type": "stats", **await self._stats(session_id)})
                except Exception:  # a database hiccup must not stop the ticker
                    log.exception("livestream: stats of session %s", session_id)
            for session_id in sold:
                try:
                    await self.publish(session_id, {"type": "orders"})
                except Exception:
                    log.exception("livestream: orders of session %s", session_id)

    async def publish(self, session_id: int, event: dict[str, Any]) -> None:
        """Send ``event`` (``{"type": …}``) to every viewer of the session, in every process."""
        await self.channels.wait_published(json.dumps(event, ensure_ascii=False, default=str), channel(session_id))

    def viewers_here(self, session_id: int) -> int:
        room = self._rooms.get(session_id)
        return len(room.connections) if room else 0

    @contextlib.asynccontextmanager
    async def connect(self, session_id: int):
        conn = Connection(session_id, asyncio.Queue(self.queue_size))
        room = self._rooms.setdefault(session_id, _Room())
        if room.task is None:
            room.task = asyncio.create_task(self._fan_out(session_id, room))
        room.connections.add(conn)
        try:
            await room.ready.wait()
            if room.task.done():  # the backend refused the subscription (Redis down)
                room.task.result()
            yield conn
        finally:
            room.connections.discard(conn)
            if not room.connections and room.task is not None:
                room.task.cancel()
                self._rooms.pop(session_id, None)

    async def _fan_out(self, session_id: int, room: _Room) -> None:
        try:
            subscriber = await self.channels.subscribe(channel(session_id))
        finally:
            room.ready.set()
        try:
            async for payload in subscriber.iter_events():
                for conn in list(room.connections):
                    if not conn.cut and not conn.offer(payload):
                        log.info("livestream: cut off a viewer of session %s (%s events behind)", session_id, self.queue_size)
        finally:
            await self.channels.unsubscribe(subscriber)


def build_hub(runtime, stats: StatsReader) -> Hub:
    """In-memory channels, or Redis pub/sub when the deployment configures ``[redis] url``."""
    url = runtime.config.redis.url
    if url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(url))
    else:
        backend = MemoryChannelsBackend()
    plugin = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)
    settings = runtime.settings("livestream")
    return Hub(plugin, settings.connection_queue, settings.stats_seconds, stats)


def hub(runtime) -> Hub:
    return runtime.state[STATE]


_DEFERRED: contextvars.ContextVar[list[tuple[int, dict[str, Any]]] | None] = contextvars.ContextVar(
    "livestream_deferred", default=None
)


async def publish(runtime, session_id: int, event: dict[str, Any]) -> None:
    """Publish through the running hub (none runs outside the app, e.g. while seeding the demo);
    inside :func:`deferred`, once that block ends without an error."""
    pending = _DEFERRED.get()
    if pending is not None:
        pending.append((session_id, event))
        return
    running = runtime.state.get(STATE)
    if running is not None:
        await running.publish(session_id, event)


@contextlib.asynccontextmanager
async def deferred(runtime):
    """Hold the events published in the block until it ends: wrap a transaction in it so that
    viewers hear of a change only once it is committed (and never of one rolled back)."""
    pending: list[tuple[int, dict[str, Any]]] = []
    token = _DEFERRED.set(pending)
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    for session_id, event in pending:
        await publish(runtime, session_id, event)


def touch(runtime, session_id: int) -> None:
    running = runtime.state.get(STATE)
    if running is not None:
        running.touch(session_id)


def sold(runtime, order) -> None:
    """An order from a room was placed, paid or cancelled (see :meth:`Hub.sold`)."""
    context = order.context or {}
    running = runtime.state.get(STATE)
    if running is not None and context.get("channel") == "livestream" and str(context.get("live_session", "")).isdigit():
        running.sold(int(context["live_session"]))
