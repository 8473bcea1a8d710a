"""Login attempt limits: counters per login and per client IP in a Litestar ``Store``.

An attempt is counted *before* the password is checked, so a parallel burst cannot slip past
the limit while the (slow) hashes are verified; a successful login gives its attempt back.
Each counter covers a fixed window (``[security] login_window_seconds``) that starts at its
first attempt, measured with ``runtime.now()``; after ``login_max_failures`` attempts in the
window (``login_max_failures_per_ip`` for an address, which many phones behind one carrier
NAT may share), further attempts are refused with :class:`~qunshang.errors.TooManyRequests`.

The ``Store`` interface has no atomic increment, so updates are serialised by a lock of the
application: exact within one process (the embedded shape); across processes sharing Redis a
burst may be counted a little short.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TooManyRequests

if TYPE_CHECKING:
    from litestar.stores.base import Store

    from ..runtime import Runtime

_LOCK = "members.login_throttle_lock"


@dataclass
class _Counter:
    attempts: int
    started: float


def login_key(login: str) -> str:
    """The counter key of a login (hashed: no phone numbers or e-mails in the store)."""
    return "login:" + hashlib.sha256(login.encode()).hexdigest()[:32]


def ip_key(ip: str) -> str:
    return f"ip:{ip}"


async def reserve(runtime: Runtime, store: Store, limits: dict[str, int]) -> None:
    """Count one attempt against every key, or raise ``TooManyRequests`` if any key has used
    up its limit (``{key: max attempts}``)."""
    security = runtime.config.security
    now = runtime.now().timestamp()
    async with _lock(runtime):
        counters = {key: await _read(store, key, now, security.login_window_seconds) for key in limits}
        used_up = [c for key, c in counters.items() if c.attempts >= limits[key]]
        if used_up:
            wait = max(c.started + security.login_window_seconds - now for c in used_up)
            raise TooManyRequests(seconds=max(1, math.ceil(wait)))
        for key, counter in counters.items():
            await _write(store, key, _Counter(counter.attempts + 1, counter.started), now, security.login_window_seconds)


async def give_back(runtime: Runtime, store: Store, key: str) -> None:
    """Return one reserved attempt (the login succeeded)."""
    window = runtime.config.security.login_window_seconds
    now = runtime.now().timestamp()
    async with _lock(runtime):
        counter = await _read(store, key, now, window)
        if counter.attempts > 0:
            await _write(store, key, _Counter(counter.attempts - 1, counter.started), now, window)


async def clear(runtime: Runtime, store: Store, key: str) -> None:
    async with _lock(runtime):
        await store.delete(key)


def _lock(runtime: Runtime) -> asyncio.Lock:
    return runtime.state.setdefault(_LOCK, asyncio.Lock())


async def _read(store: Store, key: str, now: float, window: int) -> _Counter:
    raw = await store.get(key)
    if raw:
        data = json.loads(raw)
        if now - data["started"] < window:
            return _Counter(data["attempts"], data["started"])
    return _Counter(0, now)


async def _write(store: Store, key: str, counter: _Counter, now: float, window: int) -> None:
    remaining = max(1, math.ceil(counter.started + window - now))
    await store.set(key, json.dumps({"attempts": counter.attempts, "started": counter.started}), expires_in=remaining)
