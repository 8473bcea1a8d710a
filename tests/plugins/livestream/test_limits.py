"""Open event streams per client: the stream past the limit of a member (or of an anonymous
address, whose limit is its own) is refused with 429 and a stable code; closing a stream frees
its slot."""

import asyncio

import pytest

from qunshang.plugins.livestream import limits
from qunshang.plugins.livestream.errors import TooManyStreams

from .support import host, live_session, viewer


def test_slots_count_per_client_and_release_once():
    slots = limits.StreamSlots()
    first, _second = slots.acquire("member:1", 2), slots.acquire("member:1", 2)
    with pytest.raises(TooManyStreams):
        slots.acquire("member:1", 2)
    other = slots.acquire("member:2", 2)
    first.release()
    first.release()  # idempotent: a stream's end and its finalizer may both release
    assert slots.open("member:1") == 1 and slots.open("member:2") == 1
    slots.acquire("member:1", 2)
    other.release()
    assert slots.open("member:2") == 0


async def test_the_next_stream_past_the_limit_gets_429_until_one_closes(make_app, clock):
    settings = {"livestream": {"streams_per_member": 2, "streams_per_address": 3, "stream_seconds": 1.0,
                               "heartbeat_seconds": 0.2}}
    async with make_app(enabled=["livestream"], settings=settings) as client:
        _, headers = await host()
        session = await live_session(client, clock, headers)
        url = f"/live/{session['id']}/events"
        watcher, member = await viewer()
        _, someone_else = await viewer("else@example.com")
        open_streams = [asyncio.create_task(client.get(url, headers=member)) for _ in range(2)]
        anonymous = [asyncio.create_task(client.get(url)) for _ in range(3)]
        await asyncio.sleep(0.3)
        slots = limits.slots(client.runtime)
        assert slots.open(f"member:{watcher.id}") == 2
        refused = await client.get(url, headers={**member, "Accept": "application/json"})
        assert refused.status_code == 429 and refused.json()["error"]["code"] == "live_stream_limit"
        assert (await client.get(url, headers={"Accept": "application/json"})).status_code == 429, "per address"
        others = asyncio.create_task(client.get(url, headers=someone_else))
        results = await asyncio.gather(*open_streams, *anonymous, others)
        assert [r.status_code for r in results] == [200] * 6 and "data:" in results[0].text
        assert slots.open(f"member:{watcher.id}") == 0, "closing frees the slot"
        again = await client.get(url, headers=member)
        assert again.status_code == 200

