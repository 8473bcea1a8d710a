"""Rooms and sessions: scheduling rules, the state machine, pushing and pinning, host scoping."""

from datetime import timedelta

from qunshang.catalog.models import ProductStatus

from .support import API, host, live_session, product, viewer


async def test_sessions_are_scheduled_in_the_future_with_a_sane_duration(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        room = (await client.post(f"{API}/rooms", json={"title": "直播间"}, headers=headers)).json()
        url = f"{API}/rooms/{room['id']}/sessions"

        def body(start, hours):
            return {"title": "t", "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}

        past = await client.post(url, json=body(clock() - timedelta(minutes=1), 1), headers=headers)
        assert past.status_code == 400 and past.json()["error"]["code"] == "invalid_input"
        too_long = await client.post(url, json=body(clock() + timedelta(hours=1), 13), headers=headers)
        assert too_long.status_code == 400
        backwards = await client.post(url, json=body(clock() + timedelta(hours=1), -1), headers=headers)
        assert backwards.status_code == 400
        script = await client.post(url, headers=headers, json={**body(clock() + timedelta(hours=1), 1),
                                                               "stream_url": "javascript:alert(1)"})
        assert script.status_code == 400
        ok = await client.post(url, json=body(clock() + timedelta(hours=1), 2), headers=headers)
        assert ok.status_code == 201 and ok.json()["status"] == "scheduled"


async def test_state_machine_scheduled_live_paused_ended(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        session = await live_session(client, clock, headers, start=False)
        state = f"{API}/sessions/{session['id']}/state"
        assert (await client.post(state, json={"action": "pause"}, headers=headers)).json()["error"]["code"] == "live_session_state"
        assert (await client.post(state, json={"action": "start"}, headers=headers)).json()["status"] == "live"
        assert (await client.post(state, json={"action": "pause"}, headers=headers)).json()["status"] == "paused"
        assert (await client.post(state, json={"action": "start"}, headers=headers)).json()["status"] == "live"
        assert (await client.post(state, json={"action": "end"}, headers=headers)).json()["status"] == "ended"
        again = await client.post(state, json={"action": "start"}, headers=headers)
        assert again.status_code == 409 and again.json()["error"]["code"] == "live_session_state"
        bogus = await client.post(state, json={"action": "explode"}, headers=headers)
        assert bogus.status_code == 400


async def test_push_needs_a_live_session_and_a_published_product_and_pins_one_at_a_time(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        tea = await product()
        cup = await product("Cup", code="C-1")
        draft = await product("Draft", code="D-1", status=ProductStatus.DRAFT)
        session = await live_session(client, clock, headers, start=False)
        push = f"{API}/sessions/{session['id']}/push"
        not_live = await client.post(push, json={"product_id": tea.product_id}, headers=headers)
        assert not_live.status_code == 409 and not_live.json()["error"]["code"] == "live_session_state"
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "start"}, headers=headers)
        unpublished = await client.post(push, json={"product_id": draft.product_id}, headers=headers)
        assert unpublished.status_code == 400 and unpublished.json()["error"]["code"] == "live_product_unpublished"
        missing = await client.post(push, json={"product_id": 999999}, headers=headers)
        assert missing.status_code == 400
        assert (await client.post(push, json={"product_id": tea.product_id}, headers=headers)).status_code == 200
        assert (await client.post(push, json={"product_id": cup.product_id}, headers=headers)).status_code == 200
        state = (await client.get(f"{API}/sessions/{session['id']}")).json()
        assert state["pinned"]["id"] == cup.product_id  # the latest push is the one pinned
        assert {c["id"] for c in state["shelf"]} == {tea.product_id, cup.product_id}
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "pause"}, headers=headers)
        paused = await client.post(push, json={"product_id": tea.product_id}, headers=headers)
        assert paused.status_code == 409


async def test_hosts_run_only_their_own_rooms_and_viewers_none(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        _, other = await host("other-host@example.com")
        _, member = await viewer()
        session = await live_session(client, clock, headers)
        action = {"action": "end"}
        assert (await client.post(f"{API}/sessions/{session['id']}/state", json=action, headers=other)).status_code == 404
        assert (await client.post(f"{API}/sessions/{session['id']}/state", json=action, headers=member)).status_code == 403
        assert (await client.post(f"{API}/rooms", json={"title": "x"}, headers=member)).status_code == 403
        assert (await client.post(f"{API}/sessions/{session['id']}/state", json=action, headers=headers)).status_code == 200


async def test_likes_count_while_live_one_batch_per_second_per_viewer(make_app, clock):
    async with make_app(enabled=["livestream"]) as client:
        _, headers = await host()
        _, member = await viewer()
        _, other = await viewer("other@example.com")
        session = await live_session(client, clock, headers)
        url = f"{API}/sessions/{session['id']}/likes"
        assert (await client.post(url, json={"count": 5}, headers=member)).status_code == 204
        flood = await client.post(url, json={"count": 5}, headers=member)
        assert flood.status_code == 429 and flood.json()["error"]["code"] == "live_like_rate"
        assert (await client.post(url, json={"count": 21}, headers=other)).status_code == 400
        assert (await client.post(url, json={"count": 20}, headers=other)).status_code == 204
        assert (await client.get(f"{API}/sessions/{session['id']}")).json()["session"]["likes"] == 25
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "end"}, headers=headers)
        assert (await client.post(url, json={"count": 1}, headers=await client.form_headers())).status_code == 409
