"""The comment and like rate limits are atomic: a concurrent burst from one member lets exactly
one through per interval, with the in-memory store and with Redis."""

import asyncio
import socket
import uuid

import pytest
from litestar.stores.memory import MemoryStore

from qunshang.plugins.livestream.errors import TooFast
from qunshang.plugins.livestream.service import throttle

from .support import API, host, live_session, viewer


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


async def _burst(store, key="k", count=50) -> int:
    async def attempt():
        try:
            await throttle.once_per(store, key, 5, TooFast)
            return True
        except TooFast:
            return False

    return sum(await asyncio.gather(*[attempt() for _ in range(count)]))


async def test_a_burst_passes_once_per_key_in_memory():
    store = MemoryStore()
    assert await _burst(store) == 1
    assert await _burst(store, "other") == 1
    assert await _burst(MemoryStore()) == 1, "each app's store is separate"


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable at 127.0.0.1:6379")
async def test_a_burst_passes_once_per_key_with_redis():
    pytest.importorskip("redis")
    from litestar.stores.redis import RedisStore

    store = RedisStore.with_client(url="redis://127.0.0.1:6379/0", namespace=f"qs-test-{uuid.uuid4().hex}")
    try:
        assert await _burst(store) == 1
        assert await store.expires_in("k") in (4, 5)
    finally:
        await store.delete_all()
        await store._redis.aclose()


async def test_a_burst_of_comments_and_likes_from_one_member_lets_one_through(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"comment_interval_seconds": 30}}) as client:
        _, headers = await host()
        session = await live_session(client, clock, headers)
        _, member = await viewer()
        comments = await asyncio.gather(*[
            client.post(f"{API}/sessions/{session['id']}/comments", json={"text": f"hi {i}"}, headers=member)
            for i in range(12)])
        assert sorted(r.status_code for r in comments) == [201] + [429] * 11
        assert {r.json()["error"]["code"] for r in comments if r.status_code == 429} == {"live_comment_rate"}
        likes = await asyncio.gather(*[
            client.post(f"{API}/sessions/{session['id']}/likes", json={"count": 20}, headers=member) for _ in range(12)])
        assert sorted(r.status_code for r in likes) == [204] + [429] * 11
        _, other = await viewer("other@example.com")
        assert (await client.post(f"{API}/sessions/{session['id']}/comments", json={"text": "me too"},
                                  headers=other)).status_code == 201, "limits are per member"
