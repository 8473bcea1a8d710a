"""The event hub: every viewer of a session gets each event once; a viewer too far behind is
cut off while the others keep receiving; sessions are separate channels."""

import asyncio
import json

import pytest
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from qunshang.plugins.livestream.realtime import Hub


async def _no_stats(session_id):
    return {}


async def _hub(queue_size=4) -> Hub:
    hub = Hub(ChannelsPlugin(backend=MemoryChannelsBackend(), arbitrary_channels_allowed=True), queue_size, 60, _no_stats)
    await hub.start()
    return hub


async def _drain(conn, count, timeout=2.0):
    return [json.loads(await asyncio.wait_for(conn.queue.get(), timeout)) for _ in range(count)]


async def test_events_reach_every_viewer_of_the_session_only():
    hub = await _hub()
    try:
        async with hub.connect(1) as a, hub.connect(1) as b, hub.connect(2) as other:
            assert hub.viewers_here(1) == 2
            await hub.publish(1, {"type": "pinned", "n": 1})
            assert await _drain(a, 1) == [{"type": "pinned", "n": 1}]
            assert await _drain(b, 1) == [{"type": "pinned", "n": 1}]
            await asyncio.sleep(0.05)
            assert other.queue.empty()
        assert hub.viewers_here(1) == 0
    finally:
        await hub.stop()


async def test_a_stalled_viewer_is_cut_off_and_the_others_are_not_held_up():
    hub = await _hub(queue_size=4)
    try:
        async with hub.connect(1) as stalled, hub.connect(1) as reader:
            got = []
            for n in range(10):
                await hub.publish(1, {"type": "comment", "n": n})
                got += await _drain(reader, 1)
            assert [e["n"] for e in got] == list(range(10))
            assert stalled.cut and stalled.queue.qsize() == 4
            assert not reader.cut
    finally:
        await hub.stop()


async def test_deferred_events_go_out_after_the_block_and_not_at_all_after_an_error():
    from types import SimpleNamespace

    from qunshang.plugins.livestream import realtime

    hub = await _hub()
    runtime = SimpleNamespace(state={realtime.STATE: hub})
    try:
        async with hub.connect(1) as conn:
            with pytest.raises(RuntimeError):
                async with realtime.deferred(runtime):
                    await realtime.publish(runtime, 1, {"type": "pinned", "n": "rolled back"})
                    raise RuntimeError("the transaction failed")
            async with realtime.deferred(runtime):
                await realtime.publish(runtime, 1, {"type": "pinned", "n": 1})
                await asyncio.sleep(0.05)
                assert conn.queue.empty(), "held until the block ends"
            assert await _drain(conn, 1) == [{"type": "pinned", "n": 1}]
            await asyncio.sleep(0.05)
            assert conn.queue.empty()
    finally:
        await hub.stop()
