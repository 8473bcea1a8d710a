"""Server-sent events through real server processes: one process, then two processes joined by
Redis (an event published on one reaches a viewer connected to the other)."""

import asyncio
import threading
import time

import httpx
import pytest

from .servers import deployment, first_event, seed, server, snapshot

pytestmark = pytest.mark.slow
REDIS = "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_a_viewer_stream_receives_a_pushed_product(tmp_path):
    config = deployment(tmp_path)
    seeded = seed(config)
    with server(config, tmp_path) as base:
        async def push():
            r = await httpx.AsyncClient().post(f"{base}/api/livestream/sessions/{seeded['session_id']}/push",
                                               json={"product_id": seeded["product_id"]}, headers=seeded["headers"])
            assert r.status_code == 200, r.text

        event = asyncio.run(first_event(base, seeded["session_id"], "pinned", push))
        assert event["product"]["id"] == seeded["product_id"] and event["product"]["title"] == "直播好茶 Live tea"

        async def like():
            r = await httpx.AsyncClient().post(f"{base}/api/livestream/sessions/{seeded['session_id']}/likes",
                                               json={"count": 3}, headers=seeded["headers"])
            assert r.status_code == 204, r.text

        stats = asyncio.run(first_event(base, seeded["session_id"], "stats", like))
        assert stats["likes"] == 3 and stats["viewers"] >= 1
        latecomer = asyncio.run(snapshot(base, seeded["session_id"]))
        assert latecomer["type"] == "pinned" and latecomer["product"]["id"] == seeded["product_id"]


def test_streams_end_on_time_so_the_server_stops_while_viewers_are_connected(tmp_path):
    config = deployment(tmp_path, stream_seconds=2)
    seeded = seed(config)

    async def watch(base):
        async with httpx.AsyncClient(timeout=30) as client:
            async with client.stream("GET", f"{base}/live/{seeded['session_id']}/events") as stream:
                started = time.monotonic()
                text = "".join([line + "\n" async for line in stream.aiter_lines()])
                return time.monotonic() - started, text

    with server(config, tmp_path) as base:  # stopping it with a viewer connected must not hang
        seconds, text = asyncio.run(watch(base))
        assert 1.5 < seconds < 10 and "retry: 1000" in text
        holder = threading.Thread(target=lambda: asyncio.run(watch(base)), daemon=True)
        holder.start()
        time.sleep(0.5)


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable at 127.0.0.1:6379")
def test_two_processes_share_events_through_redis(tmp_path):
    pytest.importorskip("redis", reason="the redis client (pip install 'qunshang[redis]') is not installed")
    config = deployment(tmp_path, REDIS)
    seeded = seed(config)
    with server(config, tmp_path) as publisher, server(config, tmp_path) as subscriber:
        async def push_on_the_other_process():
            r = await httpx.AsyncClient().post(f"{publisher}/api/livestream/sessions/{seeded['session_id']}/push",
                                               json={"product_id": seeded["product_id"]}, headers=seeded["headers"])
            assert r.status_code == 200, r.text

        event = asyncio.run(first_event(subscriber, seeded["session_id"], "pinned", push_on_the_other_process))
        assert event["product"]["id"] == seeded["product_id"]
