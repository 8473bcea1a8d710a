"""One action per key per interval, in every process: the app's ``rate_limit`` store (memory in
the embedded shape, Redis when scaled out). A check then a set, not atomic: two requests in
the same instant may both pass, which is good enough for comments and likes."""

from __future__ import annotations

from litestar.stores.base import Store

from ..errors import TooFast


async def once_per(store: Store, key: str, seconds: int, error: type[TooFast]) -> None:
    if seconds <= 0:
        return
    if await store.exists(key):
        raise error(retry_after=seconds)
    await store.set(key, b"1", expires_in=seconds)
