"""One action per key per interval, atomically, for every process sharing the app's
``rate_limit`` store. Litestar's stores have no set-if-absent, so this reaches into the two
the app uses:

* Redis (the scaled-out shape): ``SET key 1 NX EX seconds`` through the store's client and key
  prefix, one atomic command: of any number of concurrent requests, in any process, one passes.
* The in-memory store (the embedded shape, one process): the check and the set under the
  store's own lock, as its ``get`` does when it renews a key.
* Any other store: a check then a set, which leaves a small window in which two requests of
  the same instant may both pass.
"""

from __future__ import annotations

from litestar.stores.base import StorageObject, Store
from litestar.stores.memory import MemoryStore

from ..errors import TooFast


async def once_per(store: Store, key: str, seconds: int, error: type[TooFast]) -> None:
    """Raise ``error`` unless this is the first call for ``key`` in ``seconds``."""
    if seconds > 0 and not await _first(store, key, seconds):
        raise error(retry_after=seconds)


async def _first(store: Store, key: str, seconds: int) -> bool:
    redis = getattr(store, "_redis", None)
    if redis is not None:
        return bool(await redis.set(store._make_key(key), b"1", nx=True, ex=seconds))
    if isinstance(store, MemoryStore):
        async with store._lock:
            held = store._store.get(key)
            if held is not None and not held.expired:
                return False
            store._store[key] = StorageObject.new(data=b"1", expires_in=seconds)
            return True
    if await store.exists(key):
        return False
    await store.set(key, b"1", expires_in=seconds)
    return True
