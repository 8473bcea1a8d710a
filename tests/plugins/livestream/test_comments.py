"""Live comments: members only, length cap, rate limit, muted members refused, moderation."""

from qunshang.plugins.livestream.models import Comment

from .support import API, host, live_session, viewer


async def test_comments_need_a_member_valid_text_and_a_live_session(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"comment_interval_seconds": 0}}) as client:
        _, headers = await host()
        _, member = await viewer()
        session = await live_session(client, clock, headers)
        url = f"{API}/sessions/{session['id']}/comments"
        anonymous = await client.post(url, json={"text": "hi"}, headers=await client.form_headers())
        assert anonymous.status_code == 401
        empty = await client.post(url, json={"text": "   "}, headers=member)
        assert empty.status_code == 400 and empty.json()["error"]["code"] == "live_comment_invalid"
        long = await client.post(url, json={"text": "长" * 201}, headers=member)
        assert long.status_code == 400 and long.json()["error"]["code"] == "live_comment_invalid"
        unknown = await client.post(url, json={"text": "hi", "member_id": 1}, headers=member)
        assert unknown.status_code == 400
        script = "<script>alert(1)</script>\x00"
        posted = await client.post(url, json={"text": script}, headers=member)
        assert posted.status_code == 201 and posted.json()["text"] == "<script>alert(1)</script>"
        page = await client.get(f"/live/{session['id']}")
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        await client.post(f"{API}/sessions/{session['id']}/state", json={"action": "end"}, headers=headers)
        ended = await client.post(url, json={"text": "late"}, headers=member)
        assert ended.status_code == 409


async def test_a_member_commenting_too_fast_is_refused(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"comment_interval_seconds": 30}}) as client:
        _, headers = await host()
        _, member = await viewer()
        _, other = await viewer("other@example.com")
        session = await live_session(client, clock, headers)
        url = f"{API}/sessions/{session['id']}/comments"
        assert (await client.post(url, json={"text": "1"}, headers=member)).status_code == 201
        flood = await client.post(url, json={"text": "2"}, headers=member)
        assert flood.status_code == 429 and flood.json()["error"]["code"] == "live_comment_rate"
        assert flood.headers["retry-after"] == "30"
        assert (await client.post(url, json={"text": "3"}, headers=other)).status_code == 201, "others unaffected"
        assert await Comment.all().count() == 2


async def test_host_deletes_comments_and_mutes_members(make_app, clock):
    async with make_app(enabled=["livestream"], settings={"livestream": {"comment_interval_seconds": 0}}) as client:
        _, headers = await host()
        _, other_host = await host("other-host@example.com")
        troll, member = await viewer()
        session = await live_session(client, clock, headers)
        url = f"{API}/sessions/{session['id']}/comments"
        comment = (await client.post(url, json={"text": "spam"}, headers=member)).json()
        assert (await client.delete(f"{url}/{comment['id']}", headers=other_host)).status_code == 404
        assert (await client.delete(f"{url}/{comment['id']}", headers=member)).status_code == 403
        assert (await client.delete(f"{url}/{comment['id']}", headers=headers)).status_code == 204
        assert (await client.delete(f"{url}/{comment['id']}", headers=headers)).status_code == 404
        assert (await client.get(f"{API}/sessions/{session['id']}")).json()["comments"] == []
        mutes = f"{API}/sessions/{session['id']}/mutes"
        assert (await client.post(mutes, json={"comment_id": 424242}, headers=headers)).status_code == 404
        second = (await client.post(url, json={"text": "more spam"}, headers=member)).json()
        muting = await client.post(mutes, json={"comment_id": second["id"]}, headers=headers)
        assert muting.status_code == 201 and muting.json() == {"member_id": troll.id}
        assert (await client.get(f"{API}/sessions/{session['id']}")).json()["comments"] == [], "their comments hidden"
        muted = await client.post(url, json={"text": "again"}, headers=member)
        assert muted.status_code == 403 and muted.json()["error"]["code"] == "live_muted"
        assert (await client.delete(f"{mutes}/{troll.id}", headers=headers)).status_code == 204
        assert (await client.post(url, json={"text": "sorry"}, headers=member)).status_code == 201
